import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/engine/run-result.js';
import { judgeGenerator } from '../../../src/metrics/generator-load.js';
import type { ThreadLoad } from '../../../src/metrics/generator-load.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { consoleSummary, verdictLine } from '../../../src/report/console-summary.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { withBaseline } from '../../../src/results/baseline.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { buildResults } from '../../../src/results/results-document.js';
import { newRecorder, record, resultsOf } from '../results/results-helpers.js';

const calm: ThreadLoad = { durationMs: 10_000, busyPercent: 35, saturatedTimePercent: 0, eventLoopDelayP99Ms: 1.2, eventLoopDelayMaxMs: 6 };

describe('consoleSummary: the load generator', () => {
  const plan = buildPlan({
    file: 'g.yml',
    baseDir: '.',
    data: { target: 'http://127.0.0.1:1', requests: [{ path: '/' }], load: { profile: 'constant', users: 1, duration: '1s' } },
    envVarsUsed: [],
  });
  const resultWith = (threads: readonly ThreadLoad[], cpuPercent = 97.25): RunResult => {
    const recorder = new Recorder(['GET /']);
    return {
      recorder,
      warmupRecorder: new Recorder(['GET /']),
      warmupRan: false,
      startedAtEpochMs: 0,
      endedAtEpochMs: 1000,
      elapsedMs: 1000,
      drainMs: 0,
      interrupted: false,
      requestNames: ['GET /'],
      preconnectedConnections: 1,
      generator: judgeGenerator({ workers: 1, cpuPercent, threads, schedulerLagP99Ms: 0, arrivals: 0 }),
    };
  };
  const plain = new Chalk({ level: 0 });
  const yellow = new Chalk({ level: 1 }).yellow('x').split('x')[0]!;

  it('writes the generator section, rounded, and warns in yellow when saturated', () => {
    const results = buildResults(plan, [], resultWith([{ ...calm, busyPercent: 99.04, saturatedTimePercent: 96.66 }]));
    expect(results.generator).toEqual({
      workers: 1,
      cpuPercent: 97.3,
      busyPercent: 99,
      eventLoopDelayP99Ms: 1.2,
      eventLoopDelayMaxMs: 6,
      schedulerLagP99Ms: 0,
      saturated: true,
      reason: 'the load thread was ≥ 90% busy (CPU) for 96.7% of the run',
      noisyMachine: false,
      threads: [{ busyPercent: 99, saturatedTimePercent: 96.7, eventLoopDelayP99Ms: 1.2, eventLoopDelayMaxMs: 6 }],
    });
    const line = consoleSummary(results, new Chalk({ level: 1 }))
      .split('\n')
      .find((text) => text.includes('load generator saturated'));
    expect(line?.startsWith(`${yellow}! load generator saturated (the load thread was ≥ 90% busy (CPU) for 96.7% of the run)`)).toBe(true);
  });

  it('calls a machine busy with other processes noisy, not saturated: in the results, the console and the HTML report', async () => {
    // Timers 45 ms late while loadseed used 9% of a core.
    const results = buildResults(plan, [], resultWith([{ ...calm, eventLoopDelayP99Ms: 45, eventLoopDelayMaxMs: 90 }], 9));
    expect(results.generator).toMatchObject({ saturated: false, noisyMachine: true });
    expect(results.generator.noiseReason).toContain('loadseed itself used 9% of a core (under 50%), yet: event-loop delay p99 45 ms');
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(results)))).toEqual([]);
    const text = consoleSummary(results, plain);
    expect(text).not.toContain('saturated');
    expect(text).toContain('! noisy machine (loadseed itself used 9% of a core');
    const html = await renderHtmlReport(results);
    expect(html).not.toContain('Load generator saturated');
    expect(html).toContain('Noisy machine');
  });

  it('prints no such warning when the generator had room', () => {
    const results = buildResults(plan, [], resultWith([calm]));
    expect(results.generator.saturated).toBe(false);
    expect(consoleSummary(results, plain)).not.toContain('saturated');
  });
});

describe('consoleSummary: against a baseline', () => {
  const tolerances = { p50: 0.1, p95: 0.1, p99: 0.1, throughput: 0.1, 'error-rate': 0.01 };
  // 50% slower, and 2% errors where the baseline had none.
  const baseline = { file: 'base.json', results: resultsOf(record(newRecorder(), { count: 3000 })) };
  const results = withBaseline(
    resultsOf(record(newRecorder(), { count: 3000, errorEvery: 50, scale: 1.5 }), { sla: false }),
    baseline,
    tolerances,
  );
  const c = new Chalk({ level: 0 });

  it('prints the figures in the shared formats, never a raw float', () => {
    const text = consoleSummary(results, c);
    expect(text).toContain('baseline  base.json');
    expect(text).not.toMatch(/\d\.\d{4,}/);
    expect(text).toMatch(/^ {2}✗ errors +0\.00% → 2\.00% +\+2\.00 pts$/m);
    expect(text).toMatch(/^ {2}✗ p95 ms +\d+(\.\d+)? → \d+(\.\d+)? +\+\d+\.\d%$/m);
  });

  it('names the regressions in the verdict line', () => {
    const line = verdictLine(results, c);
    expect(line).toMatch(
      /^✗ failed: \d+ regressions against the baseline: p50 \+\d+\.\d%, p95 \+\d+\.\d%, p99 \+\d+\.\d%, error rate \+2\.00 pts/,
    );
    expect(line).not.toMatch(/\d\.\d{4,}/);
  });
});
