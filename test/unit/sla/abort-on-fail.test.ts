import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { planAbortOnFail, planThresholds } from '../../../src/plan/thresholds.js';
import { AbortOnFail, canBeLostEarly } from '../../../src/sla/abort-on-fail.js';

/** `count` responses of `ms` each for request `index`. */
function respond(recorder: Recorder, index: number, count: number, ms: number, success = true): void {
  for (let i = 0; i < count; i++) recorder.recordResponse(index, success ? 200 : 500, success, ms * 1000, ms * 1000, 0, 0, 0);
}

describe('planAbortOnFail', () => {
  it('is off when absent or false; true takes a 10 s delay and a 1 s interval; durations as written', () => {
    expect(planAbortOnFail(undefined)).toBeUndefined();
    expect(planAbortOnFail({ abort_on_fail: false })).toBeUndefined();
    expect(planAbortOnFail({ abort_on_fail: true })).toEqual({ delayMs: 10_000, intervalMs: 1_000 });
    expect(planAbortOnFail({ abort_on_fail: { delay: '500ms' } })).toEqual({ delayMs: 500, intervalMs: 1_000 });
    expect(planAbortOnFail({ abort_on_fail: { delay: 0, interval: '2s' } })).toEqual({ delayMs: 0, intervalMs: 2_000 });
  });
});

describe('AbortOnFail', () => {
  const thresholds = planThresholds({
    p95_latency_ms: 50,
    max_error_rate: 0.1,
    min_rps: 1_000_000,
    requests: { b: { max_latency_ms: 20 } },
  });

  it('never aborts on min_rps (throughput means something over the whole run only)', () => {
    expect(thresholds.map((threshold) => canBeLostEarly(threshold.metric))).toEqual([true, true, false, true]);
    expect(new AbortOnFail(planThresholds({ min_rps: 10 }), { delayMs: 0, intervalMs: 1000 }).watching).toBe(false);
    const recorder = new Recorder(['a', 'b']);
    respond(recorder, 0, 10, 1);
    expect(new AbortOnFail(thresholds, { delayMs: 0, intervalMs: 1000 }).check(5_000, recorder)).toBeUndefined();
  });

  it('waits for the delay, then evaluates once per interval; returns the first threshold lost', () => {
    const recorder = new Recorder(['a', 'b']);
    const watch = new AbortOnFail(thresholds, { delayMs: 1_000, intervalMs: 1_000 }, 50);
    respond(recorder, 0, 100, 80);
    expect(watch.check(900, recorder)).toBeUndefined(); // before the delay
    const lost = watch.check(960, recorder); // within the slack: due
    expect(lost?.threshold.key).toBe('p95_latency_ms');
    expect(lost?.description).toMatch(/^p95 latency 80(\.\d)? ms > 50 ms$/);
    expect(watch.check(1_500, recorder)).toBeUndefined(); // not due again yet
    expect(watch.check(1_960, recorder)?.threshold.key).toBe('p95_latency_ms');
  });

  it('does not abort on a threshold without data yet (a request not reached), nor on one still met', () => {
    const recorder = new Recorder(['a', 'b']);
    const watch = new AbortOnFail(thresholds, { delayMs: 0, intervalMs: 100 });
    respond(recorder, 0, 100, 10);
    expect(watch.check(100, recorder)).toBeUndefined(); // b has no data; a is fast
    respond(recorder, 1, 1, 25);
    expect(watch.check(200, recorder)?.description).toMatch(/^max latency 25 ms > 20 ms \(b\)$/);
  });

  it('aborts on the error rate', () => {
    const recorder = new Recorder(['a', 'b']);
    respond(recorder, 0, 80, 1);
    respond(recorder, 0, 20, 1, false);
    expect(new AbortOnFail(thresholds, { delayMs: 0, intervalMs: 100 }).check(0, recorder)?.description).toBe('error rate 20% > 10%');
  });
});
