import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, percentileUs, recordMicros, summarizeHistogram } from '../../../src/metrics/latency-histogram.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { MetricsCollector } from '../../../src/index.js';

// 33 204 µs lies in an HDR bucket (3 digits) whose upper bound is 33 215 µs, and 33 184 µs is its lower bound:
// a histogram reports those bounds as percentiles unless they are clamped to the exact min and max.
const MAX_US = 33_204;

describe('percentiles read from a latency histogram', () => {
  it('never exceed the exact max nor fall below the exact min', () => {
    const histogram = createLatencyHistogram();
    for (let i = 0; i < 10; i++) recordMicros(histogram, 1000);
    recordMicros(histogram, MAX_US);
    expect(percentileUs(histogram, 99.9)).toBe(MAX_US);
    const same = createLatencyHistogram();
    recordMicros(same, MAX_US);
    recordMicros(same, MAX_US);
    expect(percentileUs(same, 0)).toBe(MAX_US);
    expect(percentileUs(same, 50)).toBe(MAX_US);
    const summary = summarizeHistogram(same);
    expect([summary.p50Us, summary.p99Us, summary.p999Us, summary.maxUs, summary.minUs]).toEqual([MAX_US, MAX_US, MAX_US, MAX_US, MAX_US]);
  });

  it('in a recorder snapshot, its time series and the API summary', () => {
    const recorder = new Recorder(['home']);
    for (let i = 0; i < 100; i++) recorder.recordResponse(0, 200, true, i === 99 ? MAX_US : 1000, 900, 0, 0, 0);
    const { total } = recorder.snapshot();
    expect(total.responseTime.maxUs).toBe(MAX_US);
    expect(total.responseTime.p999Us).toBe(MAX_US);
    const interval = recorder.snapshot().series[0]!;
    expect(interval.p99Us).toBeLessThanOrEqual(MAX_US);
    const summary = new MetricsCollector({ latencies: [1, 1, 1, MAX_US / 1000], totalRequests: 4 }).getSummary();
    expect(summary.p99).toBe(summary.max);
    expect(summary.p999).toBe(33.204);
  });
});
