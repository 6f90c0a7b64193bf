import type { FailureKind } from '../metrics/error-category.js';
import type { ResultsDocument, StatsDocument } from '../results/results-document.js';
import { thresholdName } from './console-summary.js';
import type { DashboardFrame, DashboardStats } from './dashboard-page-data.js';
import { seriesColumns } from './report-data.js';

/**
 * The live dashboard's last frame: the results document's own figures, so that the page ends on exactly the
 * numbers of the results file. Pure.
 */
export function finalDashboardFrame(results: ResultsDocument): DashboardFrame {
  const { run, summary, generator } = results;
  return {
    kind: 'final',
    scenario: results.scenario.name,
    plan: results.scenario.plan,
    phase: 'measured',
    elapsedMs: run.durationMs,
    plannedDurationMs: run.durationMs,
    stopping: false,
    verdict: results.verdict,
    total: statsOf(summary.total),
    requests: summary.requests.map(statsOf),
    failuresByKind: failuresByKind(results.series.map((point) => point.failuresByKind)),
    thresholds: results.thresholds.map((threshold) => ({
      name: thresholdName(threshold),
      state: threshold.passed ? 'pass' : 'fail',
      description: threshold.description,
    })),
    generator: {
      workers: generator.workers,
      cpuPercent: generator.cpuPercent,
      busyPercent: generator.busyPercent,
      eventLoopDelayP99Ms: generator.eventLoopDelayP99Ms,
      eventLoopDelayMaxMs: generator.eventLoopDelayMaxMs,
      saturated: generator.saturated,
      ...(generator.reason === undefined ? {} : { reason: generator.reason }),
    },
    series: seriesColumns(results.series, run.durationMs, run.drainMs),
  };
}

/** Failures by kind over some intervals of a series, the most frequent first (kinds without any left out). */
export function failuresByKind(intervals: readonly Readonly<Partial<Record<FailureKind, number>>>[]): DashboardFrame['failuresByKind'] {
  const totals = new Map<string, number>();
  for (const interval of intervals) {
    for (const [kind, count] of Object.entries(interval))
      if (count !== undefined && count > 0) totals.set(kind, (totals.get(kind) ?? 0) + count);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([kind, count]) => ({ kind, count }));
}

function statsOf(stats: StatsDocument): DashboardStats {
  const latency = stats.latencyMs;
  const any = stats.count > 0;
  return {
    name: stats.name,
    requests: stats.count,
    failures: stats.failures,
    requestsPerSec: stats.requestsPerSec,
    p50Ms: any ? latency.p50 : null,
    p95Ms: any ? latency.p95 : null,
    p99Ms: any ? latency.p99 : null,
    maxMs: any ? latency.max : null,
  };
}
