import { parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import { requestNameScope } from '../scenario/request-names.js';
import { tagGroupsOf } from '../scenario/request-tags.js';
import type { TagGroup } from '../scenario/request-tags.js';
import { requestNameOf, requestsOf } from '../scenario/types.js';
import type { ScenarioData, SlaSpec, ThresholdSpec } from '../scenario/types.js';

/** The phases of a request a `timing` threshold reads (metrics/request-timings.ts, `TIMING_PHASES`). */
export type ThresholdPhase = 'dns' | 'connect' | 'tls' | 'ttfb' | 'download';

/** Which figure of a phase's distribution a `timing` threshold reads: its mean, its maximum or a percentile (0–100). */
export type TimingStatistic = 'avg' | 'max' | number;

/**
 * What a threshold measures. Latencies are response times (from when a request was due), in ms; `timing`:
 * one phase of the requests (`ttfb_p95_ms`, `connect_avg_ms`, `download_max_ms`), in ms.
 */
export type ThresholdMetric =
  | { readonly kind: 'avg-latency' }
  | { readonly kind: 'max-latency' }
  | { readonly kind: 'percentile-latency'; readonly percentile: number }
  | { readonly kind: 'error-rate' }
  | { readonly kind: 'min-rps' }
  | { readonly kind: 'dropped-rate' }
  | { readonly kind: 'timing'; readonly phase: ThresholdPhase; readonly statistic: TimingStatistic }
  | { readonly kind: 'custom-metric'; readonly stat: CustomMetricStat };

/**
 * What a threshold on a custom metric reads: a trend's percentile, mean or largest value (each at most the
 * limit), a counter's sum (at most: `sum-max`; at least: `sum-min`).
 */
export type CustomMetricStat =
  | { readonly kind: 'percentile'; readonly percentile: number }
  | { readonly kind: 'avg' }
  | { readonly kind: 'max' }
  | { readonly kind: 'sum-max' }
  | { readonly kind: 'sum-min' };

/** One threshold, normalised: the key as written, what it measures, its limit, and whose figures it reads. */
export interface PlannedThreshold {
  /** The key as written in the scenario, e.g. `p95_latency_ms`. */
  readonly key: string;
  readonly metric: ThresholdMetric;
  readonly limit: number;
  /** A request name, or undefined for the whole run (or a scenario). */
  readonly request?: string;
  /** The scenario (of several) whose requests together it judges, when it is one scenario's. */
  readonly scenario?: string;
  /** With `scenario` or `tag`: the names its requests are reported under (the figures it reads, together). */
  readonly requestNames?: readonly string[];
  /** The tag (`key:value`, `sla.tags`) whose requests together it judges. */
  readonly tag?: string;
  /** The custom metric (`sla.metrics`) it judges; `metric` is then a `custom-metric`. */
  readonly customMetric?: string;
  /** Set when the scenario gave no threshold and this default judged the run instead (`DEFAULT_THRESHOLD`). */
  readonly default?: true;
}

/**
 * The threshold of a run whose scenario sets none (no `sla`, or an `sla` without a threshold): at most 1% of
 * requests may fail, so that a run whose every request failed does not pass. `sla: false` opts out.
 */
export const DEFAULT_THRESHOLD: PlannedThreshold = Object.freeze({
  key: 'max_error_rate',
  metric: { kind: 'error-rate' } as const,
  limit: 0.01,
  default: true as const,
});

/** `sla.abort_on_fail`: when to start evaluating thresholds during the run, and how often. */
export interface AbortOnFailPolicy {
  /** Into the measured phase (the warm-up is never judged). */
  readonly delayMs: number;
  readonly intervalMs: number;
}

export const DEFAULT_ABORT_DELAY_MS = 10_000;
export const DEFAULT_ABORT_INTERVAL_MS = 1_000;

const PERCENTILE_KEY = /^p([0-9]+(?:\.[0-9]+)?)_latency_ms$/;
/** `<phase>_<avg|max|pNN>_ms`: a timing phase's mean, maximum or percentile. */
const TIMING_KEY = /^(dns|connect|tls|ttfb|download)_(avg|max|p([0-9]+(?:\.[0-9]+)?))_ms$/;

/**
 * The scenario's `sla` as a flat list: run-wide thresholds first, then per request, per tag (`sla.tags`, each
 * with the request names of its `tagGroups` entry) and per custom metric (`sla.metrics`), in the order written;
 * `DEFAULT_THRESHOLD` alone when it sets none (or is absent); nothing for `sla: false`.
 */
export function planThresholds(sla: SlaSpec | false | undefined, tagGroups: readonly TagGroup[] = []): PlannedThreshold[] {
  if (sla === false) return [];
  if (sla === undefined) return [DEFAULT_THRESHOLD];
  const planned = thresholdsOf(sla as ThresholdSpec, undefined);
  for (const [request, spec] of Object.entries(sla.requests ?? {})) planned.push(...thresholdsOf(spec, request));
  for (const [tag, spec] of Object.entries(sla.tags ?? {})) {
    const requestNames = tagGroups.find((group) => group.name === tag)?.requestNames ?? [];
    planned.push(...thresholdsOf(spec, undefined).map((threshold) => ({ ...threshold, tag, requestNames })));
  }
  for (const [customMetric, spec] of Object.entries(sla.metrics ?? {})) {
    for (const [key, limit] of Object.entries(spec)) {
      const stat = customMetricStatOf(key);
      if (stat !== undefined) planned.push({ key, metric: { kind: 'custom-metric', stat }, limit, customMetric });
    }
  }
  return planned.length === 0 ? [DEFAULT_THRESHOLD] : planned;
}

/**
 * Every threshold of a file: `planThresholds(sla)` for the run, then each scenario's own (of a file with
 * `scenarios`), judged on its requests together, or per request under their reported (scoped) names.
 */
export function planAllThresholds(data: ScenarioData): PlannedThreshold[] {
  const planned = planThresholds(data.sla, tagGroupsOf(data));
  if (data.scenarios === undefined) return planned;
  const scope = requestNameScope(data);
  for (const [name, part] of Object.entries(data.scenarios)) {
    const sla = part.sla;
    if (sla === undefined) continue;
    const requestNames = [...new Set([...requestsOf(part)].map(({ spec }) => scope(name, requestNameOf(spec))))];
    planned.push(...thresholdsOf(sla as ThresholdSpec, undefined).map((threshold) => ({ ...threshold, scenario: name, requestNames })));
    for (const [request, spec] of Object.entries(sla.requests ?? {})) planned.push(...thresholdsOf(spec, scope(name, request)));
  }
  return planned;
}

function thresholdsOf(spec: ThresholdSpec, request: string | undefined): PlannedThreshold[] {
  const planned: PlannedThreshold[] = [];
  for (const [key, limit] of Object.entries(spec)) {
    if (typeof limit !== 'number') continue; // abort_on_fail, requests
    const metric = metricOf(key);
    if (metric === undefined) continue;
    planned.push({ key, metric, limit, ...(request === undefined ? {} : { request }) });
  }
  return planned;
}

/** The metric a threshold key names; undefined for keys that are not thresholds (a percentile above 100 among them). */
export function metricOf(key: string): ThresholdMetric | undefined {
  switch (key) {
    case 'max_avg_latency_ms':
      return { kind: 'avg-latency' };
    case 'max_latency_ms':
      return { kind: 'max-latency' };
    case 'max_error_rate':
      return { kind: 'error-rate' };
    case 'min_rps':
      return { kind: 'min-rps' };
    case 'max_dropped_rate':
      return { kind: 'dropped-rate' };
    default: {
      const timing = TIMING_KEY.exec(key);
      if (timing !== null) return timingMetricOf(timing[1] as ThresholdPhase, timing[2] as string, timing[3]);
      // A percentile is 0 to 100: `p150` or `p999…9` (read from a results file, say) names no threshold.
      const percentile = Number(PERCENTILE_KEY.exec(key)?.[1] ?? Number.NaN);
      return percentile >= 0 && percentile <= 100 ? { kind: 'percentile-latency', percentile } : undefined;
    }
  }
}

function timingMetricOf(phase: ThresholdPhase, statistic: string, percentile: string | undefined): ThresholdMetric | undefined {
  if (percentile === undefined) return { kind: 'timing', phase, statistic: statistic as 'avg' | 'max' };
  const value = Number(percentile);
  return value >= 0 && value <= 100 ? { kind: 'timing', phase, statistic: value } : undefined;
}

const METRIC_PERCENTILE_KEY = /^p([0-9]+(?:\.[0-9]+)?)$/;

/** What an `sla.metrics` key reads: `p95`, `avg`, `max`, `sum_max`, `sum_min`; undefined for any other key. */
export function customMetricStatOf(key: string): CustomMetricStat | undefined {
  switch (key) {
    case 'avg':
      return { kind: 'avg' };
    case 'max':
      return { kind: 'max' };
    case 'sum_max':
      return { kind: 'sum-max' };
    case 'sum_min':
      return { kind: 'sum-min' };
    default: {
      const percentile = Number(METRIC_PERCENTILE_KEY.exec(key)?.[1] ?? Number.NaN);
      return percentile >= 0 && percentile <= 100 ? { kind: 'percentile', percentile } : undefined;
    }
  }
}

/** `sla.abort_on_fail` normalised: undefined when off (absent or false); `true` takes the defaults (10 s, 1 s). */
export function planAbortOnFail(sla: SlaSpec | false | undefined): AbortOnFailPolicy | undefined {
  const spec = sla === false ? undefined : sla?.abort_on_fail;
  if (spec === undefined || spec === false) return undefined;
  if (spec === true) return { delayMs: DEFAULT_ABORT_DELAY_MS, intervalMs: DEFAULT_ABORT_INTERVAL_MS };
  return {
    delayMs: spec.delay === undefined ? DEFAULT_ABORT_DELAY_MS : durationMs(spec.delay),
    intervalMs: spec.interval === undefined ? DEFAULT_ABORT_INTERVAL_MS : durationMs(spec.interval),
  };
}

/** Durations here passed the schema, so they parse; a failure is a bug. */
function durationMs(duration: Duration): number {
  const value = parseDurationMs(duration);
  if (value === undefined) throw new Error(`unparsed duration ${JSON.stringify(duration)} after validation`);
  return value;
}
