import { describe, expect, it } from 'vitest';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { HIGHEST_TRACKABLE_US } from '../../../src/metrics/latency-histogram.js';
import { Recorder } from '../../../src/metrics/recorder.js';

/** Records `ms` as a 200 response of request 0, ending at `endedAt`. */
function respond(recorder: Recorder, ms: number, endedAt = 0): void {
  recorder.recordResponse(0, 200, true, ms * 1000, ms * 1000 - 100, 50, 20, endedAt);
}

describe('Recorder', () => {
  it('records 1..1000 ms with 0.1% precision', () => {
    const recorder = new Recorder(['home']);
    for (let ms = 1; ms <= 1000; ms++) respond(recorder, ms);
    const { total } = recorder.snapshot();
    expect(total.requests).toBe(1000);
    expect(total.responseTime.count).toBe(1000);
    expect(Math.abs(total.responseTime.p50Us - 500_000) / 500_000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(total.responseTime.p99Us - 990_000) / 990_000).toBeLessThanOrEqual(0.001);
    expect(total.responseTime.minUs).toBe(1000);
    expect(Math.abs(total.responseTime.maxUs - 1_000_000) / 1_000_000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(total.responseTime.meanUs - 500_500) / 500_500).toBeLessThanOrEqual(0.001);
    expect(Math.abs(total.serviceTime.p50Us - 499_900) / 499_900).toBeLessThanOrEqual(0.001);
    expect(total.bytesIn).toBe(50_000);
    expect(total.bytesOut).toBe(20_000);
  });

  it('counts statuses, error categories, successes and failures per name and in total', () => {
    const recorder = new Recorder(['a', 'b']);
    recorder.recordResponse(0, 200, true, 1000, 900, 0, 0, 0);
    recorder.recordResponse(0, 200, true, 1000, 900, 0, 0, 0);
    recorder.recordResponse(0, 500, false, 1000, 900, 0, 0, 0);
    recorder.recordResponse(1, 404, true, 1000, 900, 0, 0, 0);
    recorder.recordError(1, ErrorCategoryId.timeout, 200_000, 200_000, 0, 0, 0);
    recorder.recordError(1, ErrorCategoryId.connection_refused, 300, 300, 0, 0, 0);
    recorder.recordInterrupted(0);
    const { total, requests } = recorder.snapshot();
    expect(requests[0]).toMatchObject({ name: 'a', requests: 3, successes: 2, failures: 1, interrupted: 1, statusCounts: { 200: 2, 500: 1 } });
    expect(requests[1]).toMatchObject({ name: 'b', requests: 3, successes: 1, failures: 2, statusCounts: { 404: 1 } });
    expect(requests[1]?.errorCounts).toEqual({
      connection_refused: 1,
      connection_reset: 0,
      timeout: 1,
      dns: 0,
      tls: 0,
      protocol: 0,
      aborted: 0,
      other: 0,
    });
    expect(total).toMatchObject({ name: 'total', requests: 6, successes: 3, failures: 3, interrupted: 1, statusCounts: { 200: 2, 404: 1, 500: 1 } });
    expect(total.errorCounts.timeout).toBe(1);
    // Errors are timed too: the timeout's 200 ms is in the response-time distribution.
    expect(total.responseTime.count).toBe(6);
    expect(Math.abs(total.responseTime.maxUs - 200_000)).toBeLessThanOrEqual(200);
  });

  it('shares a slot between requests with the same name', () => {
    const recorder = new Recorder(['GET /', 'POST /x', 'GET /']);
    expect(recorder.metricNames).toEqual(['GET /', 'POST /x']);
    recorder.recordResponse(2, 200, true, 1000, 1000, 0, 0, 0);
    recorder.recordResponse(0, 200, true, 1000, 1000, 0, 0, 0);
    expect(recorder.snapshot().requests.map((r) => [r.name, r.requests])).toEqual([['GET /', 2], ['POST /x', 0]]);
  });

  it('merges losslessly: two recorders merged equal one fed everything', () => {
    const odd = new Recorder(['a', 'b']);
    const even = new Recorder(['a', 'b']);
    const all = new Recorder(['a', 'b']);
    for (const recorder of [odd, even, all]) recorder.start(1000);
    for (let i = 1; i <= 2000; i++) {
      const target = i % 2 === 0 ? even : odd;
      const requestIndex = i % 3 === 0 ? 1 : 0;
      const endedAt = 1000 + i * 1.7;
      for (const recorder of [target, all]) {
        if (i % 7 === 0) recorder.recordError(requestIndex, ErrorCategoryId.connection_reset, i * 37, i * 30, 0, 10, endedAt);
        else recorder.recordResponse(requestIndex, i % 11 === 0 ? 503 : 200, i % 11 !== 0, i * 37, i * 30, i, 10, endedAt);
        if (i % 13 === 0) recorder.recordDropped(endedAt);
        recorder.recordSchedulerLag(i % 50);
        recorder.recordIteration();
      }
    }
    odd.setActiveUsers(3, 1000);
    even.setActiveUsers(4, 1000);
    all.setActiveUsers(7, 1000);
    const merged = new Recorder(['a', 'b']);
    merged.merge(odd);
    merged.merge(even);
    expect(merged.snapshot()).toEqual(all.snapshot());
    expect(merged.snapshot().total.requests).toBe(2000);
    // The sources are unchanged.
    expect(odd.snapshot().total.requests).toBe(1000);
  });

  it('refuses to merge recorders of different requests', () => {
    expect(() => new Recorder(['a']).merge(new Recorder(['b']))).toThrow(/different requests/);
  });

  it('clamps values outside the histogram instead of throwing', () => {
    const recorder = new Recorder(['a']);
    recorder.recordResponse(0, 200, true, 10 * HIGHEST_TRACKABLE_US, -5, 0, 0, 0);
    const { total } = recorder.snapshot();
    expect(total.responseTime.count).toBe(1);
    expect(Math.abs(total.responseTime.maxUs - HIGHEST_TRACKABLE_US) / HIGHEST_TRACKABLE_US).toBeLessThan(0.001);
    expect(total.serviceTime.maxUs).toBe(0);
  });

  it('keeps run-wide counts: iterations, dropped arrivals, scheduler lag', () => {
    const recorder = new Recorder(['a']);
    recorder.recordIteration();
    recorder.recordIteration();
    recorder.recordDropped(0);
    for (let lagUs = 1; lagUs <= 100; lagUs++) recorder.recordSchedulerLag(lagUs);
    const snapshot = recorder.snapshot();
    expect(snapshot.iterations).toBe(2);
    expect(snapshot.droppedArrivals).toBe(1);
    expect(snapshot.schedulerLag).toMatchObject({ count: 100, p50Us: 50, maxUs: 100 });
  });

  it('gives an immutable snapshot, unaffected by later records', () => {
    const recorder = new Recorder(['a']);
    respond(recorder, 5);
    const snapshot = recorder.snapshot();
    respond(recorder, 5);
    expect(snapshot.total.requests).toBe(1);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.total)).toBe(true);
    expect(Object.isFrozen(snapshot.total.statusCounts)).toBe(true);
    expect(Object.isFrozen(snapshot.requests)).toBe(true);
    expect(Object.isFrozen(snapshot.series[0])).toBe(true);
  });

  it('hands out copies of its histograms (per name and combined)', () => {
    const recorder = new Recorder(['a', 'b']);
    recorder.recordResponse(0, 200, true, 1000, 1000, 0, 0, 0);
    recorder.recordResponse(1, 200, true, 3000, 3000, 0, 0, 0);
    const combined = recorder.responseTimeHistogram();
    expect(combined.totalCount).toBe(2);
    expect(recorder.responseTimeHistogram(1).totalCount).toBe(1);
    combined.recordValue(5);
    expect(recorder.responseTimeHistogram().totalCount).toBe(2);
  });

  it('does not allocate per record once warm (hot path)', () => {
    const recorder = new Recorder(['a']);
    recorder.start(0);
    const run = (count: number): void => {
      for (let i = 0; i < count; i++) recorder.recordResponse(0, 200, true, 1000 + (i % 5000), 900, 10, 10, 10 + (i % 900));
    };
    run(300_000); // let the JIT settle: its own allocations are not the recorder's
    const before = process.memoryUsage().heapUsed;
    run(1_000_000);
    const grownBytes = process.memoryUsage().heapUsed - before;
    // Measured ≈0 bytes per record; even 2 bytes per record would be 2 MB.
    expect(grownBytes).toBeLessThan(1_000_000);
    expect(recorder.snapshot().total.requests).toBe(1_300_000);
  });
});
