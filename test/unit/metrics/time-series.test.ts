import { describe, expect, it } from 'vitest';
import { ErrorCategoryId, STATUS_FAILURE_KIND } from '../../../src/metrics/error-category.js';
import { TimeSeries } from '../../../src/metrics/time-series.js';

const OK = -1;
const STATUS = STATUS_FAILURE_KIND;
const TIMEOUT = ErrorCategoryId.timeout;

describe('TimeSeries', () => {
  it('puts each outcome in the second it ended, with that second’s percentiles (2 digits)', () => {
    const series = new TimeSeries();
    for (let i = 1; i <= 100; i++) series.record(500, i * 1000, i > 95 ? (i % 2 === 0 ? TIMEOUT : STATUS) : OK);
    series.record(1500, 7000, OK);
    series.recordDropped(1999);
    const [first, second] = series.points();
    expect(first).toMatchObject({ startMs: 0, durationMs: 1000, requests: 100, failures: 5, droppedArrivals: 0 });
    // 96–100 failed: the even ones timed out (96, 98, 100), the odd ones had an unexpected status (97, 99).
    expect(first?.failuresByKind).toEqual({ timeout: 3, status: 2 });
    expect(Math.abs((first?.p50Us ?? 0) - 50_000)).toBeLessThanOrEqual(500);
    expect(Math.abs((first?.p95Us ?? 0) - 95_000)).toBeLessThanOrEqual(950);
    expect(Math.abs((first?.p99Us ?? 0) - 99_000)).toBeLessThanOrEqual(990);
    expect(second).toMatchObject({ startMs: 1000, requests: 1, failures: 0, droppedArrivals: 1 });
  });

  it('stays bounded however long the run: past the cap, intervals merge pairwise and double', () => {
    const series = new TimeSeries(1000, 4);
    for (let second = 0; second < 10; second++) series.record(second * 1000 + 10, 1000, OK);
    expect(series.bucketMs).toBe(4000);
    expect(series.points().map((point) => [point.startMs, point.requests])).toEqual([
      [0, 4],
      [4000, 4],
      [8000, 2],
    ]);
    for (let second = 10; second < 3600; second++) series.record(second * 1000, 1000, OK);
    expect(series.length).toBeLessThanOrEqual(4);
    expect(series.points().reduce((sum, point) => sum + point.requests, 0)).toBe(3600);
  });

  it('tracks the most users active in each interval, quiet intervals included', () => {
    const series = new TimeSeries();
    series.setActiveUsers(0, 5);
    series.setActiveUsers(2500, 2);
    series.setActiveUsers(2600, 3);
    series.extendTo(3200);
    expect(series.points().map((point) => point.activeUsers)).toEqual([5, 5, 5, 3]);
  });

  it('merges another series: counts and users add up, finer intervals fold into coarser ones', () => {
    const coarse = new TimeSeries(1000, 2);
    coarse.setActiveUsers(0, 1);
    for (const offsetMs of [100, 1100, 2100]) coarse.record(offsetMs, 1000, OK); // → 2 s intervals
    const fine = new TimeSeries(1000, 100);
    fine.setActiveUsers(0, 4);
    for (const offsetMs of [100, 1100, 2100, 3100]) fine.record(offsetMs, 2000, STATUS);
    fine.setActiveUsers(1500, 6);
    coarse.merge(fine);
    expect(coarse.bucketMs).toBe(2000);
    expect(coarse.points().map((p) => [p.startMs, p.requests, p.failures, p.activeUsers])).toEqual([
      // users: 1 here, plus the peak of fine's [4, 6] and of [4, 4]
      [0, 4, 2, 7],
      [2000, 3, 2, 5],
    ]);
  });
});

describe('TimeSeries.merge at an offset (a shard that started later)', () => {
  it('places each interval of the other series at its own start, to the nearest interval, counts exact', () => {
    const early = new TimeSeries();
    for (const offsetMs of [100, 1100, 2100]) early.record(offsetMs, 1000, OK);
    const late = new TimeSeries();
    for (const offsetMs of [100, 1100, 2100]) late.record(offsetMs, 3000, STATUS);
    early.merge(late, 2300); // late's [0, 1 s) has its middle at 2.8 s: our third interval
    expect(early.points().map((p) => [p.startMs, p.requests, p.failures])).toEqual([
      [0, 1, 0],
      [1000, 1, 0],
      [2000, 2, 1],
      [3000, 1, 1],
      [4000, 1, 1],
    ]);
  });

  it('coarsens to hold the other series at its offset, and refuses a negative offset', () => {
    const series = new TimeSeries(1000, 4);
    series.record(0, 1000, OK);
    const other = new TimeSeries(1000, 4);
    for (const offsetMs of [0, 1000, 2000]) other.record(offsetMs, 1000, OK);
    series.merge(other, 3000); // spans 6 s: 2 s intervals
    expect(series.bucketMs).toBe(2000);
    expect(series.points().reduce((sum, point) => sum + point.requests, 0)).toBe(4);
    expect(() => series.merge(other, -1)).toThrow(RangeError);
  });

  it('keeps failures by kind and arrivals through coalescing, merging and encoding', () => {
    const series = new TimeSeries(1000, 4);
    for (let second = 0; second < 8; second++) {
      series.record(second * 1000, 1000, second % 2 === 0 ? TIMEOUT : STATUS);
      series.recordArrival(second * 1000 + 1);
    }
    // 8 s into 4 buckets: 2 s each, one timeout and one status failure in each.
    expect(series.bucketMs).toBe(2000);
    for (const point of series.points()) {
      expect(point.failuresByKind).toEqual({ timeout: 1, status: 1 });
      expect(point.arrivals).toBe(2);
    }
    const copy = TimeSeries.decode(series.encode());
    expect(copy.points()).toEqual(series.points());
    copy.merge(series);
    expect(copy.points()[0]).toMatchObject({ failures: 4, failuresByKind: { timeout: 2, status: 2 }, arrivals: 4 });
  });
});
