import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { planAllThresholds } from '../../../src/plan/thresholds.js';
import { mergeResults } from '../../../src/results/merge-results.js';
import { recorderOfResults, resultsSchemaProblems } from '../../../src/results/read-results.js';
import { buildResults } from '../../../src/results/results-document.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { parseScenario } from '../../../src/scenario/load-scenario.js';
import { nearestRank, startMetricServer, sumOf } from '../../helpers/metric-server.js';
import type { MetricServer } from '../../helpers/metric-server.js';

/**
 * Tags and custom metrics end to end on the engine, against a loopback server that keeps its own books: the
 * figures of each tag are those of the server's paths, a metric's are the values the server served.
 */

let server: MetricServer;
beforeAll(async () => {
  server = await startMetricServer();
});
afterAll(async () => {
  await server.close();
});

const ITERATIONS = 120;

/** Two flows tagged at three levels; `sla` lines appended. */
function scenarioText(...sla: string[]): string {
  return [
    `target: ${server.url}`,
    'name: tagged',
    'tags: {env: ci}',
    'flows:',
    '  - name: buy',
    '    tags: {team: payments}',
    '    steps:',
    '      - {name: pay, method: POST, path: /pay, json: {}, metric: {name: depth, from: "json $.depth"}}',
    '      - {name: ship, path: /ship, tags: {team: shipping}}',
    '  - name: browse',
    '    steps:',
    '      - {name: home, path: /, metric: {name: orders, from: "header x-orders", kind: counter}}',
    `load: {profile: constant, users: 3, iterations: ${ITERATIONS}}`,
    ...sla,
    '',
  ].join('\n');
}

async function run(text: string): Promise<ResultsDocument> {
  const scenario = parseScenario(text, 'tagged.yml', { env: {}, baseDir: '.' });
  const plan = buildPlan(scenario);
  const result = await runPlan(plan);
  const document = buildResults(plan, planAllThresholds(scenario.data), result);
  expect(resultsSchemaProblems(JSON.parse(JSON.stringify(document)))).toEqual([]);
  return document;
}

/** What the server has served since `before` (a snapshot of its books). */
function servedSince(before: { counts: Map<string, number>; depths: number; orders: number }) {
  const count = (path: string): number => (server.counts.get(path) ?? 0) - (before.counts.get(path) ?? 0);
  return {
    pay: count('/pay'),
    ship: count('/ship'),
    home: count('/'),
    depths: server.depths.slice(before.depths),
    orders: server.orders.slice(before.orders),
  };
}

function books() {
  return { counts: new Map(server.counts), depths: server.depths.length, orders: server.orders.length };
}

describe('tags and custom metrics on the engine', () => {
  it('counts each tag as the server counted its paths, and a metric as the values the server served', async () => {
    const before = books();
    const document = await run(scenarioText());
    const served = servedSince(before);
    expect(served.pay + served.home).toBe(ITERATIONS);
    expect(served.pay).toBeGreaterThan(0);
    expect(served.home).toBeGreaterThan(0);
    const tag = (name: string) => document.summary.tags?.find((group) => group.name === name);
    expect(document.summary.tags?.map((group) => [group.name, group.count, group.failures])).toEqual([
      ['env:ci', served.pay + served.ship + served.home, 0],
      ['team:payments', served.pay, 0],
      ['team:shipping', served.ship, 0],
    ]);
    expect(tag('team:payments')?.requestNames).toEqual(['pay']);
    expect(tag('env:ci')?.requestNames).toEqual(['pay', 'ship', 'home']);

    const [depth, orders] = document.summary.metrics ?? [];
    expect(depth).toMatchObject({
      name: 'depth',
      kind: 'trend',
      count: served.depths.length,
      sum: sumOf(served.depths),
      min: Math.min(...served.depths),
      max: Math.max(...served.depths),
    });
    expect(depth?.avg).toBeCloseTo(sumOf(served.depths) / served.depths.length, 6);
    for (const percentile of [50, 90, 95, 99] as const) {
      const exact = nearestRank(served.depths, percentile);
      // HDR precision: 3 significant digits of thousandths.
      expect(Math.abs((depth?.[`p${percentile}`] ?? Number.NaN) - exact)).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    }
    const { avg, ...exact } = orders ?? { avg: undefined };
    expect(exact).toEqual({
      name: 'orders',
      kind: 'counter',
      count: served.orders.length,
      sum: sumOf(served.orders),
      min: Math.min(...served.orders),
      max: Math.max(...served.orders),
    });
    expect(avg).toBeCloseTo(sumOf(served.orders) / served.orders.length, 6);
    // The results file's recorder holds the metrics losslessly.
    const decoded = recorderOfResults('tagged.json', JSON.parse(JSON.stringify(document)) as ResultsDocument).customMetrics();
    expect(decoded.map((metric) => [metric.name, metric.count, metric.sum, metric.max])).toEqual([
      ['depth', served.depths.length, sumOf(served.depths), Math.max(...served.depths)],
      ['orders', served.orders.length, sumOf(served.orders), Math.max(...served.orders)],
    ]);
  });

  it('judges tag and metric thresholds: passing ones pass, the others fail, by name', async () => {
    const document = await run(
      scenarioText(
        'sla:',
        '  tags:',
        '    "team:payments": {max_error_rate: 0, p95_latency_ms: 60000}',
        '    "env:ci": {max_latency_ms: 0.001}',
        '  metrics:',
        '    depth: {max: 40, p50: 1}',
        '    orders: {sum_min: 1, sum_max: 1}',
      ),
    );
    expect(document.thresholds.map((t) => [t.key, t.tag ?? t.metric, t.passed])).toEqual([
      ['max_error_rate', 'team:payments', true],
      ['p95_latency_ms', 'team:payments', true],
      ['max_latency_ms', 'env:ci', false],
      ['max', 'depth', true],
      ['p50', 'depth', false],
      ['sum_min', 'orders', true],
      ['sum_max', 'orders', false],
    ]);
    expect(document.verdict).toBe('failed');
    const orders = document.summary.metrics?.find((metric) => metric.name === 'orders');
    expect(document.thresholds.find((t) => t.key === 'sum_max')?.description).toBe(`orders sum ${orders?.sum} > 1 (metric orders)`);
    expect(document.thresholds[2]?.description).toMatch(/^max latency [\d.]+ ms > 0 ms \(tag env:ci\)$/);
  });

  it('merges two runs losslessly: tag counts and metric sums add up, extremes kept', async () => {
    const first = await run(scenarioText());
    const second = await run(scenarioText());
    const merged = mergeResults([
      { file: 'a.json', results: JSON.parse(JSON.stringify(first)) as ResultsDocument },
      { file: 'b.json', results: JSON.parse(JSON.stringify(second)) as ResultsDocument },
    ]);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(merged)))).toEqual([]);
    const counts = (document: ResultsDocument) => document.summary.tags?.map((group) => group.count) ?? [];
    expect(counts(merged)).toEqual(counts(first).map((count, index) => count + (counts(second)[index] ?? 0)));
    const metric = (document: ResultsDocument, index: number) => document.summary.metrics?.[index];
    for (const index of [0, 1]) {
      expect(metric(merged, index)?.count).toBe((metric(first, index)?.count ?? 0) + (metric(second, index)?.count ?? 0));
      expect(metric(merged, index)?.sum).toBeCloseTo((metric(first, index)?.sum ?? 0) + (metric(second, index)?.sum ?? 0), 6);
      expect(metric(merged, index)?.max).toBe(Math.max(metric(first, index)?.max ?? 0, metric(second, index)?.max ?? 0));
    }
  });

  it('fails a response whose metric cannot be read, as a check, and records nothing for it', async () => {
    const text = [
      `target: ${server.url}`,
      'requests:',
      '  - {name: ship, path: /ship, metric: {name: depth, from: "json $.depth"}}',
      'load: {profile: constant, users: 1, iterations: 5}',
      'sla: false',
      '',
    ].join('\n');
    const document = await run(text);
    expect(document.summary.total.failures).toBe(5);
    expect(document.summary.total.errors).toEqual({ check: 5 });
    expect(document.summary.total.failureSamples?.[0]?.message).toBe('metric depth: the body is not JSON');
    expect(document.summary.metrics).toEqual([{ name: 'depth', kind: 'trend', count: 0, sum: 0 }]);
  });
});
