import type { Histogram } from 'hdr-histogram-js';
import { assertNever } from '../errors.js';
import type { Recorder } from '../metrics/recorder.js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { RecorderCounters } from '../metrics/recorder-snapshot.js';
import type { PlannedThreshold, ThresholdMetric } from '../plan/thresholds.js';
import { evaluateThresholds } from './evaluate-thresholds.js';
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
  const subjectOf = (request: string | undefined): ThresholdSubject | undefined => {
    if (!subjects.has(request)) subjects.set(request, liveSubject(recorder, counters, context, request));
    return subjects.get(request);
  };
  return thresholds.map((threshold): LiveThreshold => {
    const label = labelOf(threshold);
    const subject = subjectOf(threshold.request);
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
      return false;
    case 'dropped-rate':
      return true;
    case 'avg-latency':
    case 'max-latency':
    case 'percentile-latency':
    case 'error-rate':
      return subject.count > 0;
    default:
      return assertNever(metric);
  }
}

/** The whole run's figures (`request` undefined) or one request's; undefined for a request the run does not have. */
function liveSubject(
  recorder: Recorder,
  counters: RecorderCounters,
  context: LiveThresholdContext,
  request: string | undefined,
): ThresholdSubject | undefined {
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
  };
}

function labelOf(threshold: PlannedThreshold): string {
  const scope = threshold.request === undefined ? '' : `(${threshold.request})`;
  return `${metricLabel(threshold.metric)}${scope}`;
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
    default:
      return assertNever(metric);
  }
}
