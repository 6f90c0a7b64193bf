import type { ErrorCategory } from './error-category.js';
import type { FailureSample } from './failure-samples.js';
import type { LatencySummary } from './latency-histogram.js';
import type { TimingPhase } from './request-timings.js';
import type { SeriesPoint } from './time-series.js';

/** What happened to one request name (or to all of them, in `total`), as plain numbers. */
export interface RequestStats {
  readonly name: string;
  /** Requests that ended: a response (any status) or an error. Interrupted ones are not in here. */
  readonly requests: number;
  readonly successes: number;
  /** An error, or a status the request does not expect. */
  readonly failures: number;
  /** In flight when the run ended (after the grace period) or was stopped: aborted, not judged. */
  readonly interrupted: number;
  /** Responses by status code (`"200": 981`); status 0 is a non-HTTP target that reported none. */
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errorCounts: Readonly<Record<ErrorCategory, number>>;
  /** Approximate bytes on the wire: request line, headers and body out; headers and body in. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Example failure messages (bounded: a few distinct ones per kind), most frequent first. */
  readonly failureSamples: readonly FailureSample[];
  /** From the moment the request was due (scheduled arrival, or the user ready): coordinated-omission safe. */
  readonly responseTime: LatencySummary;
  /** From the moment it was actually sent. */
  readonly serviceTime: LatencySummary;
  /** The phases of the requests (request-timings.ts): connection phases once per new connection. */
  readonly timings: TimingSummaries;
}

/** One summary per timing phase (µs); a phase never measured has count 0. */
export type TimingSummaries = Readonly<Record<TimingPhase, LatencySummary>>;

/** An immutable view of a Recorder at one moment: for live display and for reports. */
export interface RecorderSnapshot {
  readonly total: RequestStats;
  /** One entry per distinct request name, in plan order. */
  readonly requests: readonly RequestStats[];
  /** Iterations that ran to their end (every step got an outcome). */
  readonly iterations: number;
  /** Open model: arrivals that found every slot busy (max users reached) and were not started. */
  readonly droppedArrivals: number;
  /** Open model: how late arrivals were dispatched; growing lag means loadseed, not the target, is saturated. */
  readonly schedulerLag: LatencySummary;
  readonly series: readonly SeriesPoint[];
  readonly seriesBucketMs: number;
}

/** Requests that ended (and how many failed), and those interrupted: counters only. */
export interface OutcomeCounts {
  readonly requests: number;
  readonly failures: number;
  readonly interrupted: number;
}

/**
 * A Recorder's counters at one moment, without reading any histogram: cheap at any rate (see `Recorder.counters`).
 * The same numbers as the matching fields of a `RecorderSnapshot`.
 */
export interface RecorderCounters {
  readonly total: OutcomeCounts;
  /** One entry per distinct request name, in plan order. */
  readonly requests: readonly OutcomeCounts[];
  readonly iterations: number;
  readonly droppedArrivals: number;
}

/**
 * One request name's outcomes by kind, counters only (`Recorder.outcomeBreakdown`): for streaming outputs,
 * cheap at once a second. Statuses and categories with none are left out.
 */
export interface OutcomeBreakdown {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  /** Responses by status code; status 0 is a non-HTTP target that reported none. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Failures without a response, failed checks and hooks, by category. */
  readonly errorCounts: Readonly<Partial<Record<ErrorCategory, number>>>;
}
