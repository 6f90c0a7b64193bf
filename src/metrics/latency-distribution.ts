import type { Histogram } from 'hdr-histogram-js';
import { jsHistogram, percentileUs } from './latency-histogram.js';

/**
 * Latency histograms (integer µs, as `createLatencyHistogram` makes them) turned into the few hundred numbers a
 * report draws: counts in log-spaced bins, and the percentile spectrum. Pure functions.
 */

/** Log-spaced bins: `edgesUs[i] ≤ value < edgesUs[i + 1]` is bin i. One more edge than bins. */
export interface LogBins {
  readonly binsPerDecade: number;
  readonly edgesUs: readonly number[];
}

/** Bins per decade we choose from: every edge is `10^(k / binsPerDecade)` µs, so bins line up across runs. */
const BINS_PER_DECADE = [5, 10, 20, 40, 80] as const;
/** Most bins a histogram gets: enough for a smooth shape, few enough to stay small and readable. */
const MAX_BINS = 100;

/** The finest grid: every coarser one's edges are among its edges, so counts on it re-bin exactly. */
export const FINEST_BINS_PER_DECADE = 80;

/**
 * Bins covering `[lowUs, highUs]` (the smallest and largest values to show; at least 1 µs): as many per decade
 * as fit in MAX_BINS, or exactly `binsPerDecade` (one of 5, 10, 20, 40, 80) when given.
 */
export function logBins(lowUs: number, highUs: number, forcedBinsPerDecade?: number): LogBins {
  const low = Math.max(1, lowUs);
  const high = Math.max(low, highUs);
  const decades = Math.max(Math.log10(high / low), 0.01);
  let binsPerDecade: number = BINS_PER_DECADE[0];
  for (const candidate of BINS_PER_DECADE) if (decades * candidate <= MAX_BINS) binsPerDecade = candidate;
  if (forcedBinsPerDecade !== undefined) binsPerDecade = forcedBinsPerDecade;
  // Half a microsecond of room either side: a recorded value v stands for [v - 0.5, v + 0.5) (see binCounts).
  const first = Math.floor(Math.log10(Math.max(low - 0.5, 0.5)) * binsPerDecade + 1e-9);
  let last = Math.ceil(Math.log10(high + 0.5) * binsPerDecade - 1e-9);
  if (edgeUs(last, binsPerDecade) < high + 0.5) last += 1;
  const edgesUs: number[] = [];
  for (let k = first; k <= last; k++) edgesUs.push(edgeUs(k, binsPerDecade));
  return { binsPerDecade, edgesUs };
}

/**
 * Counts on a finer grid (`fine`: bins per decade and the exponent index of its first edge, `10^(first/perDecade)`
 * µs) added into coarser `bins` whose grid divides it, exactly; counts below or above `bins` go into its first or
 * last bin. Sums are kept.
 */
export function rebin(
  fine: { readonly binsPerDecade: number; readonly firstEdge: number; readonly counts: readonly number[] },
  bins: LogBins,
): number[] {
  const out = new Array<number>(Math.max(bins.edgesUs.length - 1, 0)).fill(0);
  if (out.length === 0) return out;
  const ratio = fine.binsPerDecade / bins.binsPerDecade;
  const coarseFirst = Math.round(Math.log10(bins.edgesUs[0]!) * bins.binsPerDecade);
  fine.counts.forEach((count, index) => {
    const coarse = Math.floor((fine.firstEdge + index) / ratio) - coarseFirst;
    out[Math.min(Math.max(coarse, 0), out.length - 1)]! += count;
  });
  return out;
}

function edgeUs(k: number, binsPerDecade: number): number {
  return 10 ** (k / binsPerDecade);
}

/**
 * Requests of `histogram` in each of `bins`, in whole numbers that sum to the histogram's total count.
 *
 * Values are integer microseconds, so near the low end a bin a few µs wide holds 3 or 4 possible values by
 * the accident of where its edges fall, and a plain count would draw a comb. Instead each HDR bucket's count
 * is spread evenly over the interval its values stand for (`[lowest - 0.5, highest + 0.5)` µs: recording
 * rounds to the nearest µs), clamped to the bins, and the fractions are rounded to whole requests by largest
 * remainder.
 */
export function binCounts(histogram: Histogram, bins: LogBins): number[] {
  const js = jsHistogram(histogram);
  const edges = bins.edgesUs;
  const binCount = Math.max(edges.length - 1, 0);
  const shares = new Float64Array(binCount);
  if (js.totalCount === 0 || binCount === 0) return Array.from(shares);
  const lowestEdge = edges[0]!;
  const highestEdge = edges[binCount]!;
  const limit = js.countsArrayIndex(js.maxValue);
  let bin = 0;
  for (let index = 0; index <= limit; index++) {
    const count = js.getCountAtIndex(index);
    if (count === 0) continue;
    const value = js.valueFromIndex(index);
    const from = Math.min(Math.max(js.lowestEquivalentValue(value) - 0.5, lowestEdge), highestEdge);
    const to = Math.min(Math.max(js.highestEquivalentValue(value) + 0.5, lowestEdge), highestEdge);
    while (bin < binCount - 1 && from >= edges[bin + 1]!) bin += 1;
    if (to <= from) {
      shares[bin]! += count;
      continue;
    }
    for (let at = bin; at < binCount && edges[at]! < to; at++) {
      const overlap = Math.min(to, edges[at + 1]!) - Math.max(from, edges[at]!);
      if (overlap > 0) shares[at]! += (count * overlap) / (to - from);
    }
  }
  return largestRemainder(shares, js.totalCount);
}

/** Whole numbers summing to `total`, each the floor of its share or one more (the largest remainders first). */
function largestRemainder(shares: Float64Array, total: number): number[] {
  const counts = Array.from(shares, (share) => Math.floor(share));
  let missing = total - counts.reduce((sum, count) => sum + count, 0);
  const order = Array.from(shares.keys()).sort((a, b) => shares[b]! - counts[b]! - (shares[a]! - counts[a]!));
  for (let at = 0; missing > 0 && order.length > 0; at = (at + 1) % order.length, missing--) counts[order[at]!]! += 1;
  return counts;
}

/**
 * The percentiles a spectrum is drawn at: on HDR plots' `1/(1-p)` axis, 20 points a decade from p0 to p99.99,
 * plus the usual marks (p50, p75, p95, p99.5, p99.95) so that they are exact points of the curve.
 */
export const SPECTRUM_PERCENTILES: readonly number[] = spectrumPercentiles();

function spectrumPercentiles(): number[] {
  const points = new Set<number>([0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]);
  for (let k = 1; k <= 80; k++) points.add(Number((100 - 100 / 10 ** (k / 20)).toFixed(5)));
  return [...points].sort((a, b) => a - b);
}

/**
 * The value (µs) at each percentile, as `percentileUs` gives it (so p50 here is the summary's p50, clamped to
 * the recorded minimum and maximum). Empty when nothing was recorded.
 */
export function percentileSpectrumUs(histogram: Histogram, percentiles: readonly number[] = SPECTRUM_PERCENTILES): number[] {
  if (histogram.totalCount === 0) return [];
  return percentiles.map((percentile) => percentileUs(histogram, percentile));
}
