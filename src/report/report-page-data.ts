import type { MonitorChartColumns } from '../monitor/monitor-chart-columns.js';

/**
 * The JSON block `#report-data` of the HTML report: written by `html-report.ts`, read by the page's script
 * (`browser/`). Types only, importing nothing that needs Node, so that the script is type-checked against
 * exactly what the page carries.
 */
export interface ReportPageData extends ReportChartData {
  /** Line colours of the per-request and per-source lines, in order (the tables show the same swatches). */
  readonly colors: readonly string[];
  /** A find-limit run's chart; absent otherwise. */
  readonly findLimit?: FindLimitChartData | undefined;
}

/**
 * What the HTML report's charts draw, as compact columns of numbers (latencies in ms, rounded to the µs):
 * embedded in the page as JSON and read by its script. Its size is bounded whatever the run's length:
 * ≤ 100 histogram bins, ~90 spectrum points per curve, ≤ MAX_CHARTED_REQUESTS per-request curves, and the
 * time series, which the recorder keeps at ≤ 240 intervals.
 */
export interface ReportChartData {
  /** Latency distribution of every request together; undefined when the results hold no recorder to compute it from. */
  readonly distribution?: {
    /** Bin edges (one more than counts). */
    readonly edgesMs: readonly number[];
    /** Requests per bin, by response time and by service time: each sums to the request count. */
    readonly responseCounts: readonly number[];
    readonly serviceCounts: readonly number[];
    /** `run --baseline`: the earlier run's response times in the same bins, scaled to this run's request count. */
    readonly baselineCounts?: readonly number[];
  };
  /** Percentile spectrum: the value at each percentile of `percentiles` (empty arrays when nothing was recorded). */
  readonly spectrum?: {
    readonly percentiles: readonly number[];
    readonly responseMs: readonly number[];
    readonly serviceMs: readonly number[];
    /** Response time per request name, the busiest first. */
    readonly requests: readonly { readonly name: string; readonly count: number; readonly responseMs: readonly number[] }[];
    /** Request names left out of the per-request chart (it would be unreadable): in the table only. */
    readonly requestsNotCharted: number;
    /** `run --baseline`: the earlier run's response time at the percentiles it kept (null elsewhere). */
    readonly baselineMs?: readonly (number | null)[];
  };
  /** Why there is no distribution (corrupt or missing recorder data), for the page to say. */
  readonly distributionUnavailable?: string;
  /** `monitor`: each source with points, for the server resources chart (on the series' time axis). */
  readonly monitor?: readonly MonitorChartColumns[];
  /** The time series as columns, one entry per interval; rates per second over each interval (the last one cut at the run's end). */
  readonly series: {
    /** Interval start, seconds from the measured phase's t=0. */
    readonly startS: readonly number[];
    /** End of the last interval (s): the time axis ends there. */
    readonly endS: number;
    readonly requestsPerSec: readonly number[];
    readonly failuresPerSec: readonly number[];
    /** Failures per second by kind (an error category, or `status`), only the kinds that occurred, most frequent first. */
    readonly failuresByKind: readonly { readonly kind: string; readonly perSec: readonly number[] }[];
    readonly droppedPerSec: readonly number[];
    /**
     * Open model: the rate asked for (arrivals scheduled, started or dropped) and the rate achieved (arrivals
     * started), per second; absent in the closed model.
     */
    readonly arrivals?: { readonly targetPerSec: readonly number[]; readonly achievedPerSec: readonly number[] };
    readonly activeUsers: readonly number[];
    /** null for an interval without responses (a gap, not a zero latency). */
    readonly p50Ms: readonly (number | null)[];
    readonly p95Ms: readonly (number | null)[];
    readonly p99Ms: readonly (number | null)[];
    /** Any dropped arrivals at all (the open model): the page then charts them. */
    readonly anyDropped: boolean;
    /**
     * The drain, when it had intervals of its own: after the load stopped, only requests in flight finished (the
     * slow ones), so its rates and percentiles say nothing about the load. Those intervals are left out of the
     * columns; their requests count in every total, and the page says so.
     */
    readonly drain?: { readonly ms: number; readonly requests: number; readonly failures: number };
  };
}

/** The chart's columns (one entry per step judged) and the two marks, as the page's script reads them. */
export interface FindLimitChartData {
  /** The x axis: `req/s` (rate model) or `users`. */
  readonly unit: 'req/s' | 'users';
  /** Each step's load (rate or users), refinements included, in increasing order. */
  readonly levels: readonly number[];
  readonly p50Ms: readonly (number | null)[];
  readonly p95Ms: readonly (number | null)[];
  readonly p99Ms: readonly (number | null)[];
  /** Error rate of each step in % (0–100). */
  readonly errorPercent: readonly number[];
  /** The limit and the knee, in the unit of `levels`. */
  readonly limit: number | null;
  readonly knee: number | null;
}
