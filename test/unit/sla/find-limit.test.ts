import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { TimeSeries } from '../../../src/metrics/time-series.js';
import { STATUS_FAILURE_KIND } from '../../../src/metrics/error-category.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import type { LoadSpec } from '../../../src/scenario/types.js';
import {
  FindLimitWatch,
  bisectionLevel,
  bracketOf,
  breakingPointSteps,
  compareCapacity,
  documentLimit,
  limitStepDocument,
  limitSteps,
  withRefinements,
  defaultStepThresholds,
  judgeStep,
  kneeOf,
  kneeOfSteps,
  limitOf,
  undeliveredReason,
  windowSubject,
} from '../../../src/sla/find-limit.js';
import type { FindLimitStepDocument, LimitStep } from '../../../src/sla/find-limit.js';

const profileOf = (load: LoadSpec) =>
  buildPlan({ file: 'x.yml', baseDir: '.', data: { target: 'http://h', requests: [{ path: '/' }], load }, envVarsUsed: [] }).profile;

describe('breakingPointSteps', () => {
  it('gives one step per hold of a breaking_point plan: its rate, start and end', () => {
    const steps = breakingPointSteps(
      profileOf({ profile: 'breaking_point', start_rate: 100, step_rate: 25, max_rate: 180, step_duration: '2s' }),
    );
    expect(steps).toEqual([
      { index: 0, ratePerSec: 100, startMs: 0, endMs: 2000 },
      { index: 1, ratePerSec: 125, startMs: 2000, endMs: 4000 },
      { index: 2, ratePerSec: 150, startMs: 4000, endMs: 6000 },
      { index: 3, ratePerSec: 175, startMs: 6000, endMs: 8000 },
    ]);
  });

  it('is undefined for a profile that is not steps: ramps, constant rate, users', () => {
    expect(
      breakingPointSteps(profileOf({ profile: 'ramping_arrival_rate', start_rate: 0, stages: [{ duration: '10s', rate: 50 }] })),
    ).toBeUndefined();
    expect(breakingPointSteps(profileOf({ profile: 'constant', users: 2, duration: '5s' }))).toBeUndefined();
    // A constant arrival rate is not ramping-arrival-rate either.
    expect(breakingPointSteps(profileOf({ profile: 'arrival_rate', rate: 5, duration: '5s' }))).toBeUndefined();
  });
});

describe('kneeOf (Kneedle)', () => {
  it('finds the last point before a flat curve climbs', () => {
    const points = [100, 125, 150, 175, 200, 225].map((x, i) => ({ x, y: [5, 5.2, 5.1, 5.4, 6, 120][i] ?? 0 }));
    expect(kneeOf(points)).toBe(200);
  });

  it('finds the bend of y = x² at x = 0.5 (the point farthest below the chord)', () => {
    const points = Array.from({ length: 11 }, (_, i) => ({ x: i / 10, y: (i / 10) ** 2 }));
    expect(kneeOf(points)).toBe(0.5);
  });

  it('finds none on a straight line, a flat curve, a concave one, or fewer than 3 points', () => {
    expect(kneeOf([1, 2, 3, 4, 5].map((x) => ({ x, y: 2 * x + 1 })))).toBeUndefined();
    expect(kneeOf([1, 2, 3, 4].map((x) => ({ x, y: 7 })))).toBeUndefined();
    expect(kneeOf([1, 2, 3, 4, 5].map((x) => ({ x, y: Math.sqrt(x) })))).toBeUndefined();
    expect(
      kneeOf([
        { x: 1, y: 1 },
        { x: 2, y: 100 },
      ]),
    ).toBeUndefined();
  });

  it('takes the distance below the chord as the bar: 0.1 of the normalised range by default', () => {
    // y = x^1.3 bends a little: farthest ≈ 0.08 below the chord.
    const slight = Array.from({ length: 11 }, (_, i) => ({ x: i, y: i ** 1.3 }));
    expect(kneeOf(slight)).toBeUndefined();
    expect(kneeOf(slight, 0.05)).toBeDefined();
  });
});

/** A judged step with just what limit and knee read. */
function judged(ratePerSec: number, p95Ms: number, passed: boolean, requests = 100): FindLimitStepDocument {
  return {
    step: 1,
    ratePerSec,
    startMs: 0,
    endMs: 1000,
    windowStartMs: 0,
    windowEndMs: 1000,
    offeredPerSec: ratePerSec,
    throughputPerSec: ratePerSec,
    requests,
    failures: 0,
    errorRate: 0,
    droppedArrivals: 0,
    p50Ms: p95Ms,
    p95Ms,
    p99Ms: p95Ms,
    passed,
    thresholds: [],
  };
}

describe('limitOf and kneeOfSteps', () => {
  it('limit: the rate of the last step passed before the first failed', () => {
    expect(limitOf([judged(50, 5, true), judged(100, 6, true), judged(150, 90, false)])).toBe(100);
    expect(limitOf([judged(50, 500, false)])).toBeUndefined();
    expect(limitOf([judged(50, 5, true), judged(100, 6, true)])).toBe(100);
    expect(limitOf([])).toBeUndefined();
  });

  it('knee: Kneedle on p95 against the rate, over the steps where requests ended', () => {
    const steps = [
      judged(50, 5, true),
      judged(100, 5.5, true),
      judged(150, 6, true),
      judged(200, 9, true),
      judged(250, 150, false),
      judged(300, 0, false, 0),
    ];
    expect(kneeOfSteps(steps)).toBe(200);
  });
});

/** A series second by second: `perSecond[s]` requests ending evenly in second s, each of `latencyMs[s]`, the last `failures[s]` failed. */
function seriesOf(perSecond: readonly number[], latencyMs: readonly number[], failures: readonly number[] = []): TimeSeries {
  const series = new TimeSeries();
  perSecond.forEach((count, second) => {
    for (let i = 0; i < count; i++) {
      const atMs = second * 1000 + (i * 1000) / count;
      series.recordArrival(atMs);
      series.record(atMs, (latencyMs[second] ?? 0) * 1000 + i, i >= count - (failures[second] ?? 0) ? STATUS_FAILURE_KIND : -1);
    }
  });
  return series;
}

const step = (index: number, ratePerSec: number, stepMs = 1000): LimitStep => ({
  index,
  ratePerSec,
  startMs: index * stepMs,
  endMs: (index + 1) * stepMs,
});

describe('judgeStep', () => {
  const sla = planThresholds({ p95_latency_ms: 50, max_error_rate: 0.05 });

  it('judges a step on its own window: offered and achieved rates, percentiles, errors', () => {
    const series = seriesOf([100, 200], [5, 30], [0, 4]);
    series.recordDropped(1500);
    const judgedStep = judgeStep(step(1, 200), series.window(1000, 2000), sla);
    expect(judgedStep).toMatchObject({
      step: 2,
      ratePerSec: 200,
      windowStartMs: 1000,
      windowEndMs: 2000,
      offeredPerSec: 201,
      throughputPerSec: 200,
      requests: 200,
      failures: 4,
      errorRate: 0.02,
      droppedArrivals: 1,
      passed: true,
    });
    expect(judgedStep.p50Ms).toBeCloseTo(30.1, 0);
    expect(judgedStep.p95Ms).toBeGreaterThanOrEqual(30);
    expect(judgedStep.p95Ms).toBeLessThan(30.6);
    expect(judgedStep.thresholds.map((threshold) => [threshold.key, threshold.passed])).toEqual([
      ['p95_latency_ms', true],
      ['max_error_rate', true],
    ]);
    expect(judgedStep.reason).toBeUndefined();
  });

  it('fails a step on a threshold of its own data, not on the run so far', () => {
    const series = seriesOf([100, 100, 100], [5, 5, 80]);
    expect(judgeStep(step(1, 100), series.window(1000, 2000), sla).passed).toBe(true);
    const failed = judgeStep(step(2, 150), series.window(2000, 3000), sla);
    expect(failed.passed).toBe(false);
    expect(failed.reason).toMatch(/^p95 latency 80(\.\d)? ms > 50 ms$/);
  });

  it('fails a step with more than 10% errors whatever the SLA (fast 503s are no capacity)', () => {
    const latencyOnly = planThresholds({ p95_latency_ms: 50 });
    const series = seriesOf([100], [2], [11]);
    const failed = judgeStep(step(0, 100), series.window(0, 1000), latencyOnly);
    expect(failed).toMatchObject({ passed: false, reason: 'error rate 11% > 10%', errorRate: 0.11 });
    expect(judgeStep(step(0, 100), seriesOf([100], [2], [10]).window(0, 1000), latencyOnly).passed).toBe(true);
  });

  it('fails a step where no request ended', () => {
    expect(judgeStep(step(0, 10), new TimeSeries().window(0, 1000), sla)).toMatchObject({
      passed: false,
      reason: 'no request ended in the step',
      requests: 0,
      p95Ms: 0,
    });
  });
});

describe('judgeStep: a step passes only when its arrivals were delivered', () => {
  const latencyOnly = planThresholds({ p95_latency_ms: 50 });
  /** `arrivals` due evenly in second 0, the first `started` of them sent, `ended` requests ending in it at 5 ms. */
  function windowOf(arrivals: number, started: number, ended: number) {
    const series = new TimeSeries();
    for (let i = 0; i < arrivals; i++) {
      const atMs = (i * 1000) / arrivals;
      if (i < started) series.recordArrival(atMs);
      else series.recordDropped(atMs);
      if (i < ended) series.record(atMs, 5000, -1);
    }
    return series.window(0, 1000);
  }

  it('fails a fast step that served 41 of 100 arrivals a second, whatever the SLA says', () => {
    const judgedStep = judgeStep(step(0, 100), windowOf(100, 100, 41), latencyOnly);
    expect(judgedStep).toMatchObject({
      passed: false,
      reason: 'delivered 41/s of 100/s offered',
      offeredPerSec: 100,
      throughputPerSec: 41,
    });
    expect(judgedStep.thresholds.every((threshold) => threshold.passed)).toBe(true);
  });

  it('fails a step that dropped more than 1% of its arrivals (max_users reached)', () => {
    expect(judgeStep(step(0, 100), windowOf(100, 88, 88), latencyOnly)).toMatchObject({
      passed: false,
      reason: 'delivered 88/s of 100/s offered, dropped 12% of arrivals',
      droppedArrivals: 12,
    });
    expect(judgeStep(step(0, 100), windowOf(100, 98, 98), latencyOnly)).toMatchObject({ passed: false, reason: 'dropped 2% of arrivals' });
    expect(judgeStep(step(0, 100), windowOf(100, 99, 99), latencyOnly).passed).toBe(true);
    expect(judgeStep(step(0, 100), windowOf(100, 100, 95), latencyOnly).passed).toBe(true);
  });

  it('allows one arrival of slack at the edge of a window: at 10/s, 9 served pass, 8 fail', () => {
    expect(judgeStep(step(0, 10), windowOf(10, 10, 9), latencyOnly).passed).toBe(true);
    expect(judgeStep(step(0, 10), windowOf(10, 10, 8), latencyOnly)).toMatchObject({
      passed: false,
      reason: 'delivered 8/s of 10/s offered',
    });
  });

  it('takes its bars as given, and counts requests per arrival for flows of several requests', () => {
    const lenient = { maxDroppedRate: 0.2, minDeliveredRatio: 0.8 };
    expect(judgeStep(step(0, 100), windowOf(100, 88, 88), latencyOnly, { rule: lenient }).passed).toBe(true);
    expect(judgeStep(step(0, 100), windowOf(100, 100, 78), latencyOnly, { rule: lenient }).reason).toBe('delivered 78/s of 100/s offered');
    // 2 requests an iteration: 100 requests ended are 50 arrivals served of 100.
    expect(judgeStep(step(0, 100), windowOf(100, 100, 100), latencyOnly, { requestsPerArrival: 2 }).reason).toBe(
      'delivered 50/s of 100/s offered',
    );
  });

  it('expects the requests a latency moves out of the window to be missing: r·W − (r − r0)·L', () => {
    // 100/s at 200 ms from a standing start: 80 of the window's arrivals end in it, 20 in the next second.
    const series = new TimeSeries();
    for (let i = 0; i < 100; i++) {
      series.recordArrival(i * 10);
      if (i < 80) series.record(i * 10 + 200, 200_000, -1);
    }
    expect(judgeStep(step(0, 100), series.window(0, 1000), latencyOnly).passed).toBe(false);
    expect(judgeStep(step(0, 100), series.window(0, 1000), planThresholds({ p95_latency_ms: 500 })).passed).toBe(true);
    // After a second at 80/s, at 5 ms: 99.9 expected; 90 is below 95% of that.
    expect(undeliveredReason(windowOf(100, 100, 90), { previousOfferedPerSec: 80 })).toBe('delivered 90/s of 100/s offered');
  });

  it('stops the search with stopReason delivery, and reads the bars from the watch options', () => {
    const recorder = new Recorder(['r']);
    recorder.start(0);
    // 50 arrivals in second 0, all served; 100 in second 1, 60 served, 40 dropped.
    for (let i = 0; i < 150; i++) {
      const atMs = i < 50 ? i * 20 : 1000 + (i - 50) * 10;
      if (i >= 50 + 60) {
        recorder.recordDropped(atMs);
        continue;
      }
      recorder.recordArrival(atMs);
      recorder.recordResponse(0, 200, true, 5000, 5000, 10, 10, atMs);
      recorder.recordIteration();
    }
    const steps = [step(0, 50), step(1, 100)];
    const watch = new FindLimitWatch(steps, { thresholds: latencyOnly });
    watch.finish(2000, recorder);
    expect(watch.document(false)).toMatchObject({
      limitRatePerSec: 50,
      stopReason: 'delivery',
      delivery: { maxDroppedRate: 0.01, minDeliveredRatio: 0.95 },
    });
    expect(watch.judged[1]?.reason).toBe('delivered 60/s of 100/s offered, dropped 40% of arrivals');
    const lenient = new FindLimitWatch(steps, { thresholds: latencyOnly, delivery: { maxDroppedRate: 0.5, minDeliveredRatio: 0.5 } });
    lenient.finish(2000, recorder);
    expect(lenient.document(false)).toMatchObject({ limitRatePerSec: 100, stopReason: 'max-rate' });
  });
});

describe('windowSubject', () => {
  it('reads counts, latencies (ms), throughput over the window and the open-model arrivals', () => {
    const series = seriesOf([0, 50, 50], [0, 10, 20]);
    series.recordDropped(1500);
    const subject = windowSubject(series.window(1000, 3000));
    expect(subject).toMatchObject({ count: 100, failures: 0, requestsPerSec: 50, arrivals: 101, dropped: 1 });
    expect(subject.percentileLatencyMs(50)).toBeCloseTo(10, 0);
    expect(subject.maxLatencyMs).toBeCloseTo(20, 0);
    expect(subject.meanLatencyMs).toBeGreaterThan(14);
    expect(subject.meanLatencyMs).toBeLessThan(16);
  });
});

describe('defaultStepThresholds', () => {
  it('error rate ≤ 1% and p95 ≤ 5 × the first step’s p95, never below 1 ms', () => {
    expect(defaultStepThresholds(6.2).map((threshold) => [threshold.key, threshold.limit])).toEqual([
      ['max_error_rate', 0.01],
      ['p95_latency_ms', 31],
    ]);
    expect(defaultStepThresholds(0.08)[1]?.limit).toBe(1);
  });
});

/** A recorder with `seconds[s]` = [requests, latency ms, failures] ending evenly in second s. */
function recorderOf(seconds: readonly (readonly [number, number, number?])[]): Recorder {
  const recorder = new Recorder(['r']);
  recorder.start(0);
  seconds.forEach(([count, latencyMs, failures = 0], second) => {
    for (let i = 0; i < count; i++) {
      const atMs = second * 1000 + (i * 1000) / count;
      recorder.recordArrival(atMs);
      const success = i < count - failures;
      recorder.recordResponse(0, success ? 200 : 503, success, latencyMs * 1000, latencyMs * 1000, 10, 10, atMs);
    }
  });
  return recorder;
}

describe('FindLimitWatch', () => {
  const steps = [100, 150, 200, 250, 300].map((rate, index) => step(index, rate));

  it('judges a step once it ended settleMs ago, each once, and stops at the first that fails', () => {
    const watch = new FindLimitWatch(steps, { thresholds: planThresholds({ p95_latency_ms: 50 }), settleMs: 200 });
    const recorder = recorderOf([
      [100, 5],
      [150, 6],
      [200, 9],
      [250, 140],
      [300, 400],
    ]);
    expect(watch.check(1100, recorder)).toEqual([]);
    expect(watch.check(1200, recorder).map((judgedStep) => judgedStep.ratePerSec)).toEqual([100]);
    expect(watch.check(1300, recorder)).toEqual([]);
    expect(watch.check(4500, recorder).map((judgedStep) => [judgedStep.ratePerSec, judgedStep.passed])).toEqual([
      [150, true],
      [200, true],
      [250, false],
    ]);
    expect(watch.failed).toBe(true);
    // Nothing after the first failure, even once the next step is over.
    expect(watch.check(9000, recorder)).toEqual([]);
    expect(watch.finish(5000, recorder)).toEqual([]);
    const document = watch.document(false);
    expect(document).toMatchObject({
      limitRatePerSec: 200,
      kneeRatePerSec: 200,
      criteria: 'sla',
      stopReason: 'sla',
      stepDurationMs: 1000,
      plannedSteps: 5,
    });
    expect(document.steps.map((judgedStep) => judgedStep.step)).toEqual([1, 2, 3, 4]);
  });

  it('judges only run-wide thresholds (a window has no per-request figures) and says so when stopped by errors', () => {
    const thresholds = planThresholds({ p99_latency_ms: 1000, requests: { r: { max_latency_ms: 1 } } });
    const watch = new FindLimitWatch(steps, { thresholds });
    watch.check(
      10_000,
      recorderOf([
        [100, 5],
        [150, 5, 30],
      ]),
    );
    const document = watch.document(false);
    expect(document.steps.map((judgedStep) => judgedStep.thresholds.map((threshold) => threshold.key))).toEqual([
      ['p99_latency_ms'],
      ['p99_latency_ms'],
    ]);
    expect(document).toMatchObject({ limitRatePerSec: 100, stopReason: 'errors' });
    expect(document.steps[1]?.reason).toBe('error rate 20% > 10%');
  });

  it('leaves the timing-phase thresholds out of a step’s verdict: its window has no phases', () => {
    expect(new FindLimitWatch(steps, { thresholds: planThresholds({ ttfb_p95_ms: 1 }) }).criteria).toBe('default');
    const watch = new FindLimitWatch(steps, { thresholds: planThresholds({ ttfb_p95_ms: 1, p95_latency_ms: 50 }) });
    expect(watch.criteria).toBe('sla');
    expect(windowSubject(seriesOf([0, 50], [0, 10]).window(1000, 2000)).timingMs('ttfb', 95)).toBeUndefined();
  });

  it('without an sla, judges by the default: error rate ≤ 1% and p95 ≤ 5 × the first step’s', () => {
    const watch = new FindLimitWatch(steps, { thresholds: [] });
    expect(watch.criteria).toBe('default');
    watch.check(
      10_000,
      recorderOf([
        [100, 4],
        [150, 12],
        [200, 19],
        [250, 21],
      ]),
    );
    const document = watch.document(false);
    expect(document.steps.map((judgedStep) => judgedStep.passed)).toEqual([true, true, true, false]);
    // 5 × the first step's p95 (4 ms, as the 2-digit histogram reads it: 4.015 ms).
    expect(document.steps[3]?.thresholds[1]).toMatchObject({ key: 'p95_latency_ms', passed: false });
    expect(document.steps[3]?.thresholds[1]?.limit).toBeCloseTo(20, 0);
    expect(document).toMatchObject({ limitRatePerSec: 200, criteria: 'default' });
  });

  it('has no limit when the first step fails', () => {
    const watch = new FindLimitWatch(steps, { thresholds: planThresholds({ p95_latency_ms: 5 }) });
    watch.check(
      10_000,
      recorderOf([
        [100, 50],
        [150, 1],
      ]),
    );
    expect(watch.document(false)).toMatchObject({ limitRatePerSec: null, kneeRatePerSec: null, stopReason: 'sla' });
    expect(watch.judged).toHaveLength(1);
  });

  it('after a run to its end, judges the last steps on the final figures: every step passed, max-rate', () => {
    const watch = new FindLimitWatch(steps, { thresholds: planThresholds({ p95_latency_ms: 500 }) });
    const recorder = recorderOf([
      [100, 5],
      [150, 5],
      [200, 5],
      [250, 6],
      [300, 7],
    ]);
    watch.check(3100, recorder);
    expect(watch.judged).toHaveLength(2);
    watch.finish(5000, recorder);
    expect(watch.document(false)).toMatchObject({ limitRatePerSec: 300, stopReason: 'max-rate' });
  });

  it('stops where a signal stopped it: interrupted, the limit as far as it got; ended-early otherwise', () => {
    const watch = new FindLimitWatch(steps, { thresholds: planThresholds({ p95_latency_ms: 500 }) });
    watch.check(
      2500,
      recorderOf([
        [100, 5],
        [150, 5],
        [10, 5],
      ]),
    );
    expect(watch.document(true)).toMatchObject({ limitRatePerSec: 150, stopReason: 'interrupted' });
    expect(watch.document(false).stopReason).toBe('ended-early');
  });
});

describe('limitSteps: the users model', () => {
  it('gives one step per hold of the stepped users --users plans (jumps of 0 s, holds), in users', () => {
    const stages = [2, 6, 10].flatMap((users) => [
      { duration: 0, users },
      { duration: '2s', users },
    ]);
    expect(limitSteps(profileOf({ profile: 'stages', start_users: 2, stages }))).toEqual([
      { index: 0, users: 2, startMs: 0, endMs: 2000 },
      { index: 1, users: 6, startMs: 2000, endMs: 4000 },
      { index: 2, users: 10, startMs: 4000, endMs: 6000 },
    ]);
    // A ramp of users is no steps; a breaking_point is the rate's.
    expect(limitSteps(profileOf({ profile: 'ramp', end_users: 10, ramp_duration: '10s' }))).toBeUndefined();
    expect(limitSteps(profileOf({ profile: 'breaking_point', start_rate: 10, step_rate: 10, max_rate: 20, step_duration: 1 }))).toEqual([
      { index: 0, ratePerSec: 10, startMs: 0, endMs: 1000 },
      { index: 1, ratePerSec: 20, startMs: 1000, endMs: 2000 },
    ]);
  });

  it('judges a users step in users: limit, knee, throughput at the limit, no rate', () => {
    const watchSteps: LimitStep[] = [
      { index: 0, users: 2, startMs: 0, endMs: 1000 },
      { index: 1, users: 4, startMs: 1000, endMs: 2000 },
      { index: 2, users: 6, startMs: 2000, endMs: 3000 },
    ];
    const watch = new FindLimitWatch(watchSteps, { thresholds: planThresholds({ p95_latency_ms: 50 }) });
    watch.finish(
      3000,
      recorderOf([
        [20, 10],
        [40, 10],
        [40, 90],
      ]),
    );
    const document = watch.document(false);
    expect(document).toMatchObject({
      model: 'users',
      limitUsers: 4,
      limitRatePerSec: null,
      kneeRatePerSec: null,
      limitThroughputPerSec: 40,
      bracket: { passedLevel: 4, failedLevel: 6, precision: 2 },
    });
    expect(document.steps.map((step) => [step.users, step.ratePerSec, step.passed])).toEqual([
      [2, undefined, true],
      [4, undefined, true],
      [6, undefined, false],
    ]);
    expect(documentLimit(document)).toBe(4);
  });
});

describe('refinements: bisection of the bracket', () => {
  const search = {
    limitRatePerSec: 150,
    kneeRatePerSec: null,
    criteria: 'sla',
    delivery: { maxDroppedRate: 0.01, minDeliveredRatio: 0.95 },
    stopReason: 'sla',
    stepDurationMs: 1000,
    plannedSteps: 5,
    steps: [judged(100, 5, true), judged(150, 6, true), judged(200, 90, false)],
    bracket: { passedLevel: 150, failedLevel: 200, precision: 50 },
  } as const;

  it('halves the bracket: the midpoint of rates, whole users between two, none when users are one apart', () => {
    expect(bisectionLevel({ passedLevel: 150, failedLevel: 200, precision: 50 }, 'rate')).toBe(175);
    expect(bisectionLevel({ passedLevel: 150, failedLevel: 162.5, precision: 12.5 }, 'rate')).toBe(156.25);
    expect(bisectionLevel({ passedLevel: 4, failedLevel: 7, precision: 3 }, 'users')).toBe(5);
    expect(bisectionLevel({ passedLevel: 4, failedLevel: 5, precision: 1 }, 'users')).toBeUndefined();
  });

  it('folds refinements in: the limit the highest load passed, the bracket the lowest failed above it, the limit step its figures', () => {
    const refined = withRefinements(
      search,
      [
        { ...judged(175, 7, true), step: 4 },
        { ...judged(187.5, 80, false), step: 5 },
      ],
      2,
    );
    expect(refined).toMatchObject({
      limitRatePerSec: 175,
      limitThroughputPerSec: 175,
      bracket: { passedLevel: 175, failedLevel: 187.5, precision: 12.5 },
      refinementsRequested: 2,
    });
    expect(limitStepDocument(refined)?.step).toBe(4);
    const lower = withRefinements(search, [{ ...judged(175, 80, false), step: 4 }], 2);
    expect(lower).toMatchObject({ limitRatePerSec: 150, bracket: { passedLevel: 150, failedLevel: 175, precision: 25 } });
    expect(bracketOf(undefined, search.steps)).toBeUndefined();
    expect(bracketOf(200, search.steps)).toBeUndefined();
  });
});

describe('compareCapacity: the gate against a baseline', () => {
  const baseline = { file: 'base.json', model: 'rate', limit: 200 } as const;

  it('passes a limit within the drop tolerated (the edge included) and a higher one; fails a larger drop and no limit', () => {
    expect(compareCapacity(200, baseline, 0.1)).toEqual({
      file: 'base.json',
      model: 'rate',
      baselineLimit: 200,
      limit: 200,
      change: 0,
      maxDrop: 0.1,
      passed: true,
    });
    expect(compareCapacity(180, baseline, 0.1)).toMatchObject({ change: -0.1, passed: true });
    expect(compareCapacity(179, baseline, 0.1)).toMatchObject({ change: -0.105, passed: false });
    expect(compareCapacity(250, baseline, 0.1)).toMatchObject({ change: 0.25, passed: true });
    expect(compareCapacity(140, baseline, 0.1)).toMatchObject({ change: -0.3, passed: false });
    expect(compareCapacity(null, baseline, 0.1)).toMatchObject({ limit: null, change: -1, passed: false });
  });
});
