import { describe, expect, it } from 'vitest';
import { STATUS_FAILURE_KIND } from '../../../src/metrics/error-category.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { TimeSeries } from '../../../src/metrics/time-series.js';

const OK = -1;

/** A series with, in second s (0..3), 100 requests of (s + 1) × 10 ms, the last `failures[s]` of them failed. */
function fourSeconds(failures: readonly number[] = [0, 0, 0, 0]): TimeSeries {
  const series = new TimeSeries();
  for (let second = 0; second < 4; second++) {
    for (let i = 0; i < 100; i++) {
      series.record(second * 1000 + i * 10, (second + 1) * 10_000 + i * 10, i >= 100 - (failures[second] ?? 0) ? STATUS_FAILURE_KIND : OK);
      series.recordArrival(second * 1000 + i * 10);
    }
  }
  return series;
}

describe('TimeSeries.window', () => {
  it('merges the intervals inside [from, to): counts add up, percentiles come from the merged histograms', () => {
    const window = fourSeconds([0, 3, 5, 0]).window(1000, 3000);
    expect(window).toMatchObject({ startMs: 1000, endMs: 3000, requests: 200, failures: 8, arrivals: 200, droppedArrivals: 0 });
    expect(window.histogram.totalCount).toBe(200);
    // Seconds 1 and 2 hold 20.00–20.99 ms and 30.00–30.99 ms: the median is the top of the first half.
    expect(window.histogram.getValueAtPercentile(50) / 1000).toBeCloseTo(21, 0);
    expect(window.histogram.getValueAtPercentile(95) / 1000).toBeCloseTo(31, 0);
    expect(window.histogram.minNonZeroValue).toBeGreaterThanOrEqual(19_900);
    expect(window.histogram.maxValue).toBeLessThanOrEqual(31_200);
  });

  it('moves its edges inwards to the interval grid, so it never takes in data from outside', () => {
    const series = fourSeconds();
    expect(series.window(500, 2500)).toMatchObject({ startMs: 1000, endMs: 2000, requests: 100 });
    expect(series.window(0, 4000)).toMatchObject({ startMs: 0, endMs: 4000, requests: 400 });
    // Shorter than one interval, or within one: empty.
    const empty = series.window(1200, 1800);
    expect(empty).toMatchObject({ startMs: 2000, endMs: 2000, requests: 0, failures: 0, arrivals: 0 });
    expect(empty.histogram.totalCount).toBe(0);
  });

  it('counts intervals not reached yet as empty', () => {
    expect(fourSeconds().window(3000, 10_000)).toMatchObject({ startMs: 3000, endMs: 10_000, requests: 100 });
    expect(fourSeconds().window(5000, 6000)).toMatchObject({ requests: 0, arrivals: 0 });
  });

  it('follows the grid once intervals coalesce (2 s here): a 1 s window inside one interval is empty', () => {
    const series = new TimeSeries(1000, 4);
    for (let second = 0; second < 6; second++) series.record(second * 1000 + 500, 1000, OK);
    expect(series.bucketMs).toBe(2000);
    expect(series.window(1000, 5000)).toMatchObject({ startMs: 2000, endMs: 4000, requests: 2 });
    expect(series.window(2000, 3000)).toMatchObject({ startMs: 2000, endMs: 2000, requests: 0 });
  });

  it('counts open-model arrivals and drops by the time they were due', () => {
    const series = new TimeSeries();
    series.recordArrival(999);
    series.recordDropped(1000);
    series.recordDropped(1999);
    expect(series.window(1000, 2000)).toMatchObject({ arrivals: 0, droppedArrivals: 2 });
    expect(series.window(0, 1000)).toMatchObject({ arrivals: 1, droppedArrivals: 0 });
  });

  it('is a read: the series and a later window are unchanged by what is done with a window', () => {
    const series = fourSeconds();
    const before = JSON.stringify(series.points());
    const first = series.window(0, 2000);
    first.histogram.recordValue(5_000_000);
    expect(series.window(0, 2000).histogram.maxValue).toBeLessThan(30_000);
    expect(JSON.stringify(series.points())).toBe(before);
  });
});

describe('Recorder.seriesWindow', () => {
  it('reads the window on the run’s clock: offsets from t=0', () => {
    const recorder = new Recorder(['a', 'b']);
    const originAt = 10_000;
    recorder.start(originAt);
    recorder.recordResponse(0, 200, true, 4000, 3000, 10, 10, originAt + 500);
    recorder.recordResponse(1, 500, false, 8000, 7000, 10, 10, originAt + 1500);
    recorder.recordResponse(0, 200, true, 6000, 5000, 10, 10, originAt + 1700);
    recorder.recordArrival(originAt + 1100);
    recorder.recordDropped(originAt + 1200);
    const window = recorder.seriesWindow(1000, 2000);
    expect(window).toMatchObject({ startMs: 1000, endMs: 2000, requests: 2, failures: 1, arrivals: 1, droppedArrivals: 1 });
    // Both request names together: the series keeps totals.
    expect(window.histogram.totalCount).toBe(2);
    expect(window.histogram.maxValue / 1000).toBeCloseTo(8, 1);
  });
});
