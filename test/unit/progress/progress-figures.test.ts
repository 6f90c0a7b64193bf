import { describe, expect, it } from 'vitest';
import { progressFigures } from '../../../src/progress/progress-figures.js';
import type { ProgressFigures } from '../../../src/progress/progress-figures.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import type { PlannedThreshold } from '../../../src/plan/thresholds.js';
import { fill, planOf, progressOf, recorderFor, thresholdsOf } from './fixtures.js';
import type { RunProgress } from '../../../src/engine/run-result.js';

const constant = planOf({ profile: 'constant', users: 50, duration: '2m' });

function figuresAt(
  plan: Plan,
  fields: Partial<Omit<RunProgress, 'recorder'>>,
  record: (recorder: ReturnType<typeof recorderFor>) => void = () => {},
  thresholds: PlannedThreshold[] = [],
): ProgressFigures {
  const recorder = recorderFor(plan);
  record(recorder);
  return progressFigures(progressOf(recorder, fields), { plan, thresholds });
}

/** Within 1%: the per-interval percentiles have two significant digits. */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual ?? 0) - expected) / expected).toBeLessThanOrEqual(0.01);
}

describe('progressFigures: throughput, latency and errors', () => {
  it('reads requests/s and p95 from the last complete second, not the one still running', () => {
    const figures = figuresAt(constant, { elapsedMs: 2_400, plannedDurationMs: 120_000, activeUsers: 50 }, (recorder) => {
      fill(recorder, { startMs: 0, requests: 300, latencyMs: 300 });
      fill(recorder, { startMs: 1000, requests: 1000, latencyMs: 20 });
      fill(recorder, { startMs: 2000, requests: 7, latencyMs: 900, durationMs: 400 });
    });
    expect(figures.requestsPerSec).toBe(1000);
    near(figures.p95Ms, 20);
    expect(figures.requests).toBe(1307);
    expect(figures.load).toEqual({ kind: 'closed', activeUsers: 50 });
    expect(figures.fraction).toBeCloseTo(0.02, 10);
  });

  it('knows no rate before the first second has ended, and 0 req/s for a second with nothing in it', () => {
    expect(
      figuresAt(constant, { elapsedMs: 999 }, (recorder) => fill(recorder, { startMs: 0, requests: 10, latencyMs: 5 })),
    ).not.toHaveProperty('requestsPerSec');
    const quiet = figuresAt(constant, { elapsedMs: 5_100 }, (recorder) => fill(recorder, { startMs: 0, requests: 10, latencyMs: 5 }));
    expect(quiet.requestsPerSec).toBe(0);
    expect(quiet).not.toHaveProperty('p95Ms');
  });

  it('gives the error rate over the phase so far: 1 failure in 40 is 0.025', () => {
    const figures = figuresAt(constant, { elapsedMs: 3_000 }, (recorder) => {
      fill(recorder, { startMs: 0, requests: 20, latencyMs: 5, failures: 1 });
      fill(recorder, { startMs: 1000, requests: 20, latencyMs: 5 });
    });
    expect(figures.errorRate).toBe(0.025);
    expect(figuresAt(constant, { elapsedMs: 3_000 })).not.toHaveProperty('errorRate');
  });

  it('moves by iterations when a budget bounds the run', () => {
    const plan = planOf({ profile: 'constant', users: 5, iterations: 200 });
    const figures = figuresAt(plan, { elapsedMs: 1_000, plannedDurationMs: 600_000 }, (recorder) => {
      for (let i = 0; i < 50; i++) recorder.recordIteration();
    });
    expect(figures.iterations).toEqual({ done: 50, budget: 200 });
    expect(figures.fraction).toBe(0.25);
  });
});

describe('progressFigures: the open model', () => {
  const open = planOf({ profile: 'arrival_rate', rate: 200, duration: '2m' });

  it('compares the target rate with the iterations of the last second: target 200/s, achieved 198/s', () => {
    const figures = figuresAt(open, { elapsedMs: 42_300, plannedDurationMs: 120_000, activeUsers: 12 }, (recorder) => {
      fill(recorder, { startMs: 41_000, requests: 198, latencyMs: 30 });
      for (let i = 0; i < 3; i++) recorder.recordDropped(41_500);
    });
    expect(figures.load).toEqual({ kind: 'open', targetRatePerSec: 200, achievedRatePerSec: 198, intervalTargetRatePerSec: 200 });
    expect(figures.droppedArrivals).toBe(3);
  });

  it('counts iterations, not requests: a flow of two requests at 100 iterations/s sends 200 requests/s', () => {
    const flows = planOf(
      { profile: 'arrival_rate', rate: 100, duration: '1m' },
      { requests: undefined, flows: [{ name: 'buy', steps: [{ path: '/a' }, { think: '1s' }, { path: '/b' }] }] },
    );
    const figures = figuresAt(flows, { elapsedMs: 2_000 }, (recorder) => {
      fill(recorder, { startMs: 1000, requests: 100, latencyMs: 5, requestIndex: 0 });
      fill(recorder, { startMs: 1000, requests: 100, latencyMs: 5, requestIndex: 1 });
    });
    expect(figures.requestsPerSec).toBe(200);
    expect(figures.load).toMatchObject({ achievedRatePerSec: 100 });
  });

  it('during a ramp, shows the target now and judges the last second against its own target', () => {
    const ramp = planOf({ profile: 'ramping_arrival_rate', start_rate: 0, stages: [{ duration: '100s', rate: 1000 }] });
    const figures = figuresAt(ramp, { elapsedMs: 50_000 });
    // 10/s per second: 500/s now; the second [49 s, 50 s) asked for 495/s on average.
    expect(figures.load).toEqual({ kind: 'open', targetRatePerSec: 500, achievedRatePerSec: 0, intervalTargetRatePerSec: 495 });
  });

  it('during warm-up, targets the warm-up rate and judges no threshold', () => {
    const warm = planOf({ profile: 'arrival_rate', rate: 200, duration: '2m', warmup: { duration: '10s', rate: 20 } });
    const figures = figuresAt(
      warm,
      { phase: 'warmup', elapsedMs: 5_000, plannedDurationMs: 10_000 },
      () => {},
      thresholdsOf({ p95_latency_ms: 1 }),
    );
    expect(figures.load).toMatchObject({ targetRatePerSec: 20 });
    expect(figures.thresholds).toEqual([]);
    expect(figures).not.toHaveProperty('stage');
  });
});

describe('progressFigures: stages', () => {
  const stageAt = (plan: Plan, elapsedMs: number): string | undefined => figuresAt(plan, { elapsedMs }).stage;

  it('numbers the stages of a staged profile', () => {
    const stages = planOf({
      profile: 'stages',
      stages: [
        { duration: '30s', users: 50 },
        { duration: '1m', users: 50 },
        { duration: '30s', users: 0 },
      ],
    });
    expect([0, 29_999, 30_000, 89_999, 90_000, 200_000].map((ms) => stageAt(stages, ms))).toEqual([
      'stage 1/3',
      'stage 1/3',
      'stage 2/3',
      'stage 2/3',
      'stage 3/3',
      'stage 3/3',
    ]);
  });

  it('counts a breaking point in steps (its jumps take no time), and a ramp as ramping then steady', () => {
    const breaking = planOf({ profile: 'breaking_point', start_rate: 100, step_rate: 100, max_rate: 400, step_duration: '10s' });
    expect([0, 10_000, 39_999].map((ms) => stageAt(breaking, ms))).toEqual(['step 1/4', 'step 2/4', 'step 4/4']);
    const ramp = planOf({ profile: 'ramp', end_users: 10, ramp_duration: '10s', steady_duration: '20s' });
    expect([5_000, 15_000].map((ms) => stageAt(ramp, ms))).toEqual(['ramping', 'steady']);
    expect(stageAt(constant, 5_000)).toBeUndefined();
  });
});
