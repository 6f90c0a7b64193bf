import type { Histogram } from 'hdr-histogram-js';
import { explicitBuckets } from './explicit-buckets.js';
import { createLatencyHistogram, HIGHEST_TRACKABLE_US, jsHistogram, packHistograms, unpackHistograms } from './latency-histogram.js';

/** A custom metric as the recorder knows it: a `trend` keeps the values' distribution, a `counter` their sum. */
export interface CustomMetricSpec {
  readonly name: string;
  readonly kind: 'trend' | 'counter';
}

/**
 * A trend's values go into an HDR histogram as integer thousandths: 0.001 to 3,600,000 to three significant
 * digits (0.1%), larger values clamped to the top. Count, sum, min and max are kept exactly beside it; a
 * percentile is the exact max when it falls in the max's bucket, else the lowest value of its bucket (at
 * most 0.1% below the value), never below the exact min.
 */
export const TREND_SCALE = 1000;
/** Largest value a trend's histogram tells apart (its percentiles stop there; max and sum stay exact). */
export const HIGHEST_TREND_VALUE = HIGHEST_TRACKABLE_US / TREND_SCALE;

/** Per metric: count, sum, min, max. */
const FIELDS = 4;

/** Custom metrics as plain data: names and kinds, then typed arrays (see `CustomMetrics.encode`). */
export interface EncodedCustomMetrics {
  readonly specs: readonly CustomMetricSpec[];
  /** Per metric: count, sum, min, max (min and max NaN before any value). */
  readonly counters: Float64Array;
  /** One histogram per metric (a counter's stays empty), packed (`packHistograms`). */
  readonly histograms: Float64Array;
}

/** One custom metric's figures. A trend's percentiles are read from its histogram; the rest is exact. */
export interface CustomMetricSummary {
  readonly name: string;
  readonly kind: 'trend' | 'counter';
  /** Values recorded (responses the metric was read from). */
  readonly count: number;
  readonly sum: number;
  /** Undefined before any value. */
  readonly min?: number;
  readonly max?: number;
  readonly avg?: number;
  /** A trend's value at `percentile` (0–100); 0 when none was recorded. */
  percentile(percentile: number): number;
  /**
   * A trend's values counted in explicit buckets, as metrics backends take them: `counts[i]` ≤ `bounds[i]` (in
   * the metric's own unit, ascending), the last entry above them all. A counter's: all zero.
   */
  bucketCounts(bounds: readonly number[]): number[];
}

/**
 * The custom metrics of a run (`metric:` on requests): per metric its count, exact sum, min and max, and for a
 * trend an HDR histogram of its values. Recording takes the metric's index and a number: no allocation.
 * Merges by name, losslessly (workers, shards).
 */
export class CustomMetrics {
  #specs: CustomMetricSpec[];
  /** Per metric: 1 for a trend (its values go into its histogram), 0 for a counter. */
  #trend: Uint8Array;
  #counters: Float64Array;
  #histograms: Histogram[];

  constructor(specs: readonly CustomMetricSpec[] = []) {
    this.#specs = specs.map((spec) => ({ name: spec.name, kind: spec.kind }));
    this.#trend = Uint8Array.from(specs, (spec) => (spec.kind === 'trend' ? 1 : 0));
    this.#counters = new Float64Array(specs.length * FIELDS);
    for (let index = 0; index < specs.length; index++) this.#resetExtremes(index);
    this.#histograms = specs.map(() => createLatencyHistogram());
  }

  get specs(): readonly CustomMetricSpec[] {
    return this.#specs;
  }

  /** A value of metric `index` (a finite number; a trend's ≥ 0, which the caller checked). */
  record(index: number, value: number): void {
    const at = index * FIELDS;
    const counters = this.#counters;
    counters[at]! += 1;
    counters[at + 1]! += value;
    if (!(value >= counters[at + 2]!)) counters[at + 2] = value;
    if (!(value <= counters[at + 3]!)) counters[at + 3] = value;
    if (this.#trend[index] !== 1) return;
    const scaled = Math.round(value * TREND_SCALE);
    this.#histograms[index]!.recordValue(scaled <= 0 ? 0 : scaled >= HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : scaled);
  }

  /** Adds `other`'s figures, metric by metric by name; a metric only `other` has is added. */
  merge(other: CustomMetrics): void {
    for (const [otherIndex, spec] of other.#specs.entries()) {
      let index = this.#specs.findIndex((mine) => mine.name === spec.name);
      if (index === -1) index = this.#add(spec);
      else if (this.#specs[index]?.kind !== spec.kind)
        throw new Error(`cannot merge metric ${spec.name}: a ${spec.kind} into a ${this.#specs[index]?.kind}`);
      const at = index * FIELDS;
      const from = otherIndex * FIELDS;
      this.#counters[at]! += other.#counters[from]!;
      this.#counters[at + 1]! += other.#counters[from + 1]!;
      if (other.#counters[from]! > 0) {
        const min = other.#counters[from + 2]!;
        const max = other.#counters[from + 3]!;
        if (!(min >= this.#counters[at + 2]!)) this.#counters[at + 2] = min;
        if (!(max <= this.#counters[at + 3]!)) this.#counters[at + 3] = max;
      }
      this.#histograms[index]!.add(other.#histograms[otherIndex]!);
    }
  }

  encode(): EncodedCustomMetrics {
    return {
      specs: this.#specs.map((spec) => ({ ...spec })),
      counters: Float64Array.from(this.#counters),
      histograms: packHistograms(this.#histograms),
    };
  }

  static decode(encoded: EncodedCustomMetrics): CustomMetrics {
    const metrics = new CustomMetrics(encoded.specs);
    if (encoded.counters.length !== encoded.specs.length * FIELDS) throw new Error('malformed custom metrics: wrong number of counters');
    const histograms = unpackHistograms(encoded.histograms);
    if (histograms.length !== encoded.specs.length) throw new Error('malformed custom metrics: wrong number of histograms');
    metrics.#counters.set(encoded.counters);
    metrics.#histograms = histograms;
    return metrics;
  }

  summaries(): CustomMetricSummary[] {
    return this.#specs.map((spec, index) => this.#summary(spec, index));
  }

  #summary(spec: CustomMetricSpec, index: number): CustomMetricSummary {
    const at = index * FIELDS;
    const count = this.#counters[at]!;
    const sum = this.#counters[at + 1]!;
    const min = this.#counters[at + 2]!;
    const max = this.#counters[at + 3]!;
    const histogram = this.#histograms[index]!;
    return {
      name: spec.name,
      kind: spec.kind,
      count,
      sum,
      ...(count === 0 ? {} : { min, max, avg: sum / count }),
      percentile: (percentile) => {
        if (histogram.totalCount === 0) return 0;
        // The value's bucket: the exact max when it lies in it, else its lowest value (whole numbers up to 16
        // read back exactly), never below the exact min.
        const js = jsHistogram(histogram);
        const highest = js.getValueAtPercentile(percentile);
        if (highest >= Math.round(max * TREND_SCALE)) return max;
        return Math.max(js.lowestEquivalentValue(highest) / TREND_SCALE, min);
      },
      bucketCounts: (bounds) =>
        explicitBuckets(
          histogram,
          bounds.map((bound) => bound * TREND_SCALE),
        ).counts,
    };
  }

  #add(spec: CustomMetricSpec): number {
    this.#specs = [...this.#specs, { name: spec.name, kind: spec.kind }];
    this.#trend = Uint8Array.from(this.#specs, (one) => (one.kind === 'trend' ? 1 : 0));
    const grown = new Float64Array(this.#specs.length * FIELDS);
    grown.set(this.#counters);
    this.#counters = grown;
    const index = this.#specs.length - 1;
    this.#resetExtremes(index);
    this.#histograms = [...this.#histograms, createLatencyHistogram()];
    return index;
  }

  #resetExtremes(index: number): void {
    this.#counters[index * FIELDS + 2] = Number.NaN;
    this.#counters[index * FIELDS + 3] = Number.NaN;
  }
}
