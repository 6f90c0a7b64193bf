import type { Histogram } from 'hdr-histogram-js';
import { assertNever } from '../errors.js';
import type { Recorder } from '../metrics/recorder.js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { RecorderCounters } from '../metrics/recorder-snapshot.js';
import type { PlannedThreshold, ThresholdMetric } from '../plan/thresholds.js';
import { evaluateThresholds, timingStatisticLabel } from './evaluate-thresholds.js';
import { timingMsOf } from './timing-subject.js';
import type { ThresholdOutcome, ThresholdSubject } from './evaluate-thresholds.js';

/**
 * A threshold as it stands mid-run. `lost`: the figures so far break it (for `max_latency_ms` for good; the
 * others could still recover, but the run is failing it now). `pending`: it cannot be judged yet — no
 * requests so far, or throughput (`min_rps`), which only the whole run can tell.
 */
export interface LiveThreshold {
  readonly threshold: PlannedThreshold;
  readonly state: 'passing' | 'lost' | 'pending';
  /** Short, for a status line: `p95`, `errors`, `max(checkout)`. */
  readonly label: string;
  /** The measured value against the limit, as the final summary words it: `p95 latency 612 ms > 500 ms`. */
  readonly description?: string;
  /** The evaluation, when the threshold could be judged on data (passing or lost). */
  readonly outcome?: ThresholdOutcome;
}

/** Live figures the recorder does not know: in-flight open-model arrivals, for the dropped rate. */
export interface LiveThresholdContext {
  /** Open model: iterations started and not finished (they are arrivals too); 0 in the closed model. */
  readonly iterationsInFlight: number;
}

/**
 * Judges the thresholds that the figures so far can already decide, with the same rules and figures as the
 * final verdict (`evaluateThresholds`, response-time histograms) — for the live display and for
 * `abort_on_fail` alike: latency percentiles, mean and max latency,
 * error rate, dropped rate. Reads the counters, and copies a histogram only for a latency threshold with
 * requests to judge (a mean walks the whole copy: a few ms).
 */
export function liveThresholds(
  thresholds: readonly PlannedThreshold[],
  recorder: Recorder,
  counters: RecorderCounters,
  context: LiveThresholdContext,
): LiveThreshold[] {
  const subjects = new Map<string | undefined, ThresholdSubject | undefined>();
  const subjectOf = (threshold: PlannedThreshold): ThresholdSubject | undefined => {
    const { request } = threshold;
    const scenario = threshold.scenario ?? threshold.tag;
    const key =
      scenario === undefined || request !== undefined ? request : threshold.tag === undefined ? `scenario ${scenario}` : `tag ${scenario}`;
    if (!subjects.has(key)) {
      const indexes =
        scenario === undefined || request !== undefined
          ? undefined
          : (threshold.requestNames ?? []).map((name) => recorder.metricNames.indexOf(name)).filter((index) => index !== -1);
      subjects.set(key, liveSubject(recorder, counters, context, indexes ?? request));
    }
    return subjects.get(key);
  };
  return thresholds.map((threshold): LiveThreshold => {
    const label = labelOf(threshold);
    const subject = subjectOf(threshold);
    // A request the run does not have can never produce data: the final verdict fails it, so it is lost now.
    if (subject === undefined) return { threshold, state: 'lost', label, description: `${label}: no such request` };
    if (!judgeableNow(threshold.metric, subject)) return { threshold, state: 'pending', label };
    const [outcome] = evaluateThresholds([threshold], () => subject);
    if (outcome === undefined) return { threshold, state: 'pending', label };
    return { threshold, state: outcome.passed ? 'passing' : 'lost', label, description: outcome.description, outcome };
  });
}

function judgeableNow(metric: ThresholdMetric, subject: ThresholdSubject): boolean {
  switch (metric.kind) {
    case 'min-rps':
    case 'custom-metric': // judged at the end of the run
      return false;
    case 'dropped-rate':
      return true;
    case 'avg-latency':
    case 'max-latency':
    case 'percentile-latency':
    case 'error-rate':
    case 'timing':
      return subject.count > 0;
    default:
      return assertNever(metric);
  }
}

/**
 * The whole run's figures (`request` undefined), one request's, or a scenario's requests together (their
 * metric indexes); undefined for a request the run does not have.
 */
function liveSubject(
  recorder: Recorder,
  counters: RecorderCounters,
  context: LiveThresholdContext,
  request: string | readonly number[] | undefined,
): ThresholdSubject | undefined {
  if (typeof request === 'object') return groupSubject(recorder, counters, request);
  const index = request === undefined ? undefined : recorder.metricNames.indexOf(request);
  if (index === -1) return undefined;
  const counts = index === undefined ? counters.total : counters.requests[index];
  if (counts === undefined) return undefined;
  let histogram: Histogram | undefined;
  const latency = (): Histogram => (histogram ??= recorder.responseTimeHistogram(index));
  const dropped = counters.droppedArrivals;
  // As the final verdict counts them (finished, interrupted, dropped), plus the iterations still running.
  const arrivals = dropped === 0 ? 0 : counters.iterations + dropped + counters.total.interrupted + context.iterationsInFlight;
  return {
    count: counts.requests,
    failures: counts.failures,
    get meanLatencyMs() {
      return latency().mean / 1000;
    },
    get maxLatencyMs() {
      return latency().maxValue / 1000;
    },
    percentileLatencyMs: (percentile) => percentileUs(latency(), percentile) / 1000,
    requestsPerSec: 0, // min_rps is never judged live
    arrivals,
    dropped,
    timingMs: (phase, statistic) => timingMsOf(recorder.timingHistogram(phase, index), statistic),
  };
}

/** A scenario's requests together: their counts added, their histograms merged (when a latency is asked for). */
function groupSubject(recorder: Recorder, counters: RecorderCounters, indexes: readonly number[]): ThresholdSubject {
  let count = 0;
  let failures = 0;
  for (const index of indexes) {
    count += counters.requests[index]?.requests ?? 0;
    failures += counters.requests[index]?.failures ?? 0;
  }
  let histogram: Histogram | undefined;
  const latency = (): Histogram => {
    if (histogram !== undefined) return histogram;
    const [first, ...rest] = indexes.map((index) => recorder.responseTimeHistogram(index));
    histogram = first ?? recorder.responseTimeHistogram();
    for (const other of rest) histogram.add(other);
    return histogram;
  };
  return {
    count,
    failures,
    get meanLatencyMs() {
      return latency().mean / 1000;
    },
    get maxLatencyMs() {
      return latency().maxValue / 1000;
    },
    percentileLatencyMs: (percentile) => percentileUs(latency(), percentile) / 1000,
    requestsPerSec: 0, // min_rps is never judged live
    // Dropped arrivals are counted for the whole run only: a scenario's sla has no max_dropped_rate.
    arrivals: 0,
    dropped: 0,
    timingMs: (phase, statistic) => timingMsOf(recorder.timingHistogram(phase, indexes), statistic),
  };
}

function labelOf(threshold: PlannedThreshold): string {
  const group = threshold.scenario ?? threshold.tag;
  const scope = threshold.request !== undefined ? `(${threshold.request})` : group === undefined ? '' : `[${group}]`;
  return threshold.customMetric === undefined
    ? `${metricLabel(threshold.metric)}${scope}`
    : `${threshold.customMetric} ${metricLabel(threshold.metric)}`;
}

function metricLabel(metric: ThresholdMetric): string {
  switch (metric.kind) {
    case 'percentile-latency':
      return `p${metric.percentile}`;
    case 'avg-latency':
      return 'mean';
    case 'max-latency':
      return 'max';
    case 'error-rate':
      return 'errors';
    case 'min-rps':
      return 'rps';
    case 'dropped-rate':
      return 'dropped';
    case 'timing':
      return `${metric.phase} ${timingStatisticLabel(metric.statistic)}`;
    case 'custom-metric':
      return metric.stat.kind === 'percentile' ? `p${metric.stat.percentile}` : metric.stat.kind.replace('-', '_');
    default:
      return assertNever(metric);
  }
}
