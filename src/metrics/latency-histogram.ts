import type { Histogram } from 'hdr-histogram-js';
// The histogram classes alone, not the package index: it also loads a WebAssembly build, pako and a loader
// (≈16 MB of memory at import) that loadseed never uses.
// Required (CommonJS) rather than imported, so that Node and vitest resolve the default export alike.
import { createRequire } from 'node:module';

type Int32HistogramModule = typeof import('hdr-histogram-js/dist/Int32Histogram.js');
type JsHistogramModule = typeof import('hdr-histogram-js/dist/JsHistogram.js');
const require = createRequire(import.meta.url);
const Int32Histogram = (require('hdr-histogram-js/dist/Int32Histogram.js') as Int32HistogramModule).default;
const JsHistogram = (require('hdr-histogram-js/dist/JsHistogram.js') as JsHistogramModule).default;
export type JsHistogram = InstanceType<JsHistogramModule['default']>;

/**
 * Every latency histogram has the same shape, so any two merge losslessly: integer microseconds from 1 µs
 * to one hour, dense 32-bit buckets (≈ 95 KB at 3 digits). Values outside are clamped, never thrown.
 * Dense buckets, not `packed`: measured on this machine, packed recording is ~5× slower and `add` ~250×.
 */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** 3 significant digits (0.1%) for run-wide histograms; 2 (1%, ≈ 14 KB) for the per-interval ones. */
export function createLatencyHistogram(significantDigits: 2 | 3 = 3): Histogram {
  // What hdr.build({ bitBucketSize: 32, autoResize: false, useWebAssembly: false }) makes.
  return new Int32Histogram(1, HIGHEST_TRACKABLE_US, significantDigits);
}

/**
 * Packs histograms made by `createLatencyHistogram` into one array, losslessly: per histogram its significant
 * digits, exact smallest non-zero and largest values, then (bucket index, count) for every non-empty bucket.
 * A plain Float64Array, so it crosses to another thread by transfer, not copy. (hdr-histogram-js's own V2
 * encoding keeps only bucket counts: its decoder rounds min and max to their buckets.)
 */
export function packHistograms(histograms: readonly Histogram[]): Float64Array {
  const words: number[] = [histograms.length];
  for (const histogram of histograms) {
    const js = jsHistogram(histogram);
    const countAt = words.length + 3;
    words.push(js.numberOfSignificantValueDigits, js.minNonZeroValue, js.maxValue, 0);
    if (js.totalCount === 0) continue;
    const limit = js.countsArrayIndex(js.maxValue);
    let buckets = 0;
    for (let index = 0; index <= limit; index++) {
      const count = js.getCountAtIndex(index);
      if (count === 0) continue;
      words.push(index, count);
      buckets += 1;
    }
    words[countAt] = buckets;
  }
  return Float64Array.from(words);
}

/** The histograms `packHistograms` packed, equal to the originals in every count, min, max and percentile. */
export function unpackHistograms(packed: Float64Array): Histogram[] {
  const histograms: Histogram[] = [];
  let at = 1;
  for (let remaining = packed[0] ?? 0; remaining > 0; remaining--) {
    const digits = packed[at] === 2 ? 2 : 3;
    const minNonZero = packed[at + 1]!;
    const max = packed[at + 2]!;
    const buckets = packed[at + 3]!;
    at += 4;
    const histogram = createLatencyHistogram(digits);
    const js = jsHistogram(histogram);
    const minIndex = buckets > 0 && minNonZero <= max ? js.countsArrayIndex(minNonZero) : -1;
    for (let bucket = 0; bucket < buckets; bucket++, at += 2) {
      const index = packed[at]!;
      // Every bucket's count goes in at the bucket's lowest value, the first non-zero one's at the exact
      // minimum (both land in the same bucket), so min and max come out exact.
      histogram.recordValueWithCount(index === minIndex ? minNonZero : js.valueFromIndex(index), packed[at + 1]!);
    }
    if (buckets > 0) histogram.recordValueWithCount(max, 0);
    histograms.push(histogram);
  }
  if (at !== packed.length) throw new Error(`malformed packed histograms: ${packed.length - at} words left over`);
  return histograms;
}

/**
 * `packHistograms`' output with each bucket index replaced by its distance from the previous one in the same
 * histogram (the first one's from 0): small numbers that compress well. `packedIndicesFromDeltas` undoes it.
 */
export function packedIndexDeltas(packed: Float64Array): Float64Array {
  return mapPackedIndices(packed, (index, previous) => index - previous);
}

export function packedIndicesFromDeltas(deltas: Float64Array): Float64Array {
  return mapPackedIndices(deltas, (delta, previous) => previous + delta, true);
}

function mapPackedIndices(source: Float64Array, map: (value: number, previous: number) => number, previousIsResult = false): Float64Array {
  const out = Float64Array.from(source);
  let at = 1;
  for (let remaining = source[0] ?? 0; remaining > 0; remaining--) {
    const buckets = source[at + 3];
    if (buckets === undefined || at + 4 + 2 * buckets > source.length) throw new Error('malformed packed histograms: truncated');
    at += 4;
    let previous = 0;
    for (let bucket = 0; bucket < buckets; bucket++, at += 2) {
      const value = map(source[at]!, previous);
      out[at] = value;
      previous = previousIsResult ? value : source[at]!;
    }
  }
  return out;
}

/** The histogram as the JavaScript implementation it is (its bucket arrays are read directly). */
export function jsHistogram(histogram: Histogram): JsHistogram {
  if (!(histogram instanceof JsHistogram)) throw new TypeError('latency histograms are JavaScript histograms');
  return histogram;
}

/** Records integer µs, clamped to [0, HIGHEST_TRACKABLE_US] (hdr-histogram-js would truncate fractions anyway). */
export function recordMicros(histogram: Histogram, latencyUs: number): void {
  const value = latencyUs <= 0 ? 0 : latencyUs >= HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : Math.round(latencyUs);
  histogram.recordValue(value);
}

/**
 * The value (µs) at `percentile`, clamped to the exact recorded minimum and maximum. HDR histograms answer
 * with a bucket's bound (the highest value equivalent to the one found), which can lie above the largest value
 * recorded (p99 33 215 µs over a max of 33 204 µs) or below the smallest: every percentile loadseed reports is
 * read here, so none does. 0 when nothing was recorded.
 */
export function percentileUs(histogram: Histogram, percentile: number): number {
  if (histogram.totalCount === 0) return 0;
  const minUs = histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue;
  return Math.min(Math.max(histogram.getValueAtPercentile(percentile), minUs), histogram.maxValue);
}

/** A latency distribution as plain numbers (µs). All zero when nothing was recorded. */
export interface LatencySummary {
  readonly count: number;
  readonly minUs: number;
  readonly meanUs: number;
  readonly maxUs: number;
  readonly stdDevUs: number;
  readonly p50Us: number;
  readonly p75Us: number;
  readonly p90Us: number;
  readonly p95Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
}

export function summarizeHistogram(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) {
    return { count: 0, minUs: 0, meanUs: 0, maxUs: 0, stdDevUs: 0, p50Us: 0, p75Us: 0, p90Us: 0, p95Us: 0, p99Us: 0, p999Us: 0 };
  }
  return {
    count,
    minUs: histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue,
    meanUs: histogram.mean,
    maxUs: histogram.maxValue,
    stdDevUs: histogram.stdDeviation,
    p50Us: percentileUs(histogram, 50),
    p75Us: percentileUs(histogram, 75),
    p90Us: percentileUs(histogram, 90),
    p95Us: percentileUs(histogram, 95),
    p99Us: percentileUs(histogram, 99),
    p999Us: percentileUs(histogram, 99.9),
  };
}
