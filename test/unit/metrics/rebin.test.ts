import { describe, expect, it } from 'vitest';
import { FINEST_BINS_PER_DECADE, binCounts, logBins, rebin } from '../../../src/metrics/latency-distribution.js';
import { createLatencyHistogram, recordMicros } from '../../../src/metrics/latency-histogram.js';

describe('rebin: counts on the finest grid onto a report’s coarser bins', () => {
  it('keeps every count, in the bin its values fall in (within rounding), whatever the coarser grid', () => {
    const histogram = createLatencyHistogram();
    for (let i = 0; i < 20_000; i++) recordMicros(histogram, Math.round(200 * Math.exp(((i * 7919) % 1000) / 200)));
    const fineBins = logBins(histogram.minNonZeroValue, histogram.maxValue, FINEST_BINS_PER_DECADE);
    const fine = {
      binsPerDecade: FINEST_BINS_PER_DECADE,
      firstEdge: Math.round(Math.log10(fineBins.edgesUs[0]!) * FINEST_BINS_PER_DECADE),
      counts: binCounts(histogram, fineBins),
    };
    for (const perDecade of [5, 10, 20, 40, 80]) {
      // A report's bins: a wider range than the baseline's, on a coarser grid.
      const coarse = logBins(50, histogram.maxValue * 3, perDecade);
      const rebinned = rebin(fine, coarse);
      const direct = binCounts(histogram, coarse);
      expect(rebinned.reduce((a, b) => a + b, 0)).toBe(20_000);
      const ratio = FINEST_BINS_PER_DECADE / perDecade;
      rebinned.forEach((count, index) =>
        expect(Math.abs(count - direct[index]!), `bin ${index} at ${perDecade}/decade`).toBeLessThanOrEqual(ratio),
      );
    }
  });

  it('puts counts outside the coarser range into its first or last bin', () => {
    const coarse = logBins(1000, 10_000, 10);
    const counts = rebin({ binsPerDecade: 80, firstEdge: 0, counts: [3, 0, 0] }, coarse); // 1–1.3 µs: far below
    expect(counts[0]).toBe(3);
    expect(rebin({ binsPerDecade: 80, firstEdge: 480, counts: [2] }, coarse).at(-1)).toBe(2); // 1 s: far above
  });
});
