import { describe, expect, it } from 'vitest';
import { LiveSeries } from '../../../src/dashboard/live-series.js';
import { newRecorder, record } from '../results/results-helpers.js';

describe('the live series', () => {
  it('keeps the settled intervals between reads: the same series as one read at the end', () => {
    const recorder = record(newRecorder(), { count: 4000, errorEvery: 7, durationMs: 10_000 });
    const series = new LiveSeries();
    for (const elapsedMs of [1_200, 3_000, 5_500, 8_000]) series.read(recorder, 'measured', elapsedMs);
    const kept = series.read(recorder, 'measured', 10_000);
    const fresh = new LiveSeries().read(recorder, 'measured', 10_000);
    expect(kept).toEqual(fresh);
    expect(kept.completeCount).toBe(10);
    expect(kept.all.reduce((sum, point) => sum + point.requests, 0)).toBe(4000);
  });

  it('reads again the last intervals, which requests may still end in; starts over on a new phase', () => {
    const recorder = newRecorder();
    const origin = recorder.originAt;
    const series = new LiveSeries();
    recorder.recordResponse(0, 200, true, 1_000, 900, 100, 80, origin + 500);
    expect(series.read(recorder, 'measured', 5_000).all.map((point) => point.requests)).toEqual([1, 0, 0, 0, 0]);
    // A request that ends in the fourth interval, reported late (a worker thread's figures lag a tick).
    recorder.recordResponse(0, 200, true, 2_000, 1_900, 100, 80, origin + 3_500);
    expect(series.read(recorder, 'measured', 6_000).all.map((point) => point.requests)).toEqual([1, 0, 0, 1, 0, 0]);
    const next = newRecorder();
    next.recordResponse(0, 200, true, 1_000, 900, 100, 80, next.originAt + 100);
    expect(series.read(next, 'warmup', 1_000).all.map((point) => point.requests)).toEqual([1]);
  });
});
