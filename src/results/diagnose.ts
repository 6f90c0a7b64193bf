import { grpcCodeOfLabel } from '../metrics/status-label.js';
import type { ErrorCategory } from '../metrics/error-category.js';
import type { MonitorSourceResults } from '../monitor/monitor-results.js';
import type { ResultsDocument } from './results-document.js';

/** Which rule found a cause (README: "What broke: the verdict's rules"), in the order they are ranked. */
export type DiagnosisRule = 'generator-saturated' | 'server-cpu-bound' | 'target-errors' | 'arrivals-dropped' | 'latency-knee';

/** One likely cause of a failed or degraded run: the rule that found it, a sentence for people, and its figures. */
export interface Diagnosis {
  readonly rule: DiagnosisRule;
  /** `server CPU-bound from 225/s (monitor: node 98% CPU)` */
  readonly sentence: string;
  /** The figures the sentence rests on, one line each. */
  readonly evidence: readonly string[];
  /** When it started, ms from the measured phase's t=0, when the series says. */
  readonly fromMs?: number;
}

/** The numbers the rules judge by (the README states each rule with them). */
export interface DiagnosisLimits {
  /**
   * A monitored source is CPU-bound at or above this CPU, in % of one core — counting the time its main thread
   * waited for a CPU, where the monitor knows it (a process on Linux)…
   */
  readonly cpuBoundPercent: number;
  /** …from the first sample there, when at least this share of its samples from then on are there too. */
  readonly cpuBoundShare: number;
  /** The target's errors are a cause when they are at least this share of the requests (any, when the run failed). */
  readonly errorShare: number;
  /** Latency rose: an interval's p95 at least this many times the lowest p95 before it… */
  readonly kneeFactor: number;
  /** …and at least this much higher (ms), in that interval and in at least half of those after it. */
  readonly kneeRiseMs: number;
}

export const DIAGNOSIS_LIMITS: DiagnosisLimits = Object.freeze({
  cpuBoundPercent: 90,
  cpuBoundShare: 0.5,
  errorShare: 0.01,
  kneeFactor: 2,
  kneeRiseMs: 10,
});

type SeriesPoint = ResultsDocument['series'][number];

/** The failures that come from the target, in the order they are named when as frequent. */
const TARGET_ERROR_CATEGORIES = [
  'connection_refused',
  'connection_reset',
  'timeout',
  'protocol',
] as const satisfies readonly ErrorCategory[];

const CATEGORY_LABELS: Readonly<Record<(typeof TARGET_ERROR_CATEGORIES)[number], string>> = {
  connection_refused: 'connections refused',
  connection_reset: 'connections reset',
  timeout: 'timeouts',
  protocol: 'protocol errors',
};

/**
 * The most likely causes of a failed (or degraded) run, most likely first, from its results document alone:
 * loadseed's own saturation, a monitored server at its CPU's limit, the target's errors, dropped arrivals,
 * latency that rose. Empty when nothing went wrong. Pure.
 */
export function diagnose(results: ResultsDocument, limits: DiagnosisLimits = DIAGNOSIS_LIMITS): Diagnosis[] {
  const series = loadSeries(results);
  const openModel = results.series.some((point) => point.arrivals > 0 || point.droppedArrivals > 0);
  const errors = targetErrors(results, limits);
  const knee = latencyKnee(series, limits);
  const troubled = results.verdict === 'failed' || errors !== undefined || results.summary.droppedArrivals > 0 || knee !== undefined;
  const cpuBound = troubled ? cpuBoundSources(results, series, openModel, limits) : [];
  const dropped = droppedArrivals(results, cpuBound.length > 0);
  const diagnoses: Diagnosis[] = [];
  if (results.generator.saturated) diagnoses.push(generatorSaturated(results.generator));
  diagnoses.push(...cpuBound);
  if (errors !== undefined) diagnoses.push(errors);
  if (dropped !== undefined) diagnoses.push(dropped);
  if (knee !== undefined && cpuBound.length === 0) diagnoses.push(kneeDiagnosis(results, knee, openModel));
  return diagnoses;
}

/** The intervals of the load: the drain (after the load stopped, only the slow requests in flight) left out. */
function loadSeries(results: ResultsDocument): SeriesPoint[] {
  const loadEndMs = results.run.durationMs - (results.run.drainMs ?? 0);
  const points = results.series.filter((point) => point.startMs < loadEndMs);
  return points.length === 0 ? results.series.slice(0, 1) : points;
}

function generatorSaturated(generator: ResultsDocument['generator']): Diagnosis {
  const threads = generator.workers === 1 ? '1 thread' : `${generator.workers} worker threads`;
  return {
    rule: 'generator-saturated',
    sentence: 'generator saturated: results describe loadseed, not the target',
    evidence: [
      ...(generator.reason === undefined ? [] : [generator.reason]),
      `loadseed used ${round(generator.cpuPercent)}% of one core (${threads}), its busiest thread ${round(generator.busyPercent)}% busy; event-loop delay p99 ${round(generator.eventLoopDelayP99Ms)} ms`,
    ],
  };
}

/** Each monitored source whose CPU stayed at its limit from some point on, the busiest first. */
function cpuBoundSources(
  results: ResultsDocument,
  series: readonly SeriesPoint[],
  openModel: boolean,
  limits: DiagnosisLimits,
): Diagnosis[] {
  const found: { readonly diagnosis: Diagnosis; readonly demandPercent: number }[] = [];
  for (const source of results.monitor ?? []) {
    const bound = cpuBoundFrom(source, limits);
    if (bound === undefined) continue;
    const point = pointAt(series, bound.fromMs);
    const rate = point === undefined ? '' : ` from ${formatRate(ratePerSec(point, openModel))}/s`;
    // Short of CPU on a busy machine: what it used, and how long it waited for more.
    const starved = bound.cpuPercent < limits.cpuBoundPercent;
    const cpu = `${Math.round(bound.cpuPercent)}% CPU${starved ? `, ${Math.round(bound.waitPercent)}% waiting for a CPU` : ''}`;
    const median = starved
      ? `median ${round(bound.cpuPercent)}% on a CPU and ${round(bound.waitPercent)}% waiting for one`
      : `median ${round(bound.cpuPercent)}%`;
    found.push({
      demandPercent: bound.cpuPercent + bound.waitPercent,
      diagnosis: {
        rule: 'server-cpu-bound',
        sentence: `server CPU-bound${rate} (monitor: ${source.name} ${cpu})`,
        evidence: [
          `${source.name}: ${bound.boundSamples} of ${bound.samples} samples from ${seconds(bound.fromMs)} s on at ≥ ${limits.cpuBoundPercent}% of one core, on a CPU or waiting for one (${median})`,
          ...(point === undefined ? [] : [`${rateText(point, openModel)} in the interval from ${seconds(point.startMs)} s`]),
        ],
        fromMs: bound.fromMs,
      },
    });
  }
  return found.sort((a, b) => b.demandPercent - a.demandPercent).map((each) => each.diagnosis);
}

/**
 * A sample is at the limit when the CPU used, plus the time waiting for a CPU where the monitor knows it (a
 * process on a busy machine), reaches `cpuBoundPercent` of one core. From the first such sample after which at
 * least `cpuBoundShare` of the samples are at it too: when (the start of that sample's interval), how many, and
 * the median CPU and wait from then on. Undefined when never.
 */
function cpuBoundFrom(
  source: MonitorSourceResults,
  limits: DiagnosisLimits,
): { fromMs: number; samples: number; boundSamples: number; cpuPercent: number; waitPercent: number } | undefined {
  const points = source.points.flatMap((point) =>
    point.cpuPercent === null ? [] : [{ offsetMs: point.offsetMs, cpu: point.cpuPercent, wait: point.waitPercent ?? 0 }],
  );
  const atLimit = (point: { cpu: number; wait: number }): boolean => point.cpu + point.wait >= limits.cpuBoundPercent;
  for (let index = 0; index < points.length; index += 1) {
    const first = points[index]!;
    if (!atLimit(first)) continue;
    const rest = points.slice(index);
    const boundSamples = rest.filter(atLimit).length;
    if (boundSamples >= rest.length * limits.cpuBoundShare) {
      return {
        fromMs: Math.max(0, first.offsetMs - source.intervalMs),
        samples: rest.length,
        boundSamples,
        cpuPercent: median(rest.map((point) => point.cpu)),
        waitPercent: median(rest.map((point) => point.wait)),
      };
    }
  }
  return undefined;
}

/** The target's errors (bad statuses, refused, reset, timed out, broken responses): what, how many, from when. */
function targetErrors(results: ResultsDocument, limits: DiagnosisLimits): Diagnosis | undefined {
  const total = results.summary.total;
  const categorised = Object.values(total.errors).reduce((sum, count) => sum + (count ?? 0), 0);
  const statusFailures = Math.max(0, total.failures - categorised);
  const kinds = [
    ...(statusFailures > 0 ? statusLabels(total.statusCodes, statusFailures) : []),
    ...TARGET_ERROR_CATEGORIES.map((category) => ({
      kind: category,
      label: CATEGORY_LABELS[category],
      count: total.errors[category] ?? 0,
    })),
  ]
    .filter((each) => each.count > 0)
    .sort((a, b) => b.count - a.count);
  const failures = kinds.reduce((sum, each) => sum + each.count, 0);
  if (failures === 0 || (failures < total.count * limits.errorShare && results.verdict !== 'failed')) return undefined;
  const first = results.series.find((point) => kinds.some((each) => (point.failuresByKind[each.kind] ?? 0) > 0));
  const from =
    first === undefined ? '' : ` from ${clockTime(results.run.startedAt, first.startMs)} UTC, ${seconds(first.startMs)} s into the run`;
  return {
    rule: 'target-errors',
    sentence: `errors: ${joinAnd(kinds.map((each) => each.label))} from the target${from}`,
    evidence: kinds.map(
      (each) => `${each.label}: ${formatCount(each.count)} of ${formatCount(total.count)} requests (${percent(each.count, total.count)})`,
    ),
    ...(first === undefined ? {} : { fromMs: first.startMs }),
  };
}

/**
 * The statuses that failed, named by code: the 5xx, else the 4xx, the most frequent first (at most 3); the
 * failures of the `status` kind shared among them as counted. `unexpected statuses` when none of those.
 */
function statusLabels(statusCodes: Readonly<Record<string, number>>, failures: number): { kind: 'status'; label: string; count: number }[] {
  // A gRPC status other than OK (status-label.ts) is named as a 5xx is.
  const codes = Object.entries(statusCodes).map(([code, count]) => ({
    code: grpcCodeOfLabel(code) === undefined ? Number(code) : grpcCodeOfLabel(code) === 0 ? 200 : 500,
    label: code,
    count,
  }));
  const server = codes.filter((each) => each.code >= 500);
  const named = (server.length > 0 ? server : codes.filter((each) => each.code >= 400)).sort((a, b) => b.count - a.count).slice(0, 3);
  if (named.length === 0) return [{ kind: 'status', label: 'unexpected statuses', count: failures }];
  return named.map((each) => ({ kind: 'status', label: each.label, count: Math.min(each.count, failures) }));
}

/** Open model: arrivals dropped because every user was busy. Either too few users, or users held by a slow server. */
function droppedArrivals(results: ResultsDocument, serverCpuBound: boolean): Diagnosis | undefined {
  const dropped = results.summary.droppedArrivals;
  if (dropped <= 0) return undefined;
  const started = results.series.reduce((sum, point) => sum + point.arrivals, 0);
  const offered = started + dropped;
  const dropping = results.series.filter((point) => point.droppedArrivals > 0);
  const busyUsers = Math.max(0, ...dropping.map((point) => point.activeUsers));
  const first = dropping[0];
  const loadSeconds = (results.run.durationMs - (results.run.drainMs ?? 0)) / 1000;
  const offeredPerSec = loadSeconds > 0 ? offered / loadSeconds : 0;
  const meanMs = results.summary.total.latencyMs.mean;
  const neededUsers = Math.ceil((offeredPerSec * meanMs) / 1000);
  const cause = serverCpuBound ? 'every user waited on the CPU-bound server' : 'max_users too low';
  return {
    rule: 'arrivals-dropped',
    sentence: `arrivals dropped: ${cause} (${formatCount(dropped)} of ${formatCount(offered)} dropped, all ${busyUsers} users busy)`,
    evidence: [
      `${formatRate(offeredPerSec)}/s asked for × ${round(meanMs)} ms mean response time ≈ ${neededUsers} users needed at once (rate × time)`,
      ...(first === undefined ? [] : [`first dropped in the interval from ${seconds(first.startMs)} s`]),
    ],
    ...(first === undefined ? {} : { fromMs: first.startMs }),
  };
}

interface Knee {
  readonly point: SeriesPoint;
  readonly baseMs: number;
}

/**
 * The first interval whose p95 is at least `kneeFactor` × and `kneeRiseMs` above the lowest p95 before it, with
 * at least half of the intervals from it on as high: where latency rose and stayed up. Intervals without
 * responses are skipped.
 */
function latencyKnee(series: readonly SeriesPoint[], limits: DiagnosisLimits): Knee | undefined {
  const answered = series.filter((point) => point.requests > 0);
  let baseMs = Number.POSITIVE_INFINITY;
  for (let index = 1; index < answered.length; index += 1) {
    baseMs = Math.min(baseMs, answered[index - 1]!.p95Ms);
    const limitMs = Math.max(baseMs * limits.kneeFactor, baseMs + limits.kneeRiseMs);
    if (answered[index]!.p95Ms < limitMs) continue;
    const rest = answered.slice(index);
    if (rest.filter((point) => point.p95Ms >= limitMs).length * 2 >= rest.length) return { point: answered[index]!, baseMs };
  }
  return undefined;
}

function kneeDiagnosis(results: ResultsDocument, knee: Knee, openModel: boolean): Diagnosis {
  const sources = (results.monitor ?? []).filter((source) => source.points.some((point) => point.cpuPercent !== null));
  const why =
    sources.length === 0
      ? 'no monitor data to say why'
      : `the monitor shows no CPU limit (${sources.map((source) => `${source.name}: median ${round(medianCpu(source))}% of one core`).join(', ')})`;
  const { point, baseMs } = knee;
  return {
    rule: 'latency-knee',
    sentence: `latency rose from ${formatRate(ratePerSec(point, openModel))}/s; ${why}`,
    evidence: [
      `p95 ${round(point.p95Ms)} ms in the interval from ${seconds(point.startMs)} s, against ${round(baseMs)} ms at best before it`,
      rateText(point, openModel),
    ],
    fromMs: point.startMs,
  };
}

/** The load's interval that holds `atMs` (the last one starting at or before it). */
function pointAt(series: readonly SeriesPoint[], atMs: number): SeriesPoint | undefined {
  let found = series[0];
  for (const point of series) if (point.startMs <= atMs) found = point;
  return found;
}

/** Open model: the rate asked for (arrivals started and dropped); closed: the requests that ended. Per second of the interval. */
function ratePerSec(point: SeriesPoint, openModel: boolean): number {
  if (point.durationMs <= 0) return 0;
  return ((openModel ? point.arrivals + point.droppedArrivals : point.requests) * 1000) / point.durationMs;
}

function rateText(point: SeriesPoint, openModel: boolean): string {
  return `${formatRate(ratePerSec(point, openModel))}/s ${openModel ? 'arrivals asked for' : 'requests'}`;
}

function medianCpu(source: MonitorSourceResults): number {
  return median(source.points.flatMap((point) => (point.cpuPercent === null ? [] : [point.cpuPercent])));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `14:02:31`: the wall-clock time (UTC) `offsetMs` after `startedAt`. */
function clockTime(startedAt: string, offsetMs: number): string {
  return new Date(Date.parse(startedAt) + offsetMs).toISOString().slice(11, 19);
}

/** `503`, `503 and timeouts`, `503, 500 and timeouts` */
function joinAnd(labels: readonly string[]): string {
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]!}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function percent(part: number, whole: number): string {
  return `${whole === 0 ? '0.0' : ((part / whole) * 100).toFixed(1)}%`;
}

/** As the reports write a rate: `1,505` from 100 up, `42.5` below. */
function formatRate(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
