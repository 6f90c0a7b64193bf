import { describe, expect, it } from 'vitest';
import { liveDashboardFrame } from '../../../src/dashboard/live-frame.js';
import { LiveSeries } from '../../../src/dashboard/live-series.js';
import type { RunProgress } from '../../../src/engine/run-result.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import { finalDashboardFrame } from '../../../src/report/dashboard-frame.js';
import type { DashboardGenerator } from '../../../src/report/dashboard-page-data.js';
import type { SlaSpec } from '../../../src/scenario/types.js';
import { newRecorder, record, resultsOf } from '../results/results-helpers.js';

const SLA: SlaSpec = { p95_latency_ms: 30, max_error_rate: 0.05, requests: { checkout: { p99_latency_ms: 5 } } };
const GENERATOR: DashboardGenerator = { workers: 1, cpuPercent: 12, busyPercent: 10, eventLoopDelayP99Ms: 0.5, eventLoopDelayMaxMs: 2 };

function planNamed(name: string) {
  return buildPlan({
    file: 'shop.yml',
    baseDir: '.',
    data: {
      name,
      target: 'http://127.0.0.1:1',
      requests: [
        { name: 'home', path: '/' },
        { name: 'checkout', path: '/checkout' },
      ],
      load: { profile: 'constant', users: 5, duration: '10s' },
    },
    envVarsUsed: [],
  });
}

function progressOf(recorder: RunProgress['recorder'], elapsedMs: number): RunProgress {
  return { phase: 'measured', elapsedMs, plannedDurationMs: 10_000, activeUsers: 5, inFlight: 2, stopping: false, recorder };
}

describe('the live dashboard frame', () => {
  it('reads a recorder as the results file does: at the end of a run, the same figures as the final frame', () => {
    const recorder = record(newRecorder(), { count: 6000, errorEvery: 9, durationMs: 10_000 });
    const context = {
      plan: planNamed('shop'),
      planText: 'constant 5 users for 10s',
      thresholds: planThresholds(SLA),
      series: new LiveSeries(),
    };
    const live = liveDashboardFrame(progressOf(recorder, 10_000), context, GENERATOR);
    const final = finalDashboardFrame(resultsOf(recorder, { sla: SLA, elapsedMs: 10_000 }));
    expect(live.kind).toBe('live');
    expect(live.total.requests).toBe(6000);
    expect(live.total).toEqual(final.total);
    expect(live.requests).toEqual(final.requests);
    expect(live.failuresByKind).toEqual(final.failuresByKind);
    expect(live.failuresByKind).toEqual([{ kind: 'timeout', count: live.total.failures }]);
    expect(live.thresholds).toEqual(final.thresholds);
    expect(live.thresholds.map((threshold) => [threshold.name, threshold.state])).toEqual([
      ['p95_latency_ms', 'fail'],
      ['max_error_rate', 'fail'],
      ['p99_latency_ms (checkout)', 'fail'],
    ]);
    expect(live.series).toEqual(final.series);
    expect(live.series.startS).toHaveLength(10);
  });

  it('mid-run: the intervals complete so far on the charts, every failure counted by kind, the counts so far', () => {
    const recorder = record(newRecorder(), { count: 3000, errorEvery: 10, durationMs: 10_000 });
    const context = { plan: planNamed('shop'), planText: '', thresholds: planThresholds(SLA), series: new LiveSeries() };
    // 4.5 s in: intervals 0–3 are complete, the fifth is running (and this recorder holds later ones too).
    const frame = liveDashboardFrame(progressOf(recorder, 4_500), context, GENERATOR);
    expect(frame.series.startS).toEqual([0, 1, 2, 3]);
    expect(frame.series.endS).toBe(4);
    expect(frame.failuresByKind.reduce((sum, entry) => sum + entry.count, 0)).toBe(frame.total.failures);
    expect(frame.total.requestsPerSec).toBeCloseTo(3000 / 4.5, 3);
    expect(frame.activeUsers).toBe(5);
    expect(frame.inFlight).toBe(2);
  });

  it('during the warm-up, judges no threshold; before any request, shows no latency', () => {
    const recorder = newRecorder();
    const context = { plan: planNamed('shop'), planText: '', thresholds: planThresholds(SLA), series: new LiveSeries() };
    const frame = liveDashboardFrame({ ...progressOf(recorder, 500), phase: 'warmup' }, context, GENERATOR);
    expect(frame.thresholds.map((threshold) => threshold.state)).toEqual(['pending', 'pending', 'pending']);
    expect(frame.total).toEqual({
      name: 'total',
      requests: 0,
      failures: 0,
      requestsPerSec: 0,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      maxMs: null,
    });
    expect(frame.series.startS).toEqual([]);
  });

  it('redacts the scenario’s secrets, as every file loadseed writes does', () => {
    const plan = { ...planNamed('shop'), secrets: ['hunter2'] };
    const frame = liveDashboardFrame(
      progressOf(newRecorder(), 0),
      { plan: { ...plan, name: 'shop hunter2' }, planText: 'to hunter2', thresholds: [], series: new LiveSeries() },
      GENERATOR,
    );
    expect(JSON.stringify(frame)).not.toContain('hunter2');
    expect(frame.scenario).toBe('shop ***');
  });
});
