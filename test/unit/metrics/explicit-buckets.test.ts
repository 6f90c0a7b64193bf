import { describe, expect, it } from 'vitest';
import { explicitBuckets } from '../../../src/metrics/explicit-buckets.js';
import { createLatencyHistogram, recordMicros } from '../../../src/metrics/latency-histogram.js';

describe('explicitBuckets', () => {
  it('counts values ≤ each bound, the rest above the last; the sum within the histogram precision', () => {
    const histogram = createLatencyHistogram();
    for (const us of [500, 1000, 1500, 9000, 10_000, 10_500, 2_000_000]) recordMicros(histogram, us);
    const buckets = explicitBuckets(histogram, [1000, 10_000, 100_000]);
    expect(buckets.counts).toEqual([2, 3, 1, 1]);
    expect(buckets.count).toBe(7);
    const exact = 500 + 1000 + 1500 + 9000 + 10_000 + 10_500 + 2_000_000;
    expect(Math.abs(buckets.sumUs - exact) / exact).toBeLessThan(0.001);
  });

  it('an empty histogram: zeros', () => {
    expect(explicitBuckets(createLatencyHistogram(), [1, 2])).toEqual({ counts: [0, 0, 0], count: 0, sumUs: 0 });
  });
});
