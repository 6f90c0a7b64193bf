import { describe, expect, it } from 'vitest';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { HIGHEST_TRACKABLE_US } from '../../../src/metrics/latency-histogram.js';
import { encodedRecorderBuffers, Recorder } from '../../../src/metrics/recorder.js';
import type { RecorderOptions } from '../../../src/metrics/recorder.js';

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
    expect(requests[0]).toMatchObject({
      name: 'a',
      requests: 3,
      successes: 2,
      failures: 1,
      interrupted: 1,
      statusCounts: { 200: 2, 500: 1 },
    });
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
      check: 0,
      script: 0,
    });
    expect(total).toMatchObject({
      name: 'total',
      requests: 6,
      successes: 3,
      failures: 3,
      interrupted: 1,
      statusCounts: { 200: 2, 404: 1, 500: 1 },
    });
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
    expect(recorder.snapshot().requests.map((r) => [r.name, r.requests])).toEqual([
      ['GET /', 2],
      ['POST /x', 0],
    ]);
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

/** A recorder fed a bit of everything: repeated names, odd latencies, statuses, errors, lag, drops, users. */
function busyRecorder(seed: number, options: RecorderOptions = {}): Recorder {
  const recorder = new Recorder(['a', 'b', 'a'], options);
  recorder.start(500);
  for (let i = 1; i <= 1500; i++) {
    const endedAt = 500 + ((i * 7 + seed) % 3000);
    const latencyUs = (i * 7919 + seed * 104_729) % 2_500_000 || 1;
    if (i % 9 === 0) recorder.recordError(i % 3, ((i + seed) % 8) as ErrorCategoryId, latencyUs, latencyUs - 1, 0, 40, endedAt);
    else recorder.recordResponse(i % 3, [200, 201, 404, 503][(i + seed) % 4]!, i % 4 !== 3, latencyUs, latencyUs >> 1, i, 40, endedAt);
    if (i % 31 === 0) recorder.recordInterrupted(i % 3);
    if (i % 17 === 0) recorder.recordDropped(endedAt);
    recorder.recordSchedulerLag((i * seed) % 977);
    recorder.recordIteration();
    if (i % 100 === 0) recorder.setActiveUsers((i / 100 + seed) % 6, endedAt);
  }
  recorder.recordResponse(0, 200, true, 123_457, 1, 0, 0, 600);
  recorder.finish(3600);
  return recorder;
}

describe('Recorder.encode / Recorder.decode', () => {
  it('decodes into an equal recorder: every figure, exact min and max, the time series', () => {
    const recorder = busyRecorder(3);
    const decoded = Recorder.decode(recorder.encode());
    expect(decoded.snapshot()).toEqual(recorder.snapshot());
    expect(decoded.encode()).toEqual(recorder.encode());
    expect(decoded.originAt).toBe(500);
    // Exact, not rounded to their buckets (hdr-histogram-js's own decoder gives 123_456 and 2_347_007 here).
    const one = new Recorder(['x']);
    one.recordResponse(0, 200, true, 123_457, 99_999, 0, 0, 0);
    one.recordResponse(0, 200, true, 2_345_671, 100_001, 0, 0, 0);
    const { responseTime, serviceTime } = Recorder.decode(one.encode()).snapshot().total;
    expect([responseTime.minUs, responseTime.maxUs, serviceTime.minUs, serviceTime.maxUs]).toEqual([123_457, 2_345_671, 99_999, 100_001]);
  });

  it('merges decoded recorders exactly like the originals, coalesced series included', () => {
    const options = { seriesBucketMs: 100, maxSeriesBuckets: 8 };
    const [first, second] = [busyRecorder(1, options), busyRecorder(2)];
    const expected = new Recorder(['a', 'b', 'a']);
    expected.merge(first);
    expected.merge(second);
    const merged = new Recorder(['a', 'b', 'a']);
    for (const recorder of [first, second]) merged.merge(Recorder.decode(recorder.encode()));
    expect(merged.snapshot()).toEqual(expected.snapshot());
    expect(merged.snapshot().total.requests).toBe(2 * 1501);
    expect(merged.snapshot().seriesBucketMs).toBe(1000);
  });

  it('crosses threads by transfer: typed arrays only, each with its own buffer', () => {
    const recorder = busyRecorder(5);
    const encoded = recorder.encode();
    const buffers = encodedRecorderBuffers(encoded);
    expect(new Set(buffers).size).toBe(4);
    const received = structuredClone(encoded, { transfer: buffers });
    expect(encoded.counters.byteLength).toBe(0); // moved, not copied
    expect(Recorder.decode(received).snapshot()).toEqual(recorder.snapshot());
  });

  it('keeps example failure messages, bounded per name and kind, through merge and encoding', () => {
    const recorder = new Recorder(['a', 'b']);
    recorder.recordError(0, ErrorCategoryId.connection_refused, 300, 300, 0, 0, 0);
    for (let i = 0; i < 3; i++) recorder.noteFailure(0, ErrorCategoryId.connection_refused, 'connect ECONNREFUSED 127.0.0.1:9');
    for (let i = 0; i < 20; i++) recorder.noteFailure(0, ErrorCategoryId.protocol, `bad byte ${i}`);
    recorder.recordRejected(1, 200, 1000, 900, 10, 10, 0);
    recorder.noteFailure(1, ErrorCategoryId.check, 'check body_contains "ok" failed\n<html>');
    const snapshot = recorder.snapshot();
    expect(snapshot.requests[0]?.failureSamples[0]).toEqual({
      kind: 'connection_refused',
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      count: 3,
    });
    // Five distinct messages per kind at most: the rest still count in their category, not as samples.
    expect(snapshot.requests[0]?.failureSamples.filter((sample) => sample.kind === 'protocol')).toHaveLength(5);
    // A check failure: the status counts, the category is `check`, the message is one line.
    expect(snapshot.requests[1]).toMatchObject({ requests: 1, failures: 1, statusCounts: { 200: 1 } });
    expect(snapshot.requests[1]?.errorCounts.check).toBe(1);
    expect(snapshot.requests[1]?.failureSamples).toEqual([{ kind: 'check', message: 'check body_contains "ok" failed <html>', count: 1 }]);
    expect(snapshot.series[0]?.failuresByKind).toEqual({ connection_refused: 1, check: 1 });
    const copy = Recorder.decode(recorder.encode());
    expect(copy.snapshot()).toEqual(snapshot);
    copy.merge(recorder);
    expect(copy.snapshot().total.failureSamples[0]).toEqual({
      kind: 'connection_refused',
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      count: 6,
    });
    expect(copy.snapshot().total.failureSamples).toHaveLength(7);
  });

  it('refuses an encoding of other requests or a damaged one', () => {
    const encoded = new Recorder(['a']).encode();
    expect(() => new Recorder(['b']).merge(Recorder.decode(encoded))).toThrow(/different requests/);
    expect(() => Recorder.decode({ ...encoded, counters: encoded.counters.subarray(1) })).toThrow(/malformed/);
  });
});

describe('Recorder: the cheap reads of a live display', () => {
  it('counters() holds the same counts as snapshot(), per name and in total', () => {
    const recorder = busyRecorder(3);
    const snapshot = recorder.snapshot();
    const pick = ({ requests, failures, interrupted }: { requests: number; failures: number; interrupted: number }) => ({
      requests,
      failures,
      interrupted,
    });
    expect(recorder.counters()).toEqual({
      total: pick(snapshot.total),
      requests: snapshot.requests.map(pick),
      iterations: snapshot.iterations,
      droppedArrivals: snapshot.droppedArrivals,
    });
  });

  it('seriesPoint(i) is snapshot().series[i], also once the intervals have doubled', () => {
    const recorder = busyRecorder(4, { seriesBucketMs: 100, maxSeriesBuckets: 8 });
    const { series, seriesBucketMs } = recorder.snapshot();
    expect(recorder.seriesBucketMs).toBe(seriesBucketMs);
    expect(seriesBucketMs).toBeGreaterThan(100);
    expect(series.map((_, index) => recorder.seriesPoint(index))).toEqual(series);
    expect(recorder.seriesPoint(series.length)).toBeUndefined();
  });
});
