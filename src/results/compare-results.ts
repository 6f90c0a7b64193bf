import { assertNever } from '../errors.js';
import type { ResultsDocument, StatsDocument } from './results-document.js';

export const COMPARED_METRICS = ['p50', 'p95', 'p99', 'throughput', 'error-rate'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/**
 * How much worse the current run may be than the baseline before it counts as a regression, as fractions.
 * Latencies (response time p50/p95/p99) may rise by that share, throughput may fall by that share, and the
 * error rate may rise by that many percentage points (0.01: one point, e.g. from 0.5% to 1.5%). A change
 * exactly at the tolerance passes.
 */
export type CompareTolerances = Readonly<Record<ComparedMetric, number>>;

export interface MetricComparison {
  readonly metric: ComparedMetric;
  /** Latencies in ms, throughput in req/s, the error rate as a fraction; null: no data (nothing ended). */
  readonly baseline: number | null;
  readonly current: number | null;
  /**
   * Latencies and throughput: relative, (current − baseline) / baseline; error rate: absolute, current −
   * baseline. Null when the two cannot be compared (no data on a side, a zero throughput baseline).
   */
  readonly change: number | null;
  readonly tolerance: number;
  readonly regression: boolean;
}

export interface RequestComparison {
  /** The request name, or `total` for the whole run. */
  readonly name: string;
  readonly total: boolean;
  /** A request in one of the runs only: listed, not compared. */
  readonly only?: 'baseline' | 'current';
  readonly metrics: readonly MetricComparison[];
}

export interface ComparedRun {
  readonly file: string;
  readonly scenario: string;
  readonly startedAt: string;
}

export interface Comparison {
  readonly baseline: ComparedRun;
  readonly current: ComparedRun;
  readonly tolerances: CompareTolerances;
  /** Each request of the current run (then those only in the baseline), then the total. */
  readonly requests: readonly RequestComparison[];
  /** Every metric beyond its tolerance, with its request. */
  readonly regressions: readonly { readonly request: string; readonly comparison: MetricComparison }[];
}

/** Rounding noise below this is no change (a 10.000000001% rise is 10%). */
const EPSILON = 1e-9;

/** The current run against the baseline, per request name and in total. Pure. */
export function compareResults(
  baseline: { readonly file: string; readonly results: ResultsDocument },
  current: { readonly file: string; readonly results: ResultsDocument },
  tolerances: CompareTolerances,
): Comparison {
  const before = new Map(baseline.results.summary.requests.map((stats) => [stats.name, stats]));
  const after = current.results.summary.requests;
  const afterNames = new Set(after.map((stats) => stats.name));
  const requests: RequestComparison[] = [];
  for (const stats of after) {
    const old = before.get(stats.name);
    requests.push(
      old === undefined
        ? { name: stats.name, total: false, only: 'current', metrics: [] }
        : { name: stats.name, total: false, metrics: compareStats(old, stats, tolerances) },
    );
  }
  for (const stats of baseline.results.summary.requests) {
    if (!afterNames.has(stats.name)) requests.push({ name: stats.name, total: false, only: 'baseline', metrics: [] });
  }
  requests.push({
    name: 'total',
    total: true,
    metrics: compareStats(baseline.results.summary.total, current.results.summary.total, tolerances),
  });
  const regressions = requests.flatMap((request) =>
    request.metrics.filter((comparison) => comparison.regression).map((comparison) => ({ request: request.name, comparison })),
  );
  return { baseline: comparedRun(baseline), current: comparedRun(current), tolerances, requests, regressions };
}

function comparedRun({ file, results }: { readonly file: string; readonly results: ResultsDocument }): ComparedRun {
  return { file, scenario: results.scenario.name, startedAt: results.run.startedAt };
}

function compareStats(baseline: StatsDocument, current: StatsDocument, tolerances: CompareTolerances): MetricComparison[] {
  return COMPARED_METRICS.map((metric) => compareMetric(metric, valueOf(metric, baseline), valueOf(metric, current), tolerances[metric]));
}

function valueOf(metric: ComparedMetric, stats: StatsDocument): number | null {
  switch (metric) {
    case 'p50':
    case 'p95':
    case 'p99':
      return stats.count === 0 ? null : stats.latencyMs[metric];
    case 'throughput':
      return stats.requestsPerSec;
    case 'error-rate':
      return stats.count === 0 ? null : stats.errorRate;
    default:
      return assertNever(metric);
  }
}

/**
 * A latency that rose by less than this (ms) is no regression, whatever the share: sub-millisecond latencies
 * (a loopback target) double from scheduling noise alone, and a 0.07 → 0.09 ms move is not a finding.
 */
export const MIN_LATENCY_REGRESSION_MS = 1;

function compareMetric(metric: ComparedMetric, baseline: number | null, current: number | null, tolerance: number): MetricComparison {
  const change = changeOf(metric, baseline, current);
  const beyond = change !== null && worsening(metric, change) > tolerance + EPSILON;
  const latency = metric === 'p50' || metric === 'p95' || metric === 'p99';
  const noticeable = !latency || baseline === null || current === null || current - baseline >= MIN_LATENCY_REGRESSION_MS;
  return { metric, baseline, current, change, tolerance, regression: beyond && noticeable };
}

function changeOf(metric: ComparedMetric, baseline: number | null, current: number | null): number | null {
  if (baseline === null || current === null) return null;
  if (metric === 'error-rate') return current - baseline;
  if (baseline === 0) return current === 0 ? 0 : metric === 'throughput' ? null : Number.POSITIVE_INFINITY;
  return (current - baseline) / baseline;
}

/** How much worse a change is, in the metric's direction: up for latency and errors, down for throughput. */
function worsening(metric: ComparedMetric, change: number): number {
  return metric === 'throughput' ? -change : change;
}
