import { hostname } from 'node:os';
import type { Plan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { RunResult } from '../engine/run-result.js';
import type { ErrorCategory, FailureKind } from '../metrics/error-category.js';
import type { FailureSample } from '../metrics/failure-samples.js';
import type { GeneratorLoad } from '../metrics/generator-load.js';
import type { CustomMetricSummary } from '../metrics/custom-metrics.js';
import type { LatencySummary } from '../metrics/latency-histogram.js';
import { TIMING_PHASES } from '../metrics/request-timings.js';
import type { TimingPhase } from '../metrics/request-timings.js';
import type { Recorder } from '../metrics/recorder.js';
import type { MonitorResults } from '../monitor/monitor-results.js';
import type { RequestStats } from '../metrics/recorder-snapshot.js';
import type { SeriesPoint } from '../metrics/time-series.js';
import type { ThresholdOutcome } from '../sla/evaluate-thresholds.js';
import type { FindLimitDocument } from '../sla/find-limit.js';
import { evaluateThresholds } from '../sla/evaluate-thresholds.js';
import { recorderSubjects } from '../sla/recorder-subjects.js';
import type { ScenarioRequests } from '../sla/recorder-subjects.js';
import { redactDeep } from '../scenario/secrets.js';
import { LOADSEED_VERSION } from '../version.js';
import type { BaselineDocument } from './baseline.js';
import { recorderDocument } from './recorder-encoding.js';
import type { RecorderDocument } from './recorder-encoding.js';

export const RESULTS_FORMAT_VERSION = 1;

/** Latencies in milliseconds, rounded to the microsecond. */
export interface LatencyMs {
  readonly min: number;
  readonly mean: number;
  readonly stdDev: number;
  readonly p50: number;
  readonly p75: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly 'p99.9': number;
  readonly max: number;
}

/** One timing phase in milliseconds, and how many requests (connection phases: new connections) it was measured on. */
export interface TimingMs extends LatencyMs {
  readonly count: number;
}

/**
 * The phases of the requests (metrics/request-timings.ts): `dns`, `connect` and `tls` once per new connection,
 * `ttfb` (waiting) and `download` per response. A phase never measured has count 0 and zeros.
 */
export type TimingsDocument = Readonly<Record<TimingPhase, TimingMs>>;

export interface StatsDocument {
  readonly name: string;
  /** Requests that ended (successes + failures). */
  readonly count: number;
  readonly successes: number;
  readonly failures: number;
  /** failures / count; 0 when nothing ended. */
  readonly errorRate: number;
  readonly interrupted: number;
  readonly requestsPerSec: number;
  /** Response time, from when the request was due. */
  readonly latencyMs: LatencyMs;
  /** Service time, from the actual send. */
  readonly serviceTimeMs: LatencyMs;
  /** The requests' phases (absent in files from before they were measured). */
  readonly timings?: TimingsDocument;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly errors: Readonly<Partial<Record<ErrorCategory, number>>>;
  /** Example messages of the failures (a few distinct ones per kind), most frequent first; absent when none failed. */
  readonly failureSamples?: readonly FailureSample[];
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** One scenario of several (or one tag, `name` being `key:value`): its requests' figures together, and which request names are its. */
export interface ScenarioStatsDocument extends StatsDocument {
  readonly requestNames: readonly string[];
}

/**
 * A custom metric's figures (`metric:` on requests). Both kinds: how many values were read, their exact sum
 * (a counter's figure), min and max; a trend also its mean and percentiles (from its histogram, to 3
 * significant digits). min, max, avg and the percentiles are absent when no value was read.
 */
export interface CustomMetricDocument {
  readonly name: string;
  readonly kind: 'trend' | 'counter';
  readonly count: number;
  readonly sum: number;
  readonly min?: number;
  readonly max?: number;
  readonly avg?: number;
  readonly p50?: number;
  readonly p90?: number;
  readonly p95?: number;
  readonly p99?: number;
}

export type Verdict = 'passed' | 'failed' | 'interrupted';

/** A merge of some shards of a split only (`merge --allow-partial`): the split, and the shards (1-based) not merged. */
export interface PartialDocument {
  readonly shardCount: number;
  readonly missingShards: readonly number[];
}

export interface ThresholdDocument {
  readonly key: string;
  readonly request?: string;
  /** Judged on one scenario's requests together. */
  readonly scenario?: string;
  /** Judged on the requests of one tag (`key:value`) together. */
  readonly tag?: string;
  /** Judged on a custom metric (the key is then `pNN`, `avg`, `max`, `sum_max` or `sum_min`). */
  readonly metric?: string;
  readonly limit: number;
  readonly measured: number | null;
  readonly passed: boolean;
  /** The default threshold (`DEFAULT_THRESHOLD`), applied because the scenario set none. */
  readonly default?: true;
  readonly description: string;
}

/** loadseed's own load during the measured phase: whether the figures may show its limits, not the target's. */
export interface GeneratorDocument {
  /** Worker threads that generated the load (1: the run stayed on one thread). */
  readonly workers: number;
  /** CPU of the whole loadseed process (every thread), in % of one core. */
  readonly cpuPercent: number;
  /** The busiest thread's event-loop utilisation (its CPU use), in % of one core. */
  readonly busyPercent: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Open model: how late arrivals were dispatched, p99. */
  readonly schedulerLagP99Ms: number;
  readonly saturated: boolean;
  readonly reason?: string;
  /** Lagging while loadseed itself used little CPU: other processes took the machine (a warning). Absent in older files. */
  readonly noisyMachine?: boolean;
  readonly noiseReason?: string;
  readonly threads: readonly {
    readonly busyPercent: number;
    /** Share of the run (%) the thread was at least 90% busy. */
    readonly saturatedTimePercent: number;
    readonly eventLoopDelayP99Ms: number;
    readonly eventLoopDelayMaxMs: number;
  }[];
}

/** How the requests were sent. */
export interface HttpDocument {
  /** `socket`: loadseed's raw-socket HTTP/1.1 (static requests); `flow`: user journeys on undici. */
  readonly transport: 'socket' | 'flow';
  /** HTTP/2 was offered (ALPN, `http.http2`). */
  readonly http2: boolean;
  /** Certificate verification was off (`http.tls.insecure`). */
  readonly tlsInsecure: boolean;
}

/** `sla.abort_on_fail` stopped the run early: the threshold found lost, and when. */
export interface AbortedByDocument {
  readonly kind: 'threshold';
  readonly key: string;
  readonly request?: string;
  readonly scenario?: string;
  readonly tag?: string;
  readonly limit: number;
  /** The threshold's value when it was found lost. */
  readonly measured: number;
  readonly description: string;
  /** When it was found lost, ms from the measured phase's t=0. */
  readonly atMs: number;
}

/** A streaming output of the run (`--output`, `report.outputs`): where to, and what it delivered. */
export interface StreamOutputDocument {
  readonly kind: 'jsonl' | 'otlp' | 'prometheus-rw';
  /** The file, or the receiver's URL (a password hidden). */
  readonly target: string;
  /** Batches delivered (for jsonl, lines written). */
  readonly sent: number;
  /** Batches dropped: the receiver down, slow or refusing, or its queue full. */
  readonly dropped: number;
  /** Why the first batch was dropped, when any was. */
  readonly error?: string;
}

/**
 * The results file (`--out`, `report.json`; `schemas/results.schema.json`): everything a report needs, from
 * the file alone. `recorder` holds every histogram and counter, so `merge` recomputes the rest exactly.
 */
export interface ResultsDocument {
  readonly kind: 'loadseed-results';
  readonly version: typeof RESULTS_FORMAT_VERSION;
  readonly loadseed: string;
  readonly scenario: { readonly name: string; readonly file: string; readonly plan: string };
  readonly run: {
    readonly startedAt: string;
    readonly endedAt: string;
    readonly durationMs: number;
    /** The end of `durationMs` after the load stopped: nothing new started, requests in flight finished. */
    readonly drainMs?: number;
    readonly host: string;
    readonly interrupted: boolean;
    /** A warm-up ran first and is left out of every figure here. */
    readonly warmupExcluded: boolean;
    readonly warmupRequests: number;
    /** Stopped early by `sla.abort_on_fail` (then not interrupted, and failed). */
    readonly abortedBy?: AbortedByDocument;
    /** Results of this many runs (shards) merged into these (`loadseed merge`). */
    readonly shards?: number;
    /** This run was one shard of a sharded run (`--shard i/n`, 1-based). */
    readonly shard?: { readonly index: number; readonly count: number };
    /** Merged from an incomplete set of shards (`loadseed merge --allow-partial`): the figures cover only part of the run. */
    readonly partial?: PartialDocument;
    readonly http?: HttpDocument;
    /** `setup` requests that failed, before the load (one line each). */
    readonly setupFailures?: readonly string[];
    /** Ended early, as planned, because a `unique` data file was used up (`when_exhausted: stop`). */
    readonly dataExhausted?: boolean;
    /** `run --start-at` / `--start-in`: the instant the measured phase was to start at. */
    readonly startAt?: string;
    /** How long after `startAt` the measured phase started (0: on time); absent when it never started. */
    readonly startLateMs?: number;
  };
  readonly verdict: Verdict;
  readonly summary: {
    readonly total: StatsDocument;
    readonly requests: readonly StatsDocument[];
    /** A file with `scenarios`: each scenario's requests together (`name` is the scenario's), with their names. */
    readonly scenarios?: readonly ScenarioStatsDocument[];
    /** Requests with `tags`: each tag pair's requests together (`name` is `key:value`), with their names. */
    readonly tags?: readonly ScenarioStatsDocument[];
    /** Custom metrics (`metric:` on requests), in the order declared. */
    readonly metrics?: readonly CustomMetricDocument[];
    readonly iterations: number;
    readonly droppedArrivals: number;
    readonly schedulerLagMs: LatencyMs;
  };
  readonly generator: GeneratorDocument;
  readonly thresholds: readonly ThresholdDocument[];
  readonly series: readonly {
    readonly startMs: number;
    readonly durationMs: number;
    readonly requests: number;
    readonly failures: number;
    /** The failures by kind: an error category, or `status` (kinds with none are left out). */
    readonly failuresByKind: Readonly<Partial<Record<FailureKind, number>>>;
    /** Open model: arrivals that started an iteration (scheduled in this interval); 0 in the closed model. */
    readonly arrivals: number;
    readonly droppedArrivals: number;
    readonly activeUsers: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly p99Ms: number;
  }[];
  /** `monitor`: the server-side resources sampled during the measured phase, one entry per source (src/monitor/). */
  readonly monitor?: MonitorResults;
  readonly recorder: RecorderDocument;
  /**
   * `loadseed find-limit` only: each step of the stepped arrival rate judged on its own window, the limit and
   * the knee (sla/find-limit.ts). `thresholds` and `verdict` are then those of the step at the limit.
   */
  readonly findLimit?: FindLimitDocument;
  /** `run --baseline`: the comparison with an earlier run; a regression fails the run. */
  readonly baseline?: BaselineDocument;
  /** The streaming outputs (`--output`): what each delivered and dropped; merged results list every shard's. */
  readonly outputs?: readonly StreamOutputDocument[];
}

/** A run told when to start (`run --start-at`): the instant, and how late its measured phase started at it. */
export interface RunStart {
  readonly atEpochMs: number;
  /** Undefined when the measured phase never started (interrupted while waiting). */
  readonly lateMs?: number;
}

/** What a results document is made of: the run's metadata, its recorder, and the thresholds to judge it by. */
export interface ResultsInput {
  readonly scenario: ResultsDocument['scenario'];
  /** Wall clock (labels only) of the measured phase's t=0 and of its end. */
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number;
  /** The measured phase's length: throughput is over it. */
  readonly elapsedMs: number;
  /** The end of `elapsedMs` after the load stopped (RunResult.drainMs); unknown for results from before it was recorded. */
  readonly drainMs?: number;
  readonly host: string;
  readonly interrupted: boolean;
  readonly warmupExcluded: boolean;
  readonly warmupRequests: number;
  readonly abortedBy?: AbortedByDocument;
  readonly shards?: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly partial?: PartialDocument;
  readonly http?: HttpDocument;
  readonly setupFailures?: readonly string[];
  readonly dataExhausted?: boolean;
  readonly start?: RunStart;
  readonly recorder: Recorder;
  readonly thresholds: readonly PlannedThreshold[];
  /** A file with `scenarios`: which request names each one's are (its block in the summary). */
  readonly scenarios?: readonly ScenarioRequests[];
  /** Requests with `tags`: the request names of each tag pair (its block in the summary). */
  readonly tags?: readonly ScenarioRequests[];
  readonly generator: GeneratorDocument;
  /** The monitor's series, offsets from startedAtEpochMs (src/monitor/start-monitor.ts). */
  readonly monitor?: MonitorResults;
}

/**
 * Evaluates the plan's thresholds against a run and assembles the results document. Pure but for the host name.
 * `options.monitor`: what the plan's `monitor` sampled during the run (`RunningMonitor.stop()`).
 */
export function buildResults(
  plan: Plan,
  thresholds: readonly PlannedThreshold[],
  result: RunResult,
  options: {
    readonly abortedBy?: AbortedByDocument;
    readonly monitor?: MonitorResults;
    readonly shard?: { readonly index: number; readonly count: number };
    readonly start?: RunStart;
  } = {},
): ResultsDocument {
  const { abortedBy, monitor } = options;
  const document = assembleResults({
    scenario: { name: plan.name, file: plan.scenarioFile, plan: describePlan(plan) },
    startedAtEpochMs: result.startedAtEpochMs,
    endedAtEpochMs: result.endedAtEpochMs,
    elapsedMs: result.elapsedMs,
    drainMs: result.drainMs,
    host: hostname(),
    // Stopped by a lost threshold: the run ended early on purpose, it was not interrupted.
    interrupted: result.interrupted && abortedBy === undefined,
    warmupExcluded: result.warmupRan,
    warmupRequests: result.warmupRan ? result.warmupRecorder.snapshot().total.requests : 0,
    ...(abortedBy === undefined ? {} : { abortedBy }),
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    http: {
      transport: plan.flow === undefined ? 'socket' : 'flow',
      http2: plan.flow?.http2 ?? false,
      tlsInsecure: plan.tls?.insecure ?? false,
    },
    ...(result.setupFailures === undefined ? {} : { setupFailures: result.setupFailures }),
    ...(result.dataExhausted === true ? { dataExhausted: true } : {}),
    ...(options.start === undefined ? {} : { start: options.start }),
    recorder: result.recorder,
    thresholds,
    ...(plan.scenarios === undefined
      ? {}
      : { scenarios: plan.scenarios.map((part) => ({ name: part.name, requestNames: part.requestNames })) }),
    ...(plan.tagGroups === undefined ? {} : { tags: plan.tagGroups }),
    generator: generatorDocument(result.generator),
    ...(monitor === undefined ? {} : { monitor }),
  });
  // Secrets (values from the environment, credentials, secret headers) never reach a file: every string of the
  // document is redacted, the recorder's names and messages included (its encoded numbers hold no text).
  return redactDeep(document, plan.secrets, ENCODED_KEYS);
}

/** Keys whose values are encoded data, not text: left as they are by redaction. */
const ENCODED_KEYS: ReadonlySet<string> = new Set(['data']);

/**
 * The results document of a recorder: summary, series and threshold outcomes computed from it, the recorder
 * itself encoded. Verdict: failed when aborted by a threshold, else interrupted when interrupted, else passed
 * only when every threshold is met. Pure.
 */
export function assembleResults(input: ResultsInput): ResultsDocument {
  const { recorder } = input;
  const snapshot = recorder.snapshot();
  const seconds = input.elapsedMs / 1000;
  const customMetrics = recorder.customMetrics();
  const outcomes = evaluateThresholds(
    input.thresholds,
    recorderSubjects(recorder, input.elapsedMs, snapshot, input.scenarios, input.tags),
    (name) => customMetrics.find((metric) => metric.name === name),
  );
  return {
    kind: 'loadseed-results',
    version: RESULTS_FORMAT_VERSION,
    loadseed: LOADSEED_VERSION,
    scenario: { name: input.scenario.name, file: input.scenario.file, plan: input.scenario.plan },
    run: runDocument(input),
    verdict: verdictOf(input, outcomes),
    summary: {
      total: statsDocument(snapshot.total, seconds),
      requests: snapshot.requests.map((stats) => statsDocument(stats, seconds)),
      ...(input.scenarios === undefined
        ? {}
        : {
            scenarios: input.scenarios.map((part) => ({
              ...statsDocument(recorder.groupStats(part.name, part.requestNames).stats, seconds),
              requestNames: part.requestNames,
            })),
          }),
      ...(input.tags === undefined
        ? {}
        : {
            tags: input.tags.map((group) => ({
              ...statsDocument(recorder.groupStats(group.name, group.requestNames).stats, seconds),
              requestNames: group.requestNames,
            })),
          }),
      ...(customMetrics.length === 0 ? {} : { metrics: customMetrics.map(customMetricDocument) }),
      iterations: snapshot.iterations,
      droppedArrivals: snapshot.droppedArrivals,
      schedulerLagMs: latencyMs(snapshot.schedulerLag),
    },
    generator: input.generator,
    thresholds: outcomes.map(thresholdDocument),
    // The interval the run ended in is only as long as the part of it the run lasted: its counts are over that.
    series: snapshot.series.map((point) =>
      seriesPointDocument(point, intervalDurationMs(point.startMs, point.durationMs, input.elapsedMs)),
    ),
    ...(input.monitor === undefined ? {} : { monitor: input.monitor }),
    recorder: recorderDocument(recorder),
  };
}

/** The document's `run`: when, how long, where, and how it went (interrupted, aborted, sharded, …). */
function runDocument(input: ResultsInput): ResultsDocument['run'] {
  return {
    startedAt: new Date(input.startedAtEpochMs).toISOString(),
    endedAt: new Date(input.endedAtEpochMs).toISOString(),
    durationMs: round3(input.elapsedMs),
    ...(input.drainMs === undefined ? {} : { drainMs: round3(Math.min(input.drainMs, input.elapsedMs)) }),
    host: input.host,
    interrupted: input.interrupted,
    warmupExcluded: input.warmupExcluded,
    warmupRequests: input.warmupRequests,
    ...(input.abortedBy === undefined ? {} : { abortedBy: input.abortedBy }),
    ...(input.shards === undefined ? {} : { shards: input.shards }),
    ...(input.shard === undefined ? {} : { shard: input.shard }),
    ...(input.partial === undefined ? {} : { partial: input.partial }),
    ...(input.http === undefined ? {} : { http: input.http }),
    ...(input.setupFailures === undefined ? {} : { setupFailures: input.setupFailures }),
    ...(input.dataExhausted === true ? { dataExhausted: true } : {}),
    ...(input.start === undefined ? {} : startDocument(input.start)),
  };
}

/** `run.startAt` and `run.startLateMs` of a run told when to start. */
function startDocument(start: RunStart): Pick<ResultsDocument['run'], 'startAt' | 'startLateMs'> {
  return {
    startAt: new Date(start.atEpochMs).toISOString(),
    ...(start.lateMs === undefined ? {} : { startLateMs: round3(Math.max(0, start.lateMs)) }),
  };
}

/** Failed when aborted by a threshold, else interrupted when interrupted, else passed only when every threshold is met. */
function verdictOf(input: ResultsInput, outcomes: readonly ThresholdOutcome[]): Verdict {
  if (input.abortedBy !== undefined) return 'failed';
  if (input.interrupted) return 'interrupted';
  return outcomes.every((outcome) => outcome.passed) ? 'passed' : 'failed';
}

/**
 * How long an interval of the series really lasted: the whole interval, but for the one the run ended in
 * (`runMs` after t=0), cut there. An interval starting at or after the end keeps its length (it is empty).
 */
export function intervalDurationMs(startMs: number, durationMs: number, runMs: number): number {
  const leftMs = round3(runMs - startMs);
  return leftMs > 0 && leftMs < durationMs ? leftMs : durationMs;
}

/** A threshold outcome as `run.abortedBy` records it. */
export function abortedByDocument(outcome: ThresholdOutcome & { readonly measured: number }, atMs: number): AbortedByDocument {
  const { threshold } = outcome;
  return {
    kind: 'threshold',
    key: threshold.key,
    ...(threshold.request === undefined ? {} : { request: threshold.request }),
    ...(threshold.scenario === undefined ? {} : { scenario: threshold.scenario }),
    ...(threshold.tag === undefined ? {} : { tag: threshold.tag }),
    limit: threshold.limit,
    measured: round3(outcome.measured),
    description: outcome.description,
    atMs: round3(atMs),
  };
}

/** One request name's (or the total's) figures over `seconds`, as the results file writes them. */
export function statsDocument(stats: RequestStats, seconds: number): StatsDocument {
  const errors: Partial<Record<ErrorCategory, number>> = {};
  for (const [category, count] of Object.entries(stats.errorCounts) as [ErrorCategory, number][]) {
    if (count > 0) errors[category] = count;
  }
  return {
    name: stats.name,
    count: stats.requests,
    successes: stats.successes,
    failures: stats.failures,
    errorRate: stats.requests === 0 ? 0 : stats.failures / stats.requests,
    interrupted: stats.interrupted,
    requestsPerSec: seconds > 0 ? round3(stats.requests / seconds) : 0,
    latencyMs: latencyMs(stats.responseTime),
    serviceTimeMs: latencyMs(stats.serviceTime),
    timings: timingsDocument(stats),
    statusCodes: stats.statusCounts,
    errors,
    ...(stats.failureSamples.length === 0 ? {} : { failureSamples: stats.failureSamples }),
    bytesIn: stats.bytesIn,
    bytesOut: stats.bytesOut,
  };
}

function timingsDocument(stats: RequestStats): TimingsDocument {
  const timings = {} as Record<TimingPhase, TimingMs>;
  for (const phase of TIMING_PHASES) timings[phase] = { count: stats.timings[phase].count, ...latencyMs(stats.timings[phase]) };
  return timings;
}

/** A custom metric's figures as the results file writes them (rounded to 6 decimals: values are the target's, in its unit). */
export function customMetricDocument(metric: CustomMetricSummary): CustomMetricDocument {
  const round = (value: number): number => Math.round(value * 1e6) / 1e6;
  const extremes =
    metric.count === 0 || metric.min === undefined || metric.max === undefined || metric.avg === undefined
      ? {}
      : { min: round(metric.min), max: round(metric.max), avg: round(metric.avg) };
  const percentiles =
    metric.kind !== 'trend' || metric.count === 0
      ? {}
      : {
          p50: round(metric.percentile(50)),
          p90: round(metric.percentile(90)),
          p95: round(metric.percentile(95)),
          p99: round(metric.percentile(99)),
        };
  return { name: metric.name, kind: metric.kind, count: metric.count, sum: round(metric.sum), ...extremes, ...percentiles };
}

function latencyMs(summary: LatencySummary): LatencyMs {
  return {
    min: ms(summary.minUs),
    mean: ms(summary.meanUs),
    stdDev: ms(summary.stdDevUs),
    p50: ms(summary.p50Us),
    p75: ms(summary.p75Us),
    p90: ms(summary.p90Us),
    p95: ms(summary.p95Us),
    p99: ms(summary.p99Us),
    'p99.9': ms(summary.p999Us),
    max: ms(summary.maxUs),
  };
}

export function generatorDocument(load: GeneratorLoad): GeneratorDocument {
  return {
    workers: load.workers,
    cpuPercent: round1(load.cpuPercent),
    busyPercent: round1(load.busyPercent),
    eventLoopDelayP99Ms: round3(load.eventLoopDelayP99Ms),
    eventLoopDelayMaxMs: round3(load.eventLoopDelayMaxMs),
    schedulerLagP99Ms: round3(load.schedulerLagP99Ms),
    saturated: load.saturated,
    ...(load.reason === undefined ? {} : { reason: load.reason }),
    noisyMachine: load.noisyMachine,
    ...(load.noiseReason === undefined ? {} : { noiseReason: load.noiseReason }),
    threads: load.threads.map((thread) => ({
      busyPercent: round1(thread.busyPercent),
      saturatedTimePercent: round1(thread.saturatedTimePercent),
      eventLoopDelayP99Ms: round3(thread.eventLoopDelayP99Ms),
      eventLoopDelayMaxMs: round3(thread.eventLoopDelayMaxMs),
    })),
  };
}

/** One interval of the time series as the results file has it (ms, 3 decimals), over `durationMs`. */
export function seriesPointDocument(point: SeriesPoint, durationMs: number = point.durationMs): ResultsDocument['series'][number] {
  return {
    startMs: point.startMs,
    durationMs,
    requests: point.requests,
    failures: point.failures,
    failuresByKind: point.failuresByKind,
    arrivals: point.arrivals,
    droppedArrivals: point.droppedArrivals,
    activeUsers: point.activeUsers,
    p50Ms: ms(point.p50Us),
    p95Ms: ms(point.p95Us),
    p99Ms: ms(point.p99Us),
  };
}

function thresholdDocument(outcome: ThresholdOutcome): ThresholdDocument {
  const { threshold } = outcome;
  return {
    key: threshold.key,
    ...(threshold.request === undefined ? {} : { request: threshold.request }),
    ...(threshold.scenario === undefined ? {} : { scenario: threshold.scenario }),
    ...(threshold.tag === undefined ? {} : { tag: threshold.tag }),
    ...(threshold.customMetric === undefined ? {} : { metric: threshold.customMetric }),
    limit: threshold.limit,
    measured: outcome.measured === undefined ? null : round3(outcome.measured),
    passed: outcome.passed,
    ...(threshold.default === true ? { default: true as const } : {}),
    description: outcome.description,
  };
}

function ms(us: number): number {
  return round3(us / 1000);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
