import type { Histogram } from 'hdr-histogram-js';
import type { FailureKind } from '../metrics/error-category.js';
import type { Recorder } from '../metrics/recorder.js';
import { monitorChartColumns } from '../monitor/monitor-chart-columns.js';
import { recorderFromDocument } from '../results/recorder-encoding.js';
import type { LatencyMs, ResultsDocument } from '../results/results-document.js';
import { SPECTRUM_PERCENTILES, binCounts, logBins, percentileSpectrumUs, rebin } from '../metrics/latency-distribution.js';
import type { LogBins } from '../metrics/latency-distribution.js';
import type { ReportChartData } from './report-page-data.js';

/** Lines on the per-request latency chart, at most. */
export const MAX_CHARTED_REQUESTS = 12;

/** The chart data of a results document. Pure: the recorder is decoded from the document. */
export function reportChartData(results: ResultsDocument): ReportChartData {
  const series = seriesColumns(results.series, results.run.durationMs, results.run.drainMs);
  const monitorColumns = results.monitor === undefined ? [] : monitorChartColumns(results.monitor);
  const monitor = monitorColumns.length === 0 ? {} : { monitor: monitorColumns };
  let recorder: Recorder;
  try {
    if (results.recorder === undefined) throw new Error('the results carry no recorder data');
    recorder = recorderFromDocument(results.recorder);
  } catch (error) {
    return { distributionUnavailable: (error as Error).message, series, ...monitor };
  }
  const baseline = results.baseline;
  const charts = distributionOf(recorder, baseline?.distribution);
  if (baseline === undefined || charts.spectrum === undefined) return { ...charts, series, ...monitor };
  return { ...charts, spectrum: { ...charts.spectrum, baselineMs: baselineSpectrum(baseline.latencyMs) }, series, ...monitor };
}

/** The baseline's summary percentiles placed on the spectrum's axis; null where it kept none. */
function baselineSpectrum(latency: LatencyMs): (number | null)[] {
  const known = new Map<number, number>([
    [0, latency.min],
    [50, latency.p50],
    [75, latency.p75],
    [90, latency.p90],
    [95, latency.p95],
    [99, latency.p99],
    [99.9, latency['p99.9']],
  ]);
  return SPECTRUM_PERCENTILES.map((percentile) => known.get(percentile) ?? null);
}

type BaselineDistribution = NonNullable<NonNullable<ResultsDocument['baseline']>['distribution']>;

function distributionOf(recorder: Recorder, baseline?: BaselineDistribution): Pick<ReportChartData, 'distribution' | 'spectrum'> {
  const response = recorder.responseTimeHistogram();
  const service = recorder.serviceTimeHistogram();
  const requests = recorder.metricNames
    .map((name, index) => ({ name, histogram: recorder.responseTimeHistogram(index) }))
    .filter((request) => request.histogram.totalCount > 0)
    .sort((a, b) => b.histogram.totalCount - a.histogram.totalCount);
  const charted = requests.slice(0, MAX_CHARTED_REQUESTS);
  const spectrum = {
    percentiles: SPECTRUM_PERCENTILES,
    responseMs: percentileSpectrumUs(response).map(ms),
    serviceMs: percentileSpectrumUs(service).map(ms),
    requests: charted.map(({ name, histogram }) => ({
      name,
      count: histogram.totalCount,
      responseMs: percentileSpectrumUs(histogram).map(ms),
    })),
    requestsNotCharted: requests.length - charted.length,
  };
  if (response.totalCount === 0 && service.totalCount === 0) return { spectrum };
  const bins = logBins(Math.min(lowest(response), lowest(service)), Math.max(response.maxValue, service.maxValue));
  const responseCounts = binCounts(response, bins);
  return {
    distribution: {
      edgesMs: bins.edgesUs.map(edgeMs),
      responseCounts,
      serviceCounts: binCounts(service, bins),
      ...(baseline === undefined ? {} : { baselineCounts: scaledBaseline(baseline, bins, response.totalCount) }),
    },
    spectrum,
  };
}

/** The baseline's distribution re-binned onto this report's bins (exact: the grids nest), scaled to `total` requests. */
function scaledBaseline(baseline: BaselineDistribution, bins: LogBins, total: number): number[] {
  const counts = rebin(baseline, bins);
  const baselineTotal = counts.reduce((sum, count) => sum + count, 0);
  const scale = baselineTotal === 0 ? 0 : total / baselineTotal;
  return counts.map((count) => Math.round(count * scale * 10) / 10);
}

/**
 * The series as columns (also the live dashboard's, from the intervals recorded so far). Intervals that start once the load had stopped (`drainMs` before the run's end) are the
 * drain: left out, and described in `drain`. The last interval kept is cut at the run's end (`runDurationMs`)
 * and its rates are over the part of it the run lasted. An empty interval starting at the end (the series
 * reaches the run's last instant) is left out.
 */
export function seriesColumns(
  allPoints: ResultsDocument['series'],
  runDurationMs: number,
  drainMs: number | undefined,
): ReportChartData['series'] {
  const loadEndMs = drainMs === undefined ? runDurationMs : runDurationMs - drainMs;
  let kept = allPoints.length;
  let drainRequests = 0;
  let drainFailures = 0;
  while (kept > 1) {
    const last = allPoints[kept - 1]!;
    const emptyTail = last.requests === 0 && last.droppedArrivals === 0 && last.startMs >= runDurationMs;
    if (!emptyTail && !(drainMs !== undefined && last.startMs >= loadEndMs)) break;
    drainRequests += last.requests;
    drainFailures += last.failures;
    kept -= 1;
  }
  const drain = drainMs !== undefined && drainRequests > 0 ? { ms: drainMs, requests: drainRequests, failures: drainFailures } : undefined;
  const points = allPoints.slice(0, kept);
  const durationsMs = points.map((point, index) =>
    index === points.length - 1 && runDurationMs > point.startMs
      ? Math.min(point.durationMs, runDurationMs - point.startMs)
      : point.durationMs,
  );
  const perSec = (count: number, index: number): number => {
    const durationMs = durationsMs[index] ?? 0;
    return durationMs > 0 ? round3((count * 1000) / durationMs) : 0;
  };
  const latency = (value: number, requests: number): number | null => (requests > 0 ? value : null);
  const openModel = points.some((point) => point.arrivals > 0 || point.droppedArrivals > 0);
  const last = points[points.length - 1];
  return {
    startS: points.map((point) => round3(point.startMs / 1000)),
    endS: last === undefined ? 0 : round3((last.startMs + (durationsMs[points.length - 1] ?? 0)) / 1000),
    requestsPerSec: points.map((point, index) => perSec(point.requests, index)),
    failuresPerSec: points.map((point, index) => perSec(point.failures, index)),
    failuresByKind: kindsOf(points).map((kind) => ({
      kind,
      perSec: points.map((point, index) => perSec(point.failuresByKind[kind] ?? 0, index)),
    })),
    droppedPerSec: points.map((point, index) => perSec(point.droppedArrivals, index)),
    ...(openModel
      ? {
          arrivals: {
            targetPerSec: points.map((point, index) => perSec(point.arrivals + point.droppedArrivals, index)),
            achievedPerSec: points.map((point, index) => perSec(point.arrivals, index)),
          },
        }
      : {}),
    activeUsers: points.map((point) => point.activeUsers),
    p50Ms: points.map((point) => latency(point.p50Ms, point.requests)),
    p95Ms: points.map((point) => latency(point.p95Ms, point.requests)),
    p99Ms: points.map((point) => latency(point.p99Ms, point.requests)),
    anyDropped: points.some((point) => point.droppedArrivals > 0),
    ...(drain === undefined ? {} : { drain }),
  };
}

/** The failure kinds that occur in the series, most frequent first. */
function kindsOf(points: ResultsDocument['series']): FailureKind[] {
  const totals = new Map<FailureKind, number>();
  for (const point of points) {
    for (const [kind, count] of Object.entries(point.failuresByKind) as [FailureKind, number | undefined][])
      totals.set(kind, (totals.get(kind) ?? 0) + (count ?? 0));
  }
  return [...totals]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind]) => kind);
}

/** The smallest value to show (µs): the minimum, or Infinity when nothing was recorded. */
function lowest(histogram: Histogram): number {
  if (histogram.totalCount === 0) return Number.POSITIVE_INFINITY;
  return histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 1 : histogram.minNonZeroValue;
}

function ms(us: number): number {
  return round3(us / 1000);
}

/** Bin edges to 4 significant digits: exact enough to draw, short to write. */
function edgeMs(us: number): number {
  return Number((us / 1000).toPrecision(4));
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
