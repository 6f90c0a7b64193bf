import { randomUUID } from 'node:crypto';
import type { RunProgress, RunResult } from '../engine/run-result.js';
import { explicitBuckets } from '../metrics/explicit-buckets.js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { Recorder } from '../metrics/recorder.js';
import { createStreamOutputs } from '../outputs/create-outputs.js';
import type { OutputContext } from '../outputs/create-outputs.js';
import type { OutputSpec } from '../outputs/output-spec.js';
import type {
  LatencyBuckets,
  MetricCount,
  MetricTotals,
  OutcomeCount,
  RequestTotals,
  StreamInterval,
  StreamMeta,
  StreamOutput,
  StreamOutputReport,
  StreamThresholdChange,
  StreamTotals,
} from '../outputs/stream-output.js';
import type { Plan } from '../plan/build-plan.js';
import { modelOf } from '../plan/profile.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { ResultsDocument } from '../results/results-document.js';
import { redactText } from '../scenario/secrets.js';
import { liveThresholds } from '../sla/live-thresholds.js';
import type { ProgressDisplay } from './execute-plan.js';

/** How often the outputs get an interval: the time series' own interval. */
export const STREAM_INTERVAL_MS = 1000;

/** The bounds (ms) of the latency histograms sent to metrics backends. */
export const LATENCY_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];
const LATENCY_BOUNDS_US = LATENCY_BOUNDS_MS.map((ms) => ms * 1000);
/**
 * The bounds of a trend custom metric's buckets, in its own unit: the latency bounds, which suit the `_ms` trends
 * of the ws, sse and grpc steps; a trend of another unit gets the same (its exact sum and count travel beside).
 */
export const METRIC_BOUNDS: readonly number[] = [0, 0.5, ...LATENCY_BOUNDS_MS];

/** Cumulative counts at the last interval sent: the next one sends the difference. */
interface Sent {
  readonly atMs: number;
  readonly total: OutcomeCount;
  readonly byRequest: readonly OutcomeCount[];
  readonly failuresByKind: Readonly<Record<string, number>>;
  readonly droppedArrivals: number;
  /** Each custom metric's values so far, by name. */
  readonly metrics: Readonly<Record<string, MetricCount>>;
}

const NOTHING_SENT: Sent = {
  atMs: 0,
  total: { requests: 0, failures: 0 },
  byRequest: [],
  failuresByKind: {},
  droppedArrivals: 0,
  metrics: {},
};

/**
 * The streaming outputs fed from the run's progress ticks, on the main thread, never from the hot path: every
 * `STREAM_INTERVAL_MS` of the measured phase an interval of what the run's counters gained since the last one
 * (so the intervals add up exactly to the final counts, with workers too), with the latency percentiles of the
 * time series over it; at the end the last, partial interval from the run's final recorder, then the summary.
 * Outputs never throw into the run nor make it wait (outputs/).
 */
export class StreamFeed implements ProgressDisplay {
  readonly intervalMs = STREAM_INTERVAL_MS;
  readonly outputs: readonly StreamOutput[];
  readonly meta: StreamMeta;
  readonly #needsTotals: boolean;
  #sent: Sent = NOTHING_SENT;
  #startEpochMs: number | undefined;
  #users = 0;
  #lastEndEpochMs = 0;

  readonly #redact: (text: string) => string;
  readonly #thresholds: LiveThresholdWatch;
  /** The state last sent of each threshold (by `thresholdId`): a `threshold` line goes out when it changes. */
  readonly #thresholdStates = new Map<string, boolean>();

  /**
   * `redact`: what every name and target sent goes through (the scenario's secrets hidden), as the results file's.
   * `thresholds`: judged live with each interval (as the progress line judges them); each change is sent.
   */
  constructor(
    outputs: readonly StreamOutput[],
    meta: StreamMeta,
    redact: (text: string) => string = (text) => text,
    thresholds: LiveThresholdWatch = NO_THRESHOLDS,
  ) {
    this.outputs = outputs;
    this.#redact = redact;
    this.#thresholds = thresholds;
    this.meta = { ...meta, scenario: redact(meta.scenario), requestNames: meta.requestNames.map(redact) };
    this.#needsTotals = outputs.some((output) => output.needsTotals);
  }

  /** Tells every output the run's labels (a receiver unreachable now is a warning, not an error). */
  start(): void {
    for (const output of this.outputs) output.start(this.meta);
  }

  /** A progress tick: sends an interval when one is due (measured phase only). */
  readonly update = (progress: RunProgress): void => {
    if (progress.phase !== 'measured') return;
    const nowMs = progress.elapsedMs;
    this.#startEpochMs ??= Date.now() - nowMs;
    this.#users = progress.activeUsers;
    if (nowMs - this.#sent.atMs < this.intervalMs * 0.9) return;
    this.#send(progress.recorder, nowMs, this.#startEpochMs + nowMs);
    this.#judgeThresholds(progress, nowMs);
  };

  /** A threshold's new state (lost, or passing again): sent once per change. */
  threshold(change: StreamThresholdChange): void {
    const id = thresholdId(change);
    if (this.#thresholdStates.get(id) === change.passed) return;
    this.#thresholdStates.set(id, change.passed);
    for (const output of this.outputs) output.threshold(change);
  }

  /** The thresholds the figures so far decide, judged as the live display judges them; changes sent. */
  #judgeThresholds(progress: RunProgress, nowMs: number): void {
    const { planned, openModel } = this.#thresholds;
    if (planned.length === 0) return;
    const context = { iterationsInFlight: openModel ? progress.activeUsers : 0 };
    for (const live of liveThresholds(planned, progress.recorder, progress.recorder.counters(), context)) {
      const outcome = live.outcome;
      if (outcome === undefined || outcome.measured === undefined) continue;
      const { key, request, limit } = live.threshold;
      this.threshold({
        offsetMs: round3(nowMs),
        key,
        ...(request === undefined ? {} : { request: this.#redact(request) }),
        ...scopeOf(live.threshold),
        passed: outcome.passed,
        measured: round3(outcome.measured),
        limit,
        description: this.#redact(outcome.description),
      });
    }
  }

  /**
   * The run is over: the last interval (from the final recorder: with it the intervals' requests add up to
   * `results.summary.total.count`), the summary, every output flushed and closed. Returns what each delivered.
   */
  async finish(result: RunResult, results: ResultsDocument): Promise<StreamOutputReport[]> {
    this.#startEpochMs = result.startedAtEpochMs;
    const lastMs = Math.max(result.elapsedMs, this.#sent.atMs);
    if (lastMs > this.#sent.atMs || result.recorder.counters().total.requests > this.#sent.total.requests || this.#sent === NOTHING_SENT)
      this.#send(result.recorder, lastMs, result.endedAtEpochMs, true);
    const total = results.summary.total;
    const summary = {
      verdict: results.verdict,
      durationMs: results.run.durationMs,
      total: {
        count: total.count,
        failures: total.failures,
        errorRate: total.errorRate,
        requestsPerSec: total.requestsPerSec,
        latencyMs: { p50: total.latencyMs.p50, p95: total.latencyMs.p95, p99: total.latencyMs.p99, max: total.latencyMs.max },
      },
      requests: results.summary.requests.map((stats) => ({ name: stats.name, count: stats.count, failures: stats.failures })),
      ...(results.summary.metrics === undefined ? {} : { metrics: results.summary.metrics }),
      thresholds: results.thresholds.map((threshold) => ({
        key: threshold.key,
        ...(threshold.request === undefined ? {} : { request: threshold.request }),
        passed: threshold.passed,
        measured: threshold.measured,
        limit: threshold.limit,
      })),
    };
    await Promise.all(this.outputs.map((output) => output.finish(summary).catch(() => undefined)));
    return this.outputs.map((output) => {
      const report = output.report();
      return {
        ...report,
        target: this.#redact(report.target),
        ...(report.error === undefined ? {} : { error: this.#redact(report.error) }),
      };
    });
  }

  #send(recorder: Recorder, toMs: number, wallEndMs: number, last = false): void {
    // Receivers refuse a sample older than the one before: the wall clock of each interval's end only moves on.
    const endEpochMs = Math.max(wallEndMs, this.#lastEndEpochMs + 1);
    this.#lastEndEpochMs = endEpochMs;
    const breakdown = recorder.outcomeBreakdown();
    const counters = recorder.counters();
    const before = this.#sent;
    const byRequest: Record<string, OutcomeCount> = {};
    const cumulative: OutcomeCount[] = [];
    const failuresByKind: Record<string, number> = {};
    let requests = 0;
    let failures = 0;
    breakdown.forEach((outcomes, slot) => {
      const previous = before.byRequest[slot] ?? { requests: 0, failures: 0 };
      byRequest[this.#redact(outcomes.name)] = {
        requests: outcomes.requests - previous.requests,
        failures: outcomes.failures - previous.failures,
      };
      cumulative.push({ requests: outcomes.requests, failures: outcomes.failures });
      requests += outcomes.requests;
      failures += outcomes.failures;
      for (const [kind, count] of Object.entries(failuresByKindOf(outcomes))) failuresByKind[kind] = (failuresByKind[kind] ?? 0) + count;
    });
    const fromMs = before.atMs;
    // Percentiles from the series' intervals that the interval overlaps (at least one; at the end, the one the
    // run ended in too): the series is on a grid, the intervals on the ticks.
    const bucketMs = recorder.seriesBucketMs;
    const firstMs = Math.floor(fromMs / bucketMs) * bucketMs;
    const endMs = last ? Math.ceil(toMs / bucketMs) * bucketMs : Math.floor(toMs / bucketMs) * bucketMs;
    const window = recorder.seriesWindow(firstMs, Math.max(endMs, firstMs + bucketMs));
    const customMetrics = recorder.customMetrics();
    const metrics = metricCountsOf(customMetrics);
    const point: StreamInterval = {
      offsetMs: round3(fromMs),
      durationMs: round3(toMs - fromMs),
      endEpochMs,
      requests: requests - before.total.requests,
      failures: failures - before.total.failures,
      failuresByKind: difference(failuresByKind, before.failuresByKind),
      byRequest,
      latencyMs: {
        p50: ms(percentileUs(window.histogram, 50)),
        p95: ms(percentileUs(window.histogram, 95)),
        p99: ms(percentileUs(window.histogram, 99)),
      },
      users: this.#users,
      arrivals: window.arrivals,
      droppedArrivals: counters.droppedArrivals - before.droppedArrivals,
      ...(this.#needsTotals ? { totals: this.#totals(recorder, breakdown, counters.droppedArrivals) } : {}),
      ...(customMetrics.length === 0 ? {} : { metrics: metricsGained(metrics, before.metrics) }),
    };
    this.#sent = {
      atMs: toMs,
      total: { requests, failures },
      byRequest: cumulative,
      failuresByKind,
      droppedArrivals: counters.droppedArrivals,
      metrics,
    };
    for (const output of this.outputs) output.interval(point);
  }

  #totals(recorder: Recorder, breakdown: ReturnType<Recorder['outcomeBreakdown']>, droppedArrivals: number): StreamTotals {
    return {
      startEpochMs: this.#startEpochMs ?? Date.now(),
      byRequest: breakdown.map((outcomes): RequestTotals => {
        const responded = Object.values(outcomes.statusCounts).reduce((sum, count) => sum + count, 0);
        return {
          name: this.#redact(outcomes.name),
          requests: outcomes.requests,
          failures: outcomes.failures,
          byStatus: { ...outcomes.statusCounts, ...(outcomes.requests > responded ? { error: outcomes.requests - responded } : {}) },
          failuresByCategory: failuresByKindOf(outcomes),
        };
      }),
      droppedArrivals,
      responseTime: latencyBuckets(recorder.responseTimeHistogram()),
      serviceTime: latencyBuckets(recorder.serviceTimeHistogram()),
      metrics: recorder.customMetrics().map((metric): MetricTotals => ({
        name: metric.name,
        kind: metric.kind,
        count: metric.count,
        sum: metric.sum,
        ...(metric.kind === 'trend' ? { buckets: { bounds: METRIC_BOUNDS, counts: metric.bucketCounts(METRIC_BOUNDS) } } : {}),
      })),
    };
  }
}

/** The thresholds a feed judges live: none unless given. */
export interface LiveThresholdWatch {
  readonly planned: readonly PlannedThreshold[];
  /** Open model: the iterations in flight count as arrivals for the dropped rate (as the live display counts them). */
  readonly openModel: boolean;
}

const NO_THRESHOLDS: LiveThresholdWatch = { planned: [], openModel: false };

/** Whose figures a threshold judges beyond its request: a scenario's, a tag's or a custom metric's. */
function scopeOf(threshold: PlannedThreshold): Pick<StreamThresholdChange, 'scenario' | 'tag' | 'metric'> {
  return {
    ...(threshold.scenario === undefined ? {} : { scenario: threshold.scenario }),
    ...(threshold.tag === undefined ? {} : { tag: threshold.tag }),
    ...(threshold.customMetric === undefined ? {} : { metric: threshold.customMetric }),
  };
}

function thresholdId(change: StreamThresholdChange): string {
  return JSON.stringify([change.key, change.request ?? '', change.scenario ?? '', change.tag ?? '', change.metric ?? '']);
}

/** The streaming outputs of a run, with its labels: `runId` names the run (every shard of it, when given). */
export async function createStreamFeed(
  specs: readonly OutputSpec[],
  plan: Plan,
  options: OutputContext & {
    readonly runId?: string;
    readonly shard?: { readonly index: number; readonly count: number };
    /** Judged live with each interval; their changes go out as `threshold` lines. */
    readonly thresholds?: readonly PlannedThreshold[];
  },
): Promise<StreamFeed | undefined> {
  if (specs.length === 0) return undefined;
  const outputs = await createStreamOutputs(specs, options);
  return new StreamFeed(
    outputs,
    {
      runId: options.runId ?? randomUUID(),
      scenario: plan.name,
      ...(options.shard === undefined ? {} : { shard: options.shard }),
      requestNames: [...new Set(plan.requests.map((request) => request.name))],
    },
    (text) => redactText(text, plan.secrets),
    { planned: options.thresholds ?? [], openModel: modelOf(plan.profile) === 'open' },
  );
}

/** The failures of one request name by kind: error categories, and `status` for the rest (a status not expected). */
function failuresByKindOf(outcomes: ReturnType<Recorder['outcomeBreakdown']>[number]): Record<string, number> {
  const byKind: Record<string, number> = { ...outcomes.errorCounts };
  const byStatus = outcomes.failures - Object.values(outcomes.errorCounts).reduce((sum, count) => sum + count, 0);
  if (byStatus > 0) byKind['status'] = byStatus;
  return byKind;
}

/** Each custom metric's count and sum so far, by name. */
function metricCountsOf(metrics: ReturnType<Recorder['customMetrics']>): Record<string, MetricCount> {
  return Object.fromEntries(metrics.map((metric) => [metric.name, { count: metric.count, sum: metric.sum }]));
}

/** What each custom metric gained since `before`. */
function metricsGained(
  now: Readonly<Record<string, MetricCount>>,
  before: Readonly<Record<string, MetricCount>>,
): Record<string, MetricCount> {
  const out: Record<string, MetricCount> = {};
  for (const [name, metric] of Object.entries(now)) {
    const previous = before[name] ?? { count: 0, sum: 0 };
    out[name] = { count: metric.count - previous.count, sum: metric.sum - previous.sum };
  }
  return out;
}

function difference(now: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, count] of Object.entries(now)) {
    const gained = count - (before[kind] ?? 0);
    if (gained > 0) out[kind] = gained;
  }
  return out;
}

function latencyBuckets(histogram: ReturnType<Recorder['responseTimeHistogram']>): LatencyBuckets {
  const buckets = explicitBuckets(histogram, LATENCY_BOUNDS_US);
  return { boundsMs: LATENCY_BOUNDS_MS, counts: buckets.counts, count: buckets.count, sumMs: buckets.sumUs / 1000 };
}

function ms(us: number): number {
  return round3(us / 1000);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
