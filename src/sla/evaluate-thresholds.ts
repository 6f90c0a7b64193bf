import { assertNever } from '../errors.js';
import type { CustomMetricSummary } from '../metrics/custom-metrics.js';
import type { CustomMetricStat, PlannedThreshold, ThresholdMetric, ThresholdPhase, TimingStatistic } from '../plan/thresholds.js';

/** The figures thresholds read, for the whole run or one request. Latencies in milliseconds. */
export interface ThresholdSubject {
  /** Requests completed (successes and failures). */
  readonly count: number;
  readonly failures: number;
  readonly meanLatencyMs: number;
  readonly maxLatencyMs: number;
  percentileLatencyMs(percentile: number): number;
  readonly requestsPerSec: number;
  /** Open-model arrivals scheduled (started plus dropped) and dropped; 0 and 0 in the closed model. */
  readonly arrivals: number;
  readonly dropped: number;
  /** A timing phase's mean, maximum or percentile (ms); undefined when the phase was never measured (no new connection, say). */
  timingMs(phase: ThresholdPhase, statistic: TimingStatistic): number | undefined;
}

export interface ThresholdOutcome {
  readonly threshold: PlannedThreshold;
  readonly passed: boolean;
  /** The measured value in the threshold's unit, or undefined when there was no data (which fails). */
  readonly measured?: number;
  /** One line for people: `p95 latency 612.3 ms > 500 ms (checkout)`. */
  readonly description: string;
}

/**
 * Every threshold against its subject: `subjectOf(undefined)` is the whole run, `subjectOf(name)` one request,
 * `subjectOf(undefined, scenario)` one scenario's requests together, `subjectOf(undefined, undefined, tag)` one
 * tag's; a custom metric's threshold reads `customMetricOf(name)`.
 * A threshold with no data (no requests, or an unknown request) fails: a silent pass would hide a broken test.
 */
export function evaluateThresholds(
  thresholds: readonly PlannedThreshold[],
  subjectOf: (request: string | undefined, scenario?: string, tag?: string) => ThresholdSubject | undefined,
  customMetricOf: (name: string) => CustomMetricSummary | undefined = () => undefined,
): ThresholdOutcome[] {
  return thresholds.map((threshold) =>
    threshold.metric.kind === 'custom-metric'
      ? evaluateCustom(threshold, threshold.metric.stat, customMetricOf(threshold.customMetric ?? ''))
      : evaluate(threshold, subjectOf(threshold.request, threshold.scenario, threshold.tag)),
  );
}

/** A custom metric's threshold: a trend's pNN, avg, max at most the limit; a counter's sum at most (sum_max) or at least (sum_min). */
function evaluateCustom(threshold: PlannedThreshold, stat: CustomMetricStat, metric: CustomMetricSummary | undefined): ThresholdOutcome {
  const name = threshold.customMetric ?? '';
  const label = `${name} ${customLabelOf(stat)}`;
  const measured = metric === undefined ? undefined : measureCustom(stat, metric);
  if (measured === undefined) return { threshold, passed: false, description: `${label}: no data (metric ${name})` };
  const atMost = stat.kind !== 'sum-min';
  const passed = atMost ? measured <= threshold.limit : measured >= threshold.limit;
  const operator = passed ? (atMost ? '≤' : '≥') : atMost ? '>' : '<';
  return {
    threshold,
    passed,
    measured,
    description: `${label} ${round(measured, 3)} ${operator} ${round(threshold.limit, 3)} (metric ${name})`,
  };
}

function measureCustom(stat: CustomMetricStat, metric: CustomMetricSummary): number | undefined {
  switch (stat.kind) {
    case 'percentile':
      return metric.count === 0 ? undefined : metric.percentile(stat.percentile);
    case 'avg':
      return metric.avg;
    case 'max':
      return metric.max;
    case 'sum-max':
    case 'sum-min':
      // A counter that counted nothing has summed to 0: a fact, not missing data.
      return metric.sum;
    default:
      return assertNever(stat);
  }
}

function customLabelOf(stat: CustomMetricStat): string {
  switch (stat.kind) {
    case 'percentile':
      return `p${stat.percentile}`;
    case 'avg':
      return 'avg';
    case 'max':
      return 'max';
    case 'sum-max':
    case 'sum-min':
      return 'sum';
    default:
      return assertNever(stat);
  }
}

function evaluate(threshold: PlannedThreshold, subject: ThresholdSubject | undefined): ThresholdOutcome {
  const { metric, limit } = threshold;
  const scope = `${threshold.request === undefined ? '' : ` (${threshold.request})`}${threshold.scenario === undefined || threshold.request !== undefined ? '' : ` (scenario ${threshold.scenario})`}${threshold.tag === undefined ? '' : ` (tag ${threshold.tag})`}${threshold.default === true ? ' (default: no sla set)' : ''}`;
  const label = labelOf(metric);
  const measured = subject === undefined ? undefined : measure(metric, subject);
  if (measured === undefined) {
    return { threshold, passed: false, description: `${label}: no data${scope}` };
  }
  const atMost = metric.kind !== 'min-rps';
  const passed = atMost ? measured <= limit : measured >= limit;
  const operator = passed ? (atMost ? '≤' : '≥') : atMost ? '>' : '<';
  return {
    threshold,
    passed,
    measured,
    description: `${label} ${format(metric, measured)} ${operator} ${format(metric, limit)}${scope}`,
  };
}

function measure(metric: ThresholdMetric, subject: ThresholdSubject): number | undefined {
  switch (metric.kind) {
    case 'avg-latency':
      return subject.count === 0 ? undefined : subject.meanLatencyMs;
    case 'max-latency':
      return subject.count === 0 ? undefined : subject.maxLatencyMs;
    case 'percentile-latency':
      return subject.count === 0 ? undefined : subject.percentileLatencyMs(metric.percentile);
    case 'error-rate':
      return subject.count === 0 ? undefined : subject.failures / subject.count;
    case 'min-rps':
      return subject.requestsPerSec;
    case 'dropped-rate':
      return subject.arrivals === 0 ? 0 : subject.dropped / subject.arrivals;
    case 'timing':
      return subject.count === 0 ? undefined : subject.timingMs(metric.phase, metric.statistic);
    case 'custom-metric':
      return undefined; // judged by evaluateCustom
    default:
      return assertNever(metric);
  }
}

function labelOf(metric: ThresholdMetric): string {
  switch (metric.kind) {
    case 'avg-latency':
      return 'mean latency';
    case 'max-latency':
      return 'max latency';
    case 'percentile-latency':
      return `p${metric.percentile} latency`;
    case 'error-rate':
      return 'error rate';
    case 'min-rps':
      return 'throughput';
    case 'dropped-rate':
      return 'dropped arrivals';
    case 'timing':
      return `${metric.phase} ${timingStatisticLabel(metric.statistic)}`;
    case 'custom-metric':
      return customLabelOf(metric.stat);
    default:
      return assertNever(metric);
  }
}

function format(metric: ThresholdMetric, value: number): string {
  switch (metric.kind) {
    case 'avg-latency':
    case 'max-latency':
    case 'percentile-latency':
    case 'timing':
      return `${round(value, metric.kind === 'timing' && value < 10 ? 2 : 1)} ms`;
    case 'error-rate':
    case 'dropped-rate':
      return `${round(value * 100, 2)}%`;
    case 'min-rps':
      return `${round(value, 1)} req/s`;
    case 'custom-metric':
      return round(value, 3);
    default:
      return assertNever(metric);
  }
}

/** `p95`, `mean`, `max`. */
export function timingStatisticLabel(statistic: TimingStatistic): string {
  return typeof statistic === 'number' ? `p${statistic}` : statistic === 'avg' ? 'mean' : 'max';
}

function round(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}
