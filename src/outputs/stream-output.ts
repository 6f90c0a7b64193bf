/**
 * A streaming output: the run's figures pushed while it runs (a JSON Lines file, an OpenTelemetry collector,
 * Prometheus remote write), fed on the main thread from the run's progress ticks, never from the hot path.
 * No method throws into the run and none waits for a receiver: a receiver that is down or slow costs one
 * warning and dropped batches, counted (`report()`), never a slower or stopped load.
 */
export interface StreamOutput {
  readonly kind: StreamOutputKind;
  /** The file or URL, as shown in messages and in the results file (a URL's password hidden). */
  readonly target: string;
  /** Whether `interval` needs `totals` (cumulative counters and latency buckets): the metric receivers do. */
  readonly needsTotals: boolean;
  start(meta: StreamMeta): void;
  interval(point: StreamInterval): void;
  threshold(change: StreamThresholdChange): void;
  /** The last interval has been given: sends the summary, flushes what is queued (within its timeout), closes. */
  finish(summary: StreamSummary): Promise<void>;
  /** What was delivered and what was dropped, for the results file. */
  report(): StreamOutputReport;
}

export const STREAM_OUTPUT_KINDS = ['jsonl', 'otlp', 'prometheus-rw'] as const;
export type StreamOutputKind = (typeof STREAM_OUTPUT_KINDS)[number];

/** What every series of a run is labelled with. */
export interface StreamMeta {
  /** One id for the run: every shard of it the same when `LOADSEED_RUN_ID` says so. */
  readonly runId: string;
  readonly scenario: string;
  /** `--shard i/n`, 1-based; absent for a whole run. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Distinct request names, in plan order. */
  readonly requestNames: readonly string[];
}

/** Requests that ended in an interval (or in all, for totals), and the failures among them. */
export interface OutcomeCount {
  readonly requests: number;
  readonly failures: number;
}

/** One interval of the measured phase: what ended in it. Offsets are ms from the measured t=0. */
export interface StreamInterval {
  readonly offsetMs: number;
  readonly durationMs: number;
  /** Wall clock of the interval's end (timestamps of the metric receivers). */
  readonly endEpochMs: number;
  readonly requests: number;
  readonly failures: number;
  /** Failures by kind: an error category, or `status` (kinds with none left out). */
  readonly failuresByKind: Readonly<Record<string, number>>;
  readonly byRequest: Readonly<Record<string, OutcomeCount>>;
  /** Response time of the interval's requests (2 significant digits); 0 when none ended. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** Virtual users active at the interval's end. */
  readonly users: number;
  /** Open model: iterations started (scheduled in the interval), and arrivals dropped. */
  readonly arrivals: number;
  readonly droppedArrivals: number;
  /** Since t=0, for counters and histograms: present when an output `needsTotals`. */
  readonly totals?: StreamTotals;
  /** The custom metrics' values recorded in the interval (`metric:`, and the ws/sse/grpc steps' own), by name; absent: none. */
  readonly metrics?: Readonly<Record<string, MetricCount>>;
}

/** Values of a custom metric: how many, and their sum. */
export interface MetricCount {
  readonly count: number;
  readonly sum: number;
}

/** Cumulative figures since the measured t=0: what counters and histograms of a metrics backend carry. */
export interface StreamTotals {
  readonly startEpochMs: number;
  readonly byRequest: readonly RequestTotals[];
  readonly droppedArrivals: number;
  readonly responseTime: LatencyBuckets;
  readonly serviceTime: LatencyBuckets;
  /** The custom metrics, in the order the run declares them (empty: none). */
  readonly metrics: readonly MetricTotals[];
}

/** A custom metric since t=0: a counter's sum, a trend's distribution in explicit buckets of its own unit. */
export interface MetricTotals extends MetricCount {
  readonly name: string;
  readonly kind: 'trend' | 'counter';
  /** A trend's values: `counts[i]` ≤ `bounds[i]`, the last one above them all. Absent for a counter. */
  readonly buckets?: { readonly bounds: readonly number[]; readonly counts: readonly number[] };
}

export interface RequestTotals {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  /** Responses by status code; requests that got none (an error) are under `error`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Failures by error category, or `status` (a status the request does not expect). */
  readonly failuresByCategory: Readonly<Record<string, number>>;
}

/** A latency distribution in explicit buckets (ms): `counts[i]` ≤ `boundsMs[i]`, the last one above them all. */
export interface LatencyBuckets {
  readonly boundsMs: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sumMs: number;
}

/** A live threshold (abort-on-fail) changed state. */
export interface StreamThresholdChange {
  readonly offsetMs: number;
  readonly key: string;
  readonly request?: string;
  /** A scenario's, a tag's (`key:value`) or a custom metric's threshold: whose figures it judges. */
  readonly scenario?: string;
  readonly tag?: string;
  readonly metric?: string;
  readonly passed: boolean;
  readonly measured: number;
  readonly limit: number;
  readonly description: string;
}

/** The run's end: its verdict and figures, as the results file has them. */
export interface StreamSummary {
  readonly verdict: string;
  readonly durationMs: number;
  readonly total: {
    readonly count: number;
    readonly failures: number;
    readonly errorRate: number;
    readonly requestsPerSec: number;
    readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  };
  readonly requests: readonly { readonly name: string; readonly count: number; readonly failures: number }[];
  /** The custom metrics' figures as the results file has them; absent: none. */
  readonly metrics?: readonly MetricFigures[];
  readonly thresholds: readonly {
    readonly key: string;
    readonly request?: string;
    readonly passed: boolean;
    readonly measured: number | null;
    readonly limit: number;
  }[];
}

/** A custom metric at the end of the run: count and sum, and a trend's min, max, mean and percentiles. */
export interface MetricFigures extends MetricCount {
  readonly name: string;
  readonly kind: 'trend' | 'counter';
  readonly min?: number;
  readonly max?: number;
  readonly avg?: number;
  readonly p50?: number;
  readonly p90?: number;
  readonly p95?: number;
  readonly p99?: number;
}

/** One streaming output in the results file: where to, what was sent, what was dropped. */
export interface StreamOutputReport {
  readonly kind: StreamOutputKind;
  readonly target: string;
  /** Batches delivered (a line of the file is a batch of one). */
  readonly sent: number;
  /** Batches not delivered: the queue was full, or the receiver failed, refused or timed out. */
  readonly dropped: number;
  /** Why the first one was dropped, when any was. */
  readonly error?: string;
}
