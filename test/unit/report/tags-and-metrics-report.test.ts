import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import { consoleSummary, verdictLine } from '../../../src/report/console-summary.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { assembleResults } from '../../../src/results/results-document.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';

const plain = new Chalk({ level: 0 });
const TAGS = [
  { name: 'team:payments', requestNames: ['pay'] },
  { name: 'env:ci', requestNames: ['pay', 'home'] },
];

/** 30 responses of pay (10 ms, 1 failing), 20 of home (2 ms); depths 0…29 on pay, orders 1 or 2 on home. */
function results(sla: Parameters<typeof planThresholds>[0]): ResultsDocument {
  const recorder = new Recorder(['pay', 'home'], {
    customMetrics: [
      { name: 'depth', kind: 'trend' },
      { name: 'orders', kind: 'counter' },
    ],
  });
  recorder.start(0);
  for (let index = 0; index < 30; index++) {
    recorder.recordResponse(0, index === 0 ? 500 : 200, index !== 0, 10_000, 9_000, 100, 50, index);
    recorder.recordMetric(0, index);
  }
  for (let index = 0; index < 20; index++) {
    recorder.recordResponse(1, 200, true, 2_000, 1_500, 100, 50, index);
    recorder.recordMetric(1, 1 + (index % 2));
  }
  return assembleResults({
    scenario: { name: 'tagged', file: 'tagged.yml', plan: 'constant' },
    startedAtEpochMs: 0,
    endedAtEpochMs: 1000,
    elapsedMs: 1000,
    host: 'ci',
    interrupted: false,
    warmupExcluded: false,
    warmupRequests: 0,
    recorder,
    thresholds: planThresholds(sla, TAGS),
    tags: TAGS,
    generator: {
      workers: 1,
      cpuPercent: 1,
      busyPercent: 1,
      eventLoopDelayP99Ms: 0,
      eventLoopDelayMaxMs: 0,
      schedulerLagP99Ms: 0,
      saturated: false,
      noisyMachine: false,
      threads: [],
    },
  });
}

describe('tags and custom metrics in the reports', () => {
  it('writes per-tag figures and metrics to the results, a by-tag table and a metrics table to the console', () => {
    const document = results({
      tags: { 'team:payments': { max_error_rate: 0.1 } },
      metrics: { depth: { p50: 20 }, orders: { sum_max: 30 } },
    });
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(document)))).toEqual([]);
    expect(document.summary.tags?.map((tag) => [tag.name, tag.count, tag.failures, tag.latencyMs.p50])).toEqual([
      ['team:payments', 30, 1, 10],
      ['env:ci', 50, 1, 10],
    ]);
    expect(document.summary.metrics).toEqual([
      { name: 'depth', kind: 'trend', count: 30, sum: 435, min: 0, max: 29, avg: 14.5, p50: 14, p90: 26, p95: 28, p99: 29 },
      { name: 'orders', kind: 'counter', count: 20, sum: 30, min: 1, max: 2, avg: 1.5 },
    ]);
    const text = consoleSummary(document, plain);
    expect(text).toContain(
      [
        'by tag',
        'tag            count  req/s  p50 ms  p95 ms  p99 ms  max ms     errors',
        'team:payments     30   30.0    10.0    10.0    10.0    10.0  1 (3.33%)',
        'env:ci            50   50.0    10.0    10.0    10.0    10.0  1 (2.00%)',
        '',
        'custom metrics',
        'metric     kind  count  sum  min   avg  p50  p95  p99  max',
        'depth     trend     30  435    0  14.5   14   28   29   29',
        'orders  counter     20   30    –     –    –    –    –    –',
      ].join('\n'),
    );
    expect(text).toContain('✓ error rate 3.33% ≤ 10% (tag team:payments)');
    expect(text).toContain('✓ depth p50 14 ≤ 20 (metric depth)');
    expect(text).toContain('✓ orders sum 30 ≤ 30 (metric orders)');
    expect(verdictLine(document, plain)).toBe('✓ passed: 3 of 3 thresholds met');
  });

  it('names the violated tag and metric thresholds on the verdict line', () => {
    const document = results({ tags: { 'env:ci': { max_error_rate: 0 } }, metrics: { depth: { max: 10 }, orders: { sum_min: 31 } } });
    expect(document.verdict).toBe('failed');
    // …then the most likely cause (results/diagnose.ts): the 500s the fixture's target answered.
    expect(verdictLine(document, plain)).toBe(
      '✗ failed: 3 of 3 thresholds violated: max_error_rate (tag env:ci), max (metric depth), sum_min (metric orders) — errors: 500 from the target from 00:00:00 UTC, 0.0 s into the run',
    );
    expect(consoleSummary(document, plain)).toContain('✗ orders sum 30 < 31 (metric orders)');
  });

  it('shows both tables and the thresholds’ scopes in the HTML report', async () => {
    const html = await renderHtmlReport(results({ tags: { 'team:payments': { max_error_rate: 0.1 } }, metrics: { depth: { p95: 1 } } }));
    expect(html).toContain('<h2>By tag</h2>');
    expect(html).toContain('<td class="name">team:payments</td><td class="">30</td>');
    expect(html).toContain('<h2>Custom metrics</h2>');
    expect(html).toContain('<td class="name">depth</td><td>trend</td><td>30</td><td>435</td>');
    expect(html).toContain('tag team:payments');
    expect(html).toContain('metric depth');
  });
});
