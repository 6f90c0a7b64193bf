import { FINEST_BINS_PER_DECADE, binCounts, logBins } from '../metrics/latency-distribution.js';
import { compareResults } from './compare-results.js';
import { recorderFromDocument } from './recorder-encoding.js';
import type { ComparedMetric, CompareTolerances, MetricComparison } from './compare-results.js';
import type { LatencyMs, ResultsDocument } from './results-document.js';

/** One metric beyond its tolerance against the baseline. */
export interface BaselineRegression {
  /** A request name, or `total`. */
  readonly request: string;
  readonly metric: ComparedMetric;
  readonly baseline: number | null;
  readonly current: number | null;
  readonly change: number | null;
  readonly tolerance: number;
}

/**
 * `run --baseline`: the run compared with an earlier one (as `loadseed compare` does), and whether it
 * regressed beyond the tolerances. A regression fails the run.
 */
export interface BaselineDocument {
  /** The baseline results file, as given. */
  readonly file: string;
  readonly scenario: string;
  readonly startedAt: string;
  readonly tolerances: CompareTolerances;
  readonly passed: boolean;
  readonly regressions: readonly BaselineRegression[];
  /** The whole run's metrics, baseline beside current. */
  readonly total: readonly MetricComparison[];
  /** The baseline's whole-run response time, to draw beside the run's own. */
  readonly latencyMs: LatencyMs;
  /**
   * The baseline's response times as counts in log bins of the finest grid (80 a decade; the first edge is
   * `10^(firstEdge/80)` µs), so that a report re-bins them exactly onto its own; absent when it recorded none.
   */
  readonly distribution?: { readonly binsPerDecade: number; readonly firstEdge: number; readonly counts: readonly number[] };
}

/**
 * The results with their comparison against a baseline: `baseline` added, and the verdict `failed` when a
 * metric regressed beyond its tolerance (an interrupted run stays interrupted). Pure.
 */
export function withBaseline(
  results: ResultsDocument,
  baseline: { readonly file: string; readonly results: ResultsDocument },
  tolerances: CompareTolerances,
): ResultsDocument {
  const comparison = compareResults(baseline, { file: 'this run', results }, tolerances);
  const regressions = comparison.regressions.map(({ request, comparison: metric }) => ({
    request,
    metric: metric.metric,
    baseline: metric.baseline,
    current: metric.current,
    change: metric.change,
    tolerance: metric.tolerance,
  }));
  const document: BaselineDocument = {
    file: baseline.file,
    scenario: baseline.results.scenario.name,
    startedAt: baseline.results.run.startedAt,
    tolerances,
    passed: regressions.length === 0,
    regressions,
    total: comparison.requests.find((request) => request.total)?.metrics ?? [],
    latencyMs: baseline.results.summary.total.latencyMs,
    ...distributionOf(baseline.results),
  };
  const verdict = results.verdict === 'passed' && regressions.length > 0 ? 'failed' : results.verdict;
  return { ...results, verdict, baseline: document };
}

/** The baseline's response-time distribution on the finest log grid, from its recorder (none if unreadable or empty). */
function distributionOf(results: ResultsDocument): Pick<BaselineDocument, 'distribution'> {
  let histogram;
  try {
    histogram = recorderFromDocument(results.recorder).responseTimeHistogram();
  } catch {
    return {};
  }
  if (histogram.totalCount === 0) return {};
  const low = histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 1 : histogram.minNonZeroValue;
  const bins = logBins(low, histogram.maxValue, FINEST_BINS_PER_DECADE);
  const firstEdge = Math.round(Math.log10(bins.edgesUs[0] ?? 1) * FINEST_BINS_PER_DECADE);
  return { distribution: { binsPerDecade: FINEST_BINS_PER_DECADE, firstEdge, counts: binCounts(histogram, bins) } };
}

/** A regression in words: `p95 of checkout +23.4% (> 10%)`, `error rate of total +3.1 points (> 1 point)`. */
export function describeRegression(regression: BaselineRegression): string {
  const change = regression.change;
  const of = regression.request === 'total' ? 'all requests' : regression.request;
  if (regression.metric === 'error-rate') {
    const points = (value: number): string => `${Number((value * 100).toFixed(2))} point${value === 0.01 ? '' : 's'}`;
    return `error rate of ${of} ${change === null ? 'changed' : `+${points(change)}`} (> ${points(regression.tolerance)})`;
  }
  const percent = (value: number): string => `${Number((value * 100).toFixed(1))}%`;
  const sign = change !== null && change > 0 ? '+' : '';
  const what = regression.metric === 'throughput' ? 'throughput' : regression.metric;
  return `${what} of ${of} ${change === null ? 'changed' : `${sign}${percent(change)}`} (tolerance ${percent(regression.tolerance)})`;
}
