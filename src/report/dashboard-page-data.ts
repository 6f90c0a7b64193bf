import type { ReportChartData } from './report-page-data.js';

/**
 * One state of a run as the live dashboard (`run --dashboard`) shows it: a `live` frame every second from the
 * run's progress ticks, and one `final` frame from the results document once the run is over. Sent as JSON in
 * Server-Sent Events, read by the page's script (`browser/dashboard-page.ts`). Types only, importing nothing
 * that needs Node, like `report-page-data.ts`.
 */
export interface DashboardFrame {
  readonly kind: 'live' | 'final';
  readonly scenario: string;
  /** The plan in one line (`describePlan`). */
  readonly plan: string;
  /** The warm-up's figures are shown apart: the measured phase starts from zero. */
  readonly phase: 'warmup' | 'measured';
  /** Since the phase's t=0 (final: the measured phase's whole length, drain included). */
  readonly elapsedMs: number;
  readonly plannedDurationMs: number;
  /** The load has stopped: requests in flight get their grace period. */
  readonly stopping: boolean;
  /** Live only: users running now, requests in flight. */
  readonly activeUsers?: number;
  readonly inFlight?: number;
  /** Final only: the run's verdict, as in the results file. */
  readonly verdict?: 'passed' | 'failed' | 'interrupted';
  /** Every request together (`name`: `total`), then each request name in plan order. */
  readonly total: DashboardStats;
  readonly requests: readonly DashboardStats[];
  /** Failures by kind (an error category, or `status`: a status the request did not expect), most frequent first. */
  readonly failuresByKind: readonly { readonly kind: string; readonly count: number }[];
  readonly thresholds: readonly DashboardThreshold[];
  readonly generator: DashboardGenerator;
  /** The charts over time, as the HTML report draws them (live: the complete intervals so far). */
  readonly series: ReportChartData['series'];
}

/** One request name's figures, or every request's (`total`); latencies are response times in ms, null before any. */
export interface DashboardStats {
  readonly name: string;
  /** Requests that ended (successes and failures). */
  readonly requests: number;
  readonly failures: number;
  /** Requests per second over the phase so far (final: over the run). */
  readonly requestsPerSec: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/**
 * A threshold and how it stands: `pass` / `fail` judged on the figures so far (final: the verdict's), `pending`
 * when it cannot be judged yet (no requests, or `min_rps`, which only the whole run can tell).
 */
export interface DashboardThreshold {
  /** `p95_latency_ms (checkout)` */
  readonly name: string;
  readonly state: 'pass' | 'fail' | 'pending';
  /** The measured value against the limit: `p95 latency 31.2 ms ≤ 500 ms`; empty while pending. */
  readonly description: string;
}

/**
 * loadseed's own load. Live: over the last second, the whole process's CPU and the event loop of the thread
 * that sends the load (the main thread, which is also the one that sends it when `workers` is 1). Final: the
 * results file's `generator` (the busiest thread).
 */
export interface DashboardGenerator {
  readonly workers: number;
  /** CPU of the whole loadseed process, % of one core. */
  readonly cpuPercent: number;
  /** Event-loop utilisation of the thread watched (final: the busiest), %. */
  readonly busyPercent: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Final only: whether the figures may show loadseed's limits rather than the target's, and why. */
  readonly saturated?: boolean;
  readonly reason?: string;
}
