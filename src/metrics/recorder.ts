import type { Histogram } from 'hdr-histogram-js';
import { CustomMetrics } from './custom-metrics.js';
import type { CustomMetricSpec, CustomMetricSummary, EncodedCustomMetrics } from './custom-metrics.js';
import { ERROR_CATEGORIES, ErrorCategoryId, STATUS_FAILURE_KIND } from './error-category.js';
import { FailureSamples } from './failure-samples.js';
import { STATUS_LIMIT, statusLabel } from './status-label.js';
import type { SlotFailureSample } from './failure-samples.js';
import type { ErrorCategory } from './error-category.js';
import { createLatencyHistogram, packHistograms, recordMicros, summarizeHistogram, unpackHistograms } from './latency-histogram.js';
import type { LatencySummary } from './latency-histogram.js';
import type {
  OutcomeBreakdown,
  OutcomeCounts,
  RecorderCounters,
  RecorderSnapshot,
  RequestStats,
  TimingSummaries,
} from './recorder-snapshot.js';
import { TIMING_PHASE_COUNT, TIMING_PHASES, TimingIndex } from './request-timings.js';
import type { RequestTimings, TimingPhase } from './request-timings.js';
import { DEFAULT_MAX_SERIES_BUCKETS, DEFAULT_SERIES_BUCKET_MS, TimeSeries } from './time-series.js';
import type { EncodedTimeSeries, SeriesPoint, SeriesWindow } from './time-series.js';

export interface RecorderOptions {
  /** Interval of the time series at the start of the run. Default 1000 ms. */
  readonly seriesBucketMs?: number;
  /** Most intervals kept; past it, neighbours merge and the interval doubles. Default 240. */
  readonly maxSeriesBuckets?: number;
  /** The run's custom metrics (`metric:`): `recordMetric` takes an index into these. */
  readonly customMetrics?: readonly CustomMetricSpec[];
}

/**
 * A Recorder as plain data: the request names and typed arrays only, so it crosses from a worker thread by
 * transfer (`encodedRecorderBuffers`) and decodes into an equal Recorder. See `Recorder.encode`.
 */
export interface EncodedRecorder {
  readonly requestNames: readonly string[];
  /** Per-slot counters (statuses, error categories, successes, failures, interrupted, bytes in, bytes out), then iterations, dropped arrivals, t=0. */
  readonly counters: Float64Array;
  /**
   * Response time per slot, service time per slot, scheduler lag, then the timing phases per slot (slot by slot,
   * `TIMING_PHASES` in order; see `packHistograms`). Encodings from before the timing phases end at the lag.
   */
  readonly histograms: Float64Array;
  readonly series: EncodedTimeSeries;
  /** Example failure messages (plain data: structured-cloned, not transferred). */
  readonly failureSamples: readonly SlotFailureSample[];
  /** Custom metrics, when the run has any. */
  readonly customMetrics?: EncodedCustomMetrics;
}

/** The buffers of an encoded recorder: the transfer list for `postMessage`. */
export function encodedRecorderBuffers(encoded: EncodedRecorder): ArrayBuffer[] {
  const custom = encoded.customMetrics === undefined ? [] : [encoded.customMetrics.counters, encoded.customMetrics.histograms];
  return [encoded.counters, encoded.histograms, encoded.series.counts, encoded.series.histograms, ...custom].map(
    (array) => array.buffer as ArrayBuffer,
  );
}

/** Status codes are counted in a flat array per name: 0 (none), HTTP's 100..999, gRPC's 1000..1016 (status-label.ts). */
const STATUS_SLOTS = STATUS_LIMIT;
/** Slots per name in an encoding from before gRPC statuses (HTTP only): decoded by its length. */
const HTTP_STATUS_SLOTS = 1000;
const CATEGORY_COUNT = ERROR_CATEGORIES.length;

/**
 * Everything a run measures, mergeable without loss (workers, shards). Per request name and in total:
 * response-time and service-time histograms (integer µs), the timing phases of the requests (DNS, connect,
 * TLS, waiting, download: request-timings.ts), counts by status and by error category, successes, failures,
 * interrupted, bytes. Run-wide: iterations, dropped arrivals, scheduler lag, a bounded time series, and the
 * custom metrics (`metric:`, metrics/custom-metrics.ts). Memory is flat in run length.
 *
 * The hot path (`recordResponse`, `recordError`) takes the request's index in the plan and numbers only:
 * no strings, no objects, no allocation (a new series interval, once a second, is the exception).
 */
export class Recorder {
  /** The name of each request index, as given (names may repeat: they share a slot). */
  readonly requestNames: readonly string[];
  /** Distinct names, in first-seen order: the slots. */
  readonly metricNames: readonly string[];
  readonly #slotOf: Int32Array;
  readonly #responseTime: Histogram[];
  readonly #serviceTime: Histogram[];
  /** The timing phases (request-timings.ts): slot × TIMING_PHASE_COUNT + phase. */
  readonly #timings: Histogram[];
  readonly #statusCounts: Float64Array;
  readonly #errorCounts: Float64Array;
  readonly #successes: Float64Array;
  readonly #failures: Float64Array;
  readonly #interrupted: Float64Array;
  readonly #bytesIn: Float64Array;
  readonly #bytesOut: Float64Array;
  readonly #schedulerLag: Histogram;
  readonly #failureSamples: FailureSamples;
  #customMetrics: CustomMetrics;
  #series: TimeSeries;
  #iterations = 0;
  #droppedArrivals = 0;
  #partUsers: number[] = [0];
  #usersTotal = 0;
  #originAt = 0;

  constructor(requestNames: readonly string[], options: RecorderOptions = {}) {
    this.requestNames = Object.freeze([...requestNames]);
    const metricNames = [...new Set(requestNames)];
    this.metricNames = Object.freeze(metricNames);
    this.#slotOf = Int32Array.from(requestNames, (name) => metricNames.indexOf(name));
    const slots = metricNames.length;
    this.#responseTime = metricNames.map(() => createLatencyHistogram());
    this.#serviceTime = metricNames.map(() => createLatencyHistogram());
    this.#timings = metricNames.flatMap(() => TIMING_PHASES.map(createTimingHistogram));
    this.#statusCounts = new Float64Array(slots * STATUS_SLOTS);
    this.#errorCounts = new Float64Array(slots * CATEGORY_COUNT);
    this.#successes = new Float64Array(slots);
    this.#failures = new Float64Array(slots);
    this.#interrupted = new Float64Array(slots);
    this.#bytesIn = new Float64Array(slots);
    this.#bytesOut = new Float64Array(slots);
    this.#schedulerLag = createLatencyHistogram();
    this.#failureSamples = new FailureSamples(slots);
    this.#customMetrics = new CustomMetrics(options.customMetrics);
    this.#series = new TimeSeries(
      options.seriesBucketMs ?? DEFAULT_SERIES_BUCKET_MS,
      options.maxSeriesBuckets ?? DEFAULT_MAX_SERIES_BUCKETS,
    );
  }

  /** t=0 of the time series, on the engine's clock (`performance.now()` ms). */
  start(originAt: number): void {
    this.#originAt = originAt;
  }

  get originAt(): number {
    return this.#originAt;
  }

  /** A response arrived. `success`: its status is one the request expects. */
  recordResponse(
    requestIndex: number,
    status: number,
    success: boolean,
    responseUs: number,
    serviceUs: number,
    bytesIn: number,
    bytesOut: number,
    endedAt: number,
  ): void {
    const slot = this.#slotOf[requestIndex] ?? 0;
    this.#countStatus(slot, status);
    if (success) this.#successes[slot]! += 1;
    else this.#failures[slot]! += 1;
    this.#common(slot, responseUs, serviceUs, bytesIn, bytesOut, endedAt, success ? -1 : STATUS_FAILURE_KIND);
  }

  /**
   * A response arrived with a status the request expects, but failed one of its checks (or captures): a
   * failure of category `check`. Give the reason to `noteFailure`.
   */
  recordRejected(
    requestIndex: number,
    status: number,
    responseUs: number,
    serviceUs: number,
    bytesIn: number,
    bytesOut: number,
    endedAt: number,
  ): void {
    const slot = this.#slotOf[requestIndex] ?? 0;
    this.#countStatus(slot, status);
    this.#errorCounts[slot * CATEGORY_COUNT + ErrorCategoryId.check]! += 1;
    this.#failures[slot]! += 1;
    this.#common(slot, responseUs, serviceUs, bytesIn, bytesOut, endedAt, ErrorCategoryId.check);
  }

  /**
   * An example message for a failure already recorded (an error's message, a check's reason): kept, bounded,
   * for the reports. `kind`: an ErrorCategoryId, or STATUS_FAILURE_KIND. A cold path.
   */
  noteFailure(requestIndex: number, kind: number, message: string): void {
    this.#failureSamples.note(this.#slotOf[requestIndex] ?? 0, kind, message);
  }

  /** The request failed without a response (refused, reset, timed out…). Always a failure. */
  recordError(
    requestIndex: number,
    category: ErrorCategoryId,
    responseUs: number,
    serviceUs: number,
    bytesIn: number,
    bytesOut: number,
    endedAt: number,
  ): void {
    const slot = this.#slotOf[requestIndex] ?? 0;
    this.#errorCounts[slot * CATEGORY_COUNT + category]! += 1;
    this.#failures[slot]! += 1;
    this.#common(slot, responseUs, serviceUs, bytesIn, bytesOut, endedAt, category);
  }

  /**
   * The phases a request went through (`RequestTimings`, µs; `NOT_MEASURED` ones are skipped): recorded beside
   * its outcome, by whoever recorded that. Allocates nothing.
   */
  recordTimings(requestIndex: number, timings: RequestTimings): void {
    const base = (this.#slotOf[requestIndex] ?? 0) * TIMING_PHASE_COUNT;
    const histograms = this.#timings;
    for (let phase = 0; phase < TIMING_PHASE_COUNT; phase++) {
      const us = timings[phase]!;
      if (us >= 0) recordMicros(histograms[base + phase]!, us);
    }
  }

  /** The request was still in flight when the run ended or was stopped, and was aborted: no outcome. */
  recordInterrupted(requestIndex: number): void {
    this.#interrupted[this.#slotOf[requestIndex] ?? 0]! += 1;
  }

  /** A value of custom metric `metricIndex` (RecorderOptions.customMetrics), read from a response. No allocation. */
  recordMetric(metricIndex: number, value: number): void {
    this.#customMetrics.record(metricIndex, value);
  }

  /** Each custom metric's figures, in the order declared (then those met first in a merge). */
  customMetrics(): CustomMetricSummary[] {
    return this.#customMetrics.summaries();
  }

  recordIteration(): void {
    this.#iterations += 1;
  }

  /** Open model: the arrival scheduled at `at` started an iteration. */
  recordArrival(at: number): void {
    this.#series.recordArrival(at - this.#originAt);
  }

  recordDropped(at: number): void {
    this.#droppedArrivals += 1;
    this.#series.recordDropped(at - this.#originAt);
  }

  recordSchedulerLag(lagUs: number): void {
    recordMicros(this.#schedulerLag, lagUs);
  }

  /**
   * `part`'s users are now `users` (a scenario of several: 0, 1, …; each its own count): the series takes
   * the sum over the parts.
   */
  setActiveUsers(users: number, at: number, part = 0): void {
    const parts = this.#partUsers;
    if (part >= parts.length) this.#partUsers = parts.concat(new Array<number>(part + 1 - parts.length).fill(0));
    this.#usersTotal += users - (this.#partUsers[part] as number);
    this.#partUsers[part] = users;
    this.#series.setActiveUsers(at - this.#originAt, this.#usersTotal);
  }

  /** The run ended at `at`: the series covers it up to there. */
  finish(at: number): void {
    this.#series.extendTo(at - this.#originAt);
  }

  /**
   * Adds another recorder (same request names) into this one, losslessly. `other` is not changed.
   * `seriesOffsetMs`: where other's t=0 falls on this one's time series (a shard that started later).
   */
  merge(other: Recorder, seriesOffsetMs = 0): void {
    if (other.metricNames.length !== this.metricNames.length || other.metricNames.some((name, i) => name !== this.metricNames[i])) {
      throw new Error(
        `cannot merge recorders of different requests: [${other.metricNames.join(', ')}] into [${this.metricNames.join(', ')}]`,
      );
    }
    for (let slot = 0; slot < this.metricNames.length; slot++) {
      this.#responseTime[slot]!.add(other.#responseTime[slot]!);
      this.#serviceTime[slot]!.add(other.#serviceTime[slot]!);
    }
    this.#timings.forEach((histogram, index) => histogram.add(other.#timings[index]!));
    addInto(this.#statusCounts, other.#statusCounts);
    addInto(this.#errorCounts, other.#errorCounts);
    addInto(this.#successes, other.#successes);
    addInto(this.#failures, other.#failures);
    addInto(this.#interrupted, other.#interrupted);
    addInto(this.#bytesIn, other.#bytesIn);
    addInto(this.#bytesOut, other.#bytesOut);
    this.#schedulerLag.add(other.#schedulerLag);
    this.#series.merge(other.#series, seriesOffsetMs);
    this.#failureSamples.merge(other.#failureSamples);
    this.#customMetrics.merge(other.#customMetrics);
    this.#iterations += other.#iterations;
    this.#droppedArrivals += other.#droppedArrivals;
  }

  /**
   * Everything recorded, losslessly, as typed arrays: `Recorder.decode(recorder.encode())` equals the recorder
   * in every figure (histograms bucket for bucket, with exact min and max) and merges like it.
   */
  encode(): EncodedRecorder {
    const perSlot = [this.#successes, this.#failures, this.#interrupted, this.#bytesIn, this.#bytesOut];
    const counters = new Float64Array(this.#statusCounts.length + this.#errorCounts.length + perSlot.length * this.metricNames.length + 3);
    let at = 0;
    for (const array of [this.#statusCounts, this.#errorCounts, ...perSlot]) {
      counters.set(array, at);
      at += array.length;
    }
    counters.set([this.#iterations, this.#droppedArrivals, this.#originAt], at);
    return {
      requestNames: [...this.requestNames],
      counters,
      histograms: packHistograms([...this.#responseTime, ...this.#serviceTime, this.#schedulerLag, ...this.#timings]),
      series: this.#series.encode(),
      failureSamples: this.#failureSamples.list(),
      ...(this.#customMetrics.specs.length === 0 ? {} : { customMetrics: this.#customMetrics.encode() }),
    };
  }

  static decode(encoded: EncodedRecorder): Recorder {
    const recorder = new Recorder(encoded.requestNames);
    const slots = recorder.metricNames.length;
    const perSlot = [recorder.#successes, recorder.#failures, recorder.#interrupted, recorder.#bytesIn, recorder.#bytesOut];
    const arrays = [recorder.#errorCounts, ...perSlot];
    const rest = arrays.reduce((sum, array) => sum + array.length, 0) + 3;
    // An encoding from before gRPC statuses has HTTP_STATUS_SLOTS per name: each name's counts go to the head of its slots.
    const slotsPerName = [STATUS_SLOTS, HTTP_STATUS_SLOTS].find((each) => encoded.counters.length === each * slots + rest);
    if (slotsPerName === undefined)
      throw new Error(`malformed encoded recorder: ${encoded.counters.length} counters, expected ${STATUS_SLOTS * slots + rest}`);
    for (let slot = 0; slot < slots; slot++) {
      recorder.#statusCounts.set(encoded.counters.subarray(slot * slotsPerName, (slot + 1) * slotsPerName), slot * STATUS_SLOTS);
    }
    let at = slotsPerName * slots;
    for (const array of arrays) {
      array.set(encoded.counters.subarray(at, at + array.length));
      at += array.length;
    }
    recorder.#iterations = encoded.counters[at]!;
    recorder.#droppedArrivals = encoded.counters[at + 1]!;
    recorder.#originAt = encoded.counters[at + 2]!;
    const histograms = unpackHistograms(encoded.histograms);
    const withTimings = 2 * slots + 1 + TIMING_PHASE_COUNT * slots;
    // Without the timing phases: a file from before them; they stay empty.
    if (histograms.length !== 2 * slots + 1 && histograms.length !== withTimings)
      throw new Error('malformed encoded recorder: wrong number of histograms');
    for (let slot = 0; slot < slots; slot++) {
      recorder.#responseTime[slot] = histograms[slot]!;
      recorder.#serviceTime[slot] = histograms[slots + slot]!;
    }
    recorder.#schedulerLag.add(histograms[2 * slots]!);
    if (histograms.length === withTimings) {
      for (let index = 0; index < TIMING_PHASE_COUNT * slots; index++) recorder.#timings[index] = histograms[2 * slots + 1 + index]!;
    }
    recorder.#series = TimeSeries.decode(encoded.series);
    recorder.#failureSamples.add(encoded.failureSamples);
    if (encoded.customMetrics !== undefined) recorder.#customMetrics = CustomMetrics.decode(encoded.customMetrics);
    return recorder;
  }

  /** Open model: how late arrivals were dispatched (cheaper than a whole snapshot). */
  schedulerLag(): LatencySummary {
    return summarizeHistogram(this.#schedulerLag);
  }

  /** A copy of one name's response-time histogram, or of all names together (no argument). */
  responseTimeHistogram(metricIndex?: number): Histogram {
    return this.#combined(this.#responseTime, metricIndex);
  }

  /** A copy of one name's service-time histogram, or of all names together (no argument). */
  serviceTimeHistogram(metricIndex?: number): Histogram {
    return this.#combined(this.#serviceTime, metricIndex);
  }

  /**
   * A copy of one timing phase's histogram for one name (a metric index), several together (an array of them),
   * or all names together (none).
   */
  timingHistogram(phase: TimingPhase, metricIndexes?: number | readonly number[]): Histogram {
    const index = TimingIndex[phase];
    const perSlot = this.metricNames.map((_, slot) => this.#timings[slot * TIMING_PHASE_COUNT + index]!);
    if (typeof metricIndexes !== 'object') return this.#combined(perSlot, metricIndexes, phase);
    const combined = createTimingHistogram(phase);
    for (const slot of metricIndexes) combined.add(perSlot[slot]!);
    return combined;
  }

  /**
   * The counters alone, for a live display: O(request names), no histogram read. `snapshot()` summarises every
   * histogram, and a histogram's mean and standard deviation walk all its buckets: tens of milliseconds on a
   * busy run, too much for 10 times a second on the thread that sends the load.
   */
  counters(): RecorderCounters {
    const requests = this.metricNames.map((_, slot): OutcomeCounts => {
      const failures = this.#failures[slot]!;
      return { requests: this.#successes[slot]! + failures, failures, interrupted: this.#interrupted[slot]! };
    });
    const total = requests.reduce(
      (sum, counts) => ({
        requests: sum.requests + counts.requests,
        failures: sum.failures + counts.failures,
        interrupted: sum.interrupted + counts.interrupted,
      }),
      { requests: 0, failures: 0, interrupted: 0 },
    );
    return { total, requests, iterations: this.#iterations, droppedArrivals: this.#droppedArrivals };
  }

  /**
   * Per request name, the counts by status code and by error category, without reading any histogram: for the
   * streaming outputs' counters, once a second on the main thread.
   */
  outcomeBreakdown(): OutcomeBreakdown[] {
    return this.metricNames.map((name, slot) => {
      const statusCounts: Record<string, number> = {};
      for (let status = 0; status < STATUS_SLOTS; status++) {
        const count = this.#statusCounts[slot * STATUS_SLOTS + status]!;
        if (count > 0) statusCounts[statusLabel(status)] = count;
      }
      const errorCounts: Partial<Record<ErrorCategory, number>> = {};
      ERROR_CATEGORIES.forEach((category, id) => {
        const count = this.#errorCounts[slot * CATEGORY_COUNT + id]!;
        if (count > 0) errorCounts[category] = count;
      });
      const failures = this.#failures[slot]!;
      return { name, requests: this.#successes[slot]! + failures, failures, statusCounts, errorCounts };
    });
  }

  /** Interval of the time series (ms); it doubles as a long run outgrows `maxSeriesBuckets`. */
  get seriesBucketMs(): number {
    return this.#series.bucketMs;
  }

  /** One interval of the time series (as `snapshot().series[index]`) without computing the others; undefined past the last. */
  seriesPoint(index: number): SeriesPoint | undefined {
    return this.#series.point(index);
  }

  /**
   * The time series' intervals lying wholly inside [fromMs, toMs) (ms from t=0), merged: requests, failures,
   * arrivals and a merged response-time histogram over that window. Edges move inwards to the interval grid
   * (see `TimeSeries.window`). A read: nothing recorded changes.
   */
  seriesWindow(fromMs: number, toMs: number): SeriesWindow {
    return this.#series.window(fromMs, toMs);
  }

  snapshot(): RecorderSnapshot {
    const requests = this.metricNames.map((name, slot) => this.#stats(name, [slot], this.#responseTime[slot]!, this.#serviceTime[slot]!));
    const all = this.metricNames.map((_, slot) => slot);
    const total = this.#stats('total', all, this.responseTimeHistogram(), this.serviceTimeHistogram());
    return Object.freeze({
      total,
      requests: Object.freeze(requests),
      iterations: this.#iterations,
      droppedArrivals: this.#droppedArrivals,
      schedulerLag: Object.freeze(summarizeHistogram(this.#schedulerLag)),
      series: Object.freeze(this.#series.points().map((point) => Object.freeze(point))),
      seriesBucketMs: this.#series.bucketMs,
    });
  }

  /**
   * The figures of a group of request names together (one scenario's requests): counts, errors and
   * latencies as one, with the group's merged response-time histogram. Names it does not know are skipped.
   */
  groupStats(name: string, metricNames: readonly string[]): { readonly stats: RequestStats; readonly responseTime: Histogram } {
    const slots = metricNames.map((metricName) => this.metricNames.indexOf(metricName)).filter((slot) => slot !== -1);
    const responseTime = createLatencyHistogram();
    const serviceTime = createLatencyHistogram();
    for (const slot of slots) {
      responseTime.add(this.#responseTime[slot]!);
      serviceTime.add(this.#serviceTime[slot]!);
    }
    return { stats: this.#stats(name, slots, responseTime, serviceTime), responseTime };
  }

  /** The timing phases of these slots together: one slot's histograms read in place, several merged first. */
  #timingSummaries(slots: readonly number[]): TimingSummaries {
    const summaries = {} as Record<TimingPhase, ReturnType<typeof summarizeHistogram>>;
    TIMING_PHASES.forEach((phase, index) => {
      let histogram: Histogram;
      if (slots.length === 1) histogram = this.#timings[slots[0]! * TIMING_PHASE_COUNT + index]!;
      else {
        histogram = createTimingHistogram(phase);
        for (const slot of slots) histogram.add(this.#timings[slot * TIMING_PHASE_COUNT + index]!);
      }
      summaries[phase] = Object.freeze(summarizeHistogram(histogram));
    });
    return Object.freeze(summaries);
  }

  #countStatus(slot: number, status: number): void {
    this.#statusCounts[slot * STATUS_SLOTS + (status > 0 && status < STATUS_SLOTS ? status : 0)]! += 1;
  }

  #common(
    slot: number,
    responseUs: number,
    serviceUs: number,
    bytesIn: number,
    bytesOut: number,
    endedAt: number,
    failureKind: number,
  ): void {
    recordMicros(this.#responseTime[slot]!, responseUs);
    recordMicros(this.#serviceTime[slot]!, serviceUs);
    this.#bytesIn[slot]! += bytesIn;
    this.#bytesOut[slot]! += bytesOut;
    this.#series.record(endedAt - this.#originAt, responseUs, failureKind);
  }

  #combined(histograms: readonly Histogram[], metricIndex: number | undefined, phase?: TimingPhase): Histogram {
    const combined = phase === undefined ? createLatencyHistogram() : createTimingHistogram(phase);
    if (metricIndex !== undefined) {
      const one = histograms[metricIndex];
      if (one === undefined) throw new RangeError(`no request at metric index ${metricIndex}`);
      combined.add(one);
      return combined;
    }
    for (const histogram of histograms) combined.add(histogram);
    return combined;
  }

  #stats(name: string, slots: readonly number[], responseTime: Histogram, serviceTime: Histogram): RequestStats {
    const statusCounts: Record<string, number> = {};
    const errorCounts = Object.fromEntries(ERROR_CATEGORIES.map((category) => [category, 0])) as Record<ErrorCategory, number>;
    let successes = 0;
    let failures = 0;
    let interrupted = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    for (const slot of slots) {
      for (let status = 0; status < STATUS_SLOTS; status++) {
        const count = this.#statusCounts[slot * STATUS_SLOTS + status]!;
        if (count > 0) statusCounts[statusLabel(status)] = (statusCounts[statusLabel(status)] ?? 0) + count;
      }
      ERROR_CATEGORIES.forEach((category, id) => {
        errorCounts[category] += this.#errorCounts[slot * CATEGORY_COUNT + id]!;
      });
      successes += this.#successes[slot]!;
      failures += this.#failures[slot]!;
      interrupted += this.#interrupted[slot]!;
      bytesIn += this.#bytesIn[slot]!;
      bytesOut += this.#bytesOut[slot]!;
    }
    return Object.freeze({
      name,
      requests: successes + failures,
      successes,
      failures,
      interrupted,
      statusCounts: Object.freeze(statusCounts),
      errorCounts: Object.freeze(errorCounts),
      bytesIn,
      bytesOut,
      failureSamples: Object.freeze(this.#failureSamples.of(slots)),
      responseTime: Object.freeze(summarizeHistogram(responseTime)),
      serviceTime: Object.freeze(summarizeHistogram(serviceTime)),
      timings: this.#timingSummaries(slots),
    });
  }
}

/**
 * A histogram of one timing phase. The connection phases at 2 significant digits (1%, ≈ 14 KB each: they are
 * small figures, and a recorder holds one of each per request name), the waiting and the download at 3, as
 * response times.
 */
function createTimingHistogram(phase: TimingPhase): Histogram {
  return createLatencyHistogram(phase === 'ttfb' || phase === 'download' ? 3 : 2);
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}
