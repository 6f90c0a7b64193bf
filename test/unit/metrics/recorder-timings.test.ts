import { describe, expect, it } from 'vitest';
import { packHistograms, unpackHistograms } from '../../../src/metrics/latency-histogram.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import {
  clearRequestTimings,
  createRequestTimings,
  finishRequestTimings,
  FIRST_BYTE_AT,
  NOT_MEASURED,
  TIMING_PHASES,
  TimingIndex,
  WRITTEN_AT,
} from '../../../src/metrics/request-timings.js';
import type { RequestTimings } from '../../../src/metrics/request-timings.js';

/** One request's phases (µs); omitted ones not measured. */
function timingsOf(phases: Partial<Record<(typeof TIMING_PHASES)[number], number>>): RequestTimings {
  const timings = createRequestTimings();
  for (const [phase, us] of Object.entries(phases)) timings[TimingIndex[phase as keyof typeof TimingIndex]] = us;
  return timings;
}

/** `n` requests of request index `index`: the first of every `perConnection` on a new connection. */
function feed(recorder: Recorder, index: number, n: number, perConnection: number, scale = 1): void {
  for (let i = 0; i < n; i++) {
    const fresh = i % perConnection === 0;
    recorder.recordResponse(index, 200, true, 60_000, 55_000, 10, 10, 0);
    recorder.recordTimings(
      index,
      timingsOf({
        ...(fresh ? { dns: 700 * scale + i, connect: 300 * scale + i, tls: 2_000 * scale + i } : {}),
        ttfb: 50_000 * scale + 13 * i,
        download: 100 * scale + i,
      }),
    );
  }
}

describe('Recorder: timing phases', () => {
  it('records each measured phase per name and in total, skipping the ones not measured', () => {
    const recorder = new Recorder(['home', 'cart', 'home']);
    feed(recorder, 0, 20, 10);
    feed(recorder, 1, 9, 3, 2);
    feed(recorder, 2, 10, 10); // `home` again: the same slot
    const { total, requests } = recorder.snapshot();
    const [home, cart] = requests;
    expect(home?.timings.ttfb.count).toBe(30);
    expect(home?.timings.connect.count).toBe(3);
    expect(home?.timings.tls.count).toBe(3);
    expect(cart?.timings.connect.count).toBe(3);
    expect(cart?.timings.download.count).toBe(9);
    expect(total.timings.connect.count).toBe(6);
    expect(total.timings.ttfb.count).toBe(39);
    expect(home?.timings.ttfb.minUs).toBe(50_000);
    expect(cart?.timings.ttfb.minUs).toBe(100_000);
    expect(total.timings.connect.minUs).toBe(300);
    expect(total.timings.connect.maxUs).toBeGreaterThanOrEqual(606);
    expect(recorder.timingHistogram('connect', 1).totalCount).toBe(3);
    expect(recorder.timingHistogram('ttfb', [0, 1]).totalCount).toBe(39);
    expect(recorder.timingHistogram('ttfb').totalCount).toBe(39);
  });

  it('has every phase at count 0 until a request records one', () => {
    const recorder = new Recorder(['a']);
    recorder.recordResponse(0, 200, true, 1000, 900, 0, 0, 0);
    recorder.recordTimings(0, createRequestTimings());
    for (const phase of TIMING_PHASES) expect(recorder.snapshot().total.timings[phase].count).toBe(0);
    const timings = timingsOf({ ttfb: 5 });
    timings[FIRST_BYTE_AT] = 12.5;
    clearRequestTimings(timings);
    expect([...timings]).toEqual([...TIMING_PHASES.map(() => NOT_MEASURED), 0, 0]);
  });

  it("finishes the waiting and the download from the moments a transport left and the caller's send and end", () => {
    const timings = createRequestTimings();
    finishRequestTimings(timings, 100, 180, true);
    expect(timings[TimingIndex.ttfb]).toBe(NOT_MEASURED); // no byte came: nothing to finish
    timings[FIRST_BYTE_AT] = 150.25;
    finishRequestTimings(timings, 100, 150.75, true);
    expect([timings[TimingIndex.ttfb], timings[TimingIndex.download]]).toEqual([50_250, 500]);
    // Written once the socket connected (at 120), not when sent; a failure after the first byte: no download.
    clearRequestTimings(timings);
    timings[WRITTEN_AT] = 120;
    timings[FIRST_BYTE_AT] = 170;
    finishRequestTimings(timings, 100, 200, false);
    expect([timings[TimingIndex.ttfb], timings[TimingIndex.download]]).toEqual([50_000, NOT_MEASURED]);
  });

  it('encodes and decodes the phases exactly, and merges them by adding counts', () => {
    const a = new Recorder(['home', 'cart']);
    feed(a, 0, 50, 7);
    feed(a, 1, 30, 4, 3);
    const b = new Recorder(['home', 'cart']);
    feed(b, 0, 40, 5, 1.7);
    const decoded = Recorder.decode(a.encode());
    expect(decoded.snapshot().requests.map((stats) => stats.timings)).toEqual(a.snapshot().requests.map((stats) => stats.timings));
    expect(decoded.snapshot().total.timings).toEqual(a.snapshot().total.timings);

    const merged = Recorder.decode(a.encode());
    merged.merge(Recorder.decode(b.encode()));
    const both = new Recorder(['home', 'cart']);
    feed(both, 0, 50, 7);
    feed(both, 1, 30, 4, 3);
    feed(both, 0, 40, 5, 1.7);
    for (const phase of TIMING_PHASES) {
      expect(merged.snapshot().total.timings[phase]).toEqual(both.snapshot().total.timings[phase]);
      expect(merged.timingHistogram(phase, 0).totalCount).toBe(
        a.timingHistogram(phase, 0).totalCount + b.timingHistogram(phase, 0).totalCount,
      );
    }
    expect(merged.snapshot().total.timings.connect.count).toBe(8 + 8 + 8);
  });

  it('decodes an encoding from before the timing phases, with the phases empty', () => {
    const recorder = new Recorder(['home']);
    feed(recorder, 0, 10, 5);
    const encoded = recorder.encode();
    // The histograms as they were: response time, service time, scheduler lag.
    const old = packHistograms(unpackHistograms(encoded.histograms).slice(0, 3));
    const decoded = Recorder.decode({ ...encoded, histograms: old });
    expect(decoded.snapshot().total.responseTime).toEqual(recorder.snapshot().total.responseTime);
    for (const phase of TIMING_PHASES) expect(decoded.snapshot().total.timings[phase].count).toBe(0);
  });
});
