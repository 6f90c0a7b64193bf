import type { Histogram } from 'hdr-histogram-js';
import { FAILURE_KINDS } from './error-category.js';
import type { FailureKind } from './error-category.js';
import { createLatencyHistogram, packHistograms, percentileUs, recordMicros, unpackHistograms } from './latency-histogram.js';

/** One interval of the run, as plain numbers. Percentiles have 2 significant digits (1%). */
export interface SeriesPoint {
  /** Start of the interval, ms from the run's t=0. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Requests that ended in the interval, whatever the outcome. */
  readonly requests: number;
  /** Of those, the failures (an error, a failed check, or a status not expected). */
  readonly failures: number;
  /** The failures by what they failed of (kinds with none are left out). */
  readonly failuresByKind: Readonly<Partial<Record<FailureKind, number>>>;
  /** Open model: arrivals that started an iteration, by scheduled time (with `droppedArrivals`: the target rate). */
  readonly arrivals: number;
  readonly droppedArrivals: number;
  /** The most virtual users active at once during the interval. */
  readonly activeUsers: number;
  readonly p50Us: number;
  readonly p95Us: number;
  readonly p99Us: number;
}

/** Intervals of a series merged over a window (`TimeSeries.window`): the window on the interval grid, and its figures. */
export interface SeriesWindow {
  /** The window actually covered, ms from the run's t=0: both edges on the interval grid. */
  readonly startMs: number;
  readonly endMs: number;
  /** Requests that ended in the window, and of those the failures. */
  readonly requests: number;
  readonly failures: number;
  /** Open model: arrivals scheduled in the window that started an iteration, and those dropped. */
  readonly arrivals: number;
  readonly droppedArrivals: number;
  /** Response times (µs) of the requests that ended in the window: the intervals' histograms merged (2 significant digits). */
  readonly histogram: Histogram;
}

interface Bucket {
  requests: number;
  failures: number;
  readonly failuresByKind: Float64Array;
  arrivals: number;
  droppedArrivals: number;
  activeUsers: number;
  readonly histogram: Histogram;
}

/** A TimeSeries as transferable arrays (see `TimeSeries.encode`). */
export interface EncodedTimeSeries {
  readonly bucketMs: number;
  readonly maxBuckets: number;
  /** The active users now (what the next new interval starts with). */
  readonly activeUsers: number;
  /** Per interval: requests, failures, dropped arrivals, active users, arrivals, then failures per FAILURE_KINDS. */
  readonly counts: Float64Array;
  readonly histograms: Float64Array;
}

const KIND_COUNT = FAILURE_KINDS.length;
const FIXED_COUNTS = 5;
const COUNTS_PER_BUCKET = FIXED_COUNTS + KIND_COUNT;

export const DEFAULT_SERIES_BUCKET_MS = 1000;
/** 240 buckets × ≈14 KB: at most ≈3.4 MB per series, however long the run. */
export const DEFAULT_MAX_SERIES_BUCKETS = 240;

/**
 * Per-interval counts and response-time percentiles, bounded in memory: intervals start at one second; when a
 * run outlasts `maxBuckets` intervals, neighbours are merged pairwise and the interval doubles (1 s, 2 s, 4 s…).
 * Offsets are ms from the run's t=0.
 */
export class TimeSeries {
  readonly maxBuckets: number;
  #bucketMs: number;
  readonly #buckets: Bucket[] = [];
  #activeUsers = 0;

  constructor(bucketMs = DEFAULT_SERIES_BUCKET_MS, maxBuckets = DEFAULT_MAX_SERIES_BUCKETS) {
    if (maxBuckets < 2) throw new Error('a time series needs at least 2 buckets');
    this.#bucketMs = bucketMs;
    this.maxBuckets = maxBuckets;
  }

  get bucketMs(): number {
    return this.#bucketMs;
  }

  get length(): number {
    return this.#buckets.length;
  }

  /** A request ended at `offsetMs`. `failureKind`: its index in FAILURE_KINDS, or -1 for a success. */
  record(offsetMs: number, responseUs: number, failureKind: number): void {
    const bucket = this.#bucketAt(offsetMs);
    bucket.requests += 1;
    if (failureKind >= 0) {
      bucket.failures += 1;
      bucket.failuresByKind[failureKind]! += 1;
    }
    recordMicros(bucket.histogram, responseUs);
  }

  /** Open model: an arrival scheduled at `offsetMs` started an iteration. */
  recordArrival(offsetMs: number): void {
    this.#bucketAt(offsetMs).arrivals += 1;
  }

  recordDropped(offsetMs: number): void {
    this.#bucketAt(offsetMs).droppedArrivals += 1;
  }

  /** The number of active users changed at `offsetMs`. */
  setActiveUsers(offsetMs: number, users: number): void {
    // Buckets created on the way inherit the count that held until now, then this one takes the new count.
    const bucket = this.#bucketAt(offsetMs);
    this.#activeUsers = users;
    if (users > bucket.activeUsers) bucket.activeUsers = users;
  }

  /** Makes sure the series covers the run up to `offsetMs` (its end), even through quiet intervals. */
  extendTo(offsetMs: number): void {
    this.#bucketAt(offsetMs);
  }

  /**
   * Adds another series (a worker's or a shard's): same intervals add up, active users add up too.
   * `offsetMs`: where other's t=0 falls on ours (a shard that started later; ≥ 0). Each of other's intervals
   * goes, whole, into the interval of ours that holds its middle: counts stay exact, placement is to the
   * nearest interval.
   */
  merge(other: TimeSeries, offsetMs = 0): void {
    if (other.length === 0) return;
    if (!(offsetMs >= 0) || !Number.isFinite(offsetMs))
      throw new RangeError(`a series merges at an offset of 0 ms or more (got ${offsetMs})`);
    // Settle our interval first (at least other's, and coarse enough to hold other's whole span), so the
    // fold below never coalesces midway.
    const spanMs = offsetMs + other.length * other.#bucketMs;
    while (this.#bucketMs < other.#bucketMs || Math.ceil(spanMs / this.#bucketMs) > this.maxBuckets) this.#coalesce();
    const peakUsers = new Map<number, number>();
    for (const [sourceIndex, source] of other.#buckets.entries()) {
      const middleMs = offsetMs + sourceIndex * other.#bucketMs + other.#bucketMs / 2;
      const targetIndex = Math.min(this.maxBuckets - 1, Math.floor(middleMs / this.#bucketMs));
      const target = this.#bucketAt(targetIndex * this.#bucketMs);
      target.requests += source.requests;
      target.failures += source.failures;
      addInto(target.failuresByKind, source.failuresByKind);
      target.arrivals += source.arrivals;
      target.droppedArrivals += source.droppedArrivals;
      target.histogram.add(source.histogram);
      // Several of other's finer intervals may fold into one of ours: add their peak, not their sum.
      peakUsers.set(targetIndex, Math.max(peakUsers.get(targetIndex) ?? 0, source.activeUsers));
    }
    for (const [targetIndex, users] of peakUsers) (this.#buckets[targetIndex] as Bucket).activeUsers += users;
  }

  /** Everything in the series, losslessly, as arrays another thread can take by transfer. */
  encode(): EncodedTimeSeries {
    const counts = new Float64Array(this.#buckets.length * COUNTS_PER_BUCKET);
    this.#buckets.forEach((bucket, index) => {
      const at = index * COUNTS_PER_BUCKET;
      counts.set([bucket.requests, bucket.failures, bucket.droppedArrivals, bucket.activeUsers, bucket.arrivals], at);
      counts.set(bucket.failuresByKind, at + FIXED_COUNTS);
    });
    return {
      bucketMs: this.#bucketMs,
      maxBuckets: this.maxBuckets,
      activeUsers: this.#activeUsers,
      counts,
      histograms: packHistograms(this.#buckets.map((bucket) => bucket.histogram)),
    };
  }

  static decode(encoded: EncodedTimeSeries): TimeSeries {
    const series = new TimeSeries(encoded.bucketMs, encoded.maxBuckets);
    const histograms = unpackHistograms(encoded.histograms);
    if (histograms.length * COUNTS_PER_BUCKET !== encoded.counts.length) throw new Error('malformed encoded time series');
    histograms.forEach((histogram, index) => {
      const at = index * COUNTS_PER_BUCKET;
      const counts = encoded.counts;
      series.#buckets.push({
        requests: counts[at]!,
        failures: counts[at + 1]!,
        droppedArrivals: counts[at + 2]!,
        activeUsers: counts[at + 3]!,
        arrivals: counts[at + 4]!,
        failuresByKind: counts.slice(at + FIXED_COUNTS, at + COUNTS_PER_BUCKET),
        histogram,
      });
    });
    series.#activeUsers = encoded.activeUsers;
    return series;
  }

  points(): SeriesPoint[] {
    return this.#buckets.map((bucket, index) => this.#pointOf(bucket, index));
  }

  /** The interval at `index` alone (as `points()[index]`), or undefined past the last one. */
  point(index: number): SeriesPoint | undefined {
    const bucket = this.#buckets[index];
    return bucket === undefined ? undefined : this.#pointOf(bucket, index);
  }

  /**
   * The intervals lying wholly inside [fromMs, toMs), merged into one: counts added, histograms merged (a
   * copy; the series is not changed). The window's edges move inwards to the interval grid (`startMs` up,
   * `endMs` down, to multiples of `bucketMs` as it is now), so its figures are exact and never mix in data
   * from outside [fromMs, toMs); a window shorter than one interval comes out empty (startMs === endMs).
   * Intervals not reached yet count as empty.
   */
  window(fromMs: number, toMs: number): SeriesWindow {
    const bucketMs = this.#bucketMs;
    const first = Math.max(0, Math.ceil(fromMs / bucketMs));
    const end = Math.max(first, Math.floor(toMs / bucketMs));
    const histogram = createLatencyHistogram(2);
    let requests = 0;
    let failures = 0;
    let arrivals = 0;
    let droppedArrivals = 0;
    for (let index = first; index < end && index < this.#buckets.length; index++) {
      const bucket = this.#buckets[index] as Bucket;
      requests += bucket.requests;
      failures += bucket.failures;
      arrivals += bucket.arrivals;
      droppedArrivals += bucket.droppedArrivals;
      if (bucket.requests > 0) histogram.add(bucket.histogram);
    }
    return { startMs: first * bucketMs, endMs: end * bucketMs, requests, failures, arrivals, droppedArrivals, histogram };
  }

  #pointOf(bucket: Bucket, index: number): SeriesPoint {
    return {
      startMs: index * this.#bucketMs,
      durationMs: this.#bucketMs,
      requests: bucket.requests,
      failures: bucket.failures,
      failuresByKind: failuresByKindOf(bucket.failuresByKind),
      arrivals: bucket.arrivals,
      droppedArrivals: bucket.droppedArrivals,
      activeUsers: bucket.activeUsers,
      p50Us: percentileUs(bucket.histogram, 50),
      p95Us: percentileUs(bucket.histogram, 95),
      p99Us: percentileUs(bucket.histogram, 99),
    };
  }

  /** The bucket holding `offsetMs`, creating the ones up to it (they inherit the current active users). */
  #bucketAt(offsetMs: number): Bucket {
    let index = offsetMs <= 0 ? 0 : Math.floor(offsetMs / this.#bucketMs);
    while (index >= this.maxBuckets) {
      this.#coalesce();
      index = offsetMs <= 0 ? 0 : Math.floor(offsetMs / this.#bucketMs);
    }
    const buckets = this.#buckets;
    while (buckets.length <= index) {
      buckets.push({
        requests: 0,
        failures: 0,
        failuresByKind: new Float64Array(KIND_COUNT),
        arrivals: 0,
        droppedArrivals: 0,
        activeUsers: this.#activeUsers,
        histogram: createLatencyHistogram(2),
      });
    }
    return buckets[index] as Bucket;
  }

  /** Merges neighbours pairwise: half the buckets, twice the interval. */
  #coalesce(): void {
    const buckets = this.#buckets;
    const merged: Bucket[] = [];
    for (let index = 0; index < buckets.length; index += 2) {
      const first = buckets[index] as Bucket;
      const second = buckets[index + 1];
      if (second !== undefined) {
        first.requests += second.requests;
        first.failures += second.failures;
        addInto(first.failuresByKind, second.failuresByKind);
        first.arrivals += second.arrivals;
        first.droppedArrivals += second.droppedArrivals;
        first.activeUsers = Math.max(first.activeUsers, second.activeUsers);
        first.histogram.add(second.histogram);
      }
      merged.push(first);
    }
    buckets.length = 0;
    buckets.push(...merged);
    this.#bucketMs *= 2;
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}

function failuresByKindOf(counts: Float64Array): Partial<Record<FailureKind, number>> {
  const byKind: Partial<Record<FailureKind, number>> = {};
  FAILURE_KINDS.forEach((kind, index) => {
    const count = counts[index]!;
    if (count > 0) byKind[kind] = count;
  });
  return byKind;
}
