import type { Histogram } from 'hdr-histogram-js';
import type { RunProgress } from '../engine/run-result.js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { OutcomeCounts } from '../metrics/recorder-snapshot.js';
import type { Plan } from '../plan/build-plan.js';
import { modelOf } from '../plan/profile.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { plannedThresholdName } from '../report/console-summary.js';
import { failuresByKind } from '../report/dashboard-frame.js';
import type { DashboardFrame, DashboardGenerator, DashboardStats, DashboardThreshold } from '../report/dashboard-page-data.js';
import { seriesColumns } from '../report/report-data.js';
import { redactDeep } from '../scenario/secrets.js';
import { liveThresholds } from '../sla/live-thresholds.js';
import type { LiveSeries } from './live-series.js';
import type { LiveThreshold } from '../sla/live-thresholds.js';

/** What stays the same for a whole run: its plan (one line of it) and its thresholds. */
export interface LiveFrameContext {
  readonly plan: Plan;
  /** `describePlan(plan)`, computed once. */
  readonly planText: string;
  readonly thresholds: readonly PlannedThreshold[];
  /** The series read so far (kept from frame to frame). */
  readonly series: LiveSeries;
}

/**
 * One moment of a run as the dashboard shows it, read from the phase's recorder on a progress tick (never from
 * a response callback): its counters, one copy of each request's response-time histogram for its percentiles
 * (the figures the results file will compute the same way), and the intervals of its series (`LiveSeries`). Secrets of the
 * scenario are redacted, as in every file loadseed writes.
 */
export function liveDashboardFrame(progress: RunProgress, context: LiveFrameContext, generator: DashboardGenerator): DashboardFrame {
  const { plan } = context;
  const recorder = progress.recorder;
  const counters = recorder.counters();
  const seconds = progress.elapsedMs / 1000;
  const intervals = context.series.read(recorder, progress.phase, progress.elapsedMs);
  const frame: DashboardFrame = {
    kind: 'live',
    scenario: plan.name,
    plan: context.planText,
    phase: progress.phase,
    elapsedMs: Math.round(progress.elapsedMs),
    plannedDurationMs: progress.plannedDurationMs,
    stopping: progress.stopping,
    activeUsers: progress.activeUsers,
    inFlight: progress.inFlight,
    total: statsOf('total', counters.total, recorder.responseTimeHistogram(), seconds),
    requests: recorder.metricNames.map((name, index) =>
      statsOf(name, counters.requests[index] ?? EMPTY_COUNTS, recorder.responseTimeHistogram(index), seconds),
    ),
    failuresByKind: failuresByKind(intervals.all.map((point) => point.failuresByKind)),
    thresholds:
      progress.phase === 'measured'
        ? liveThresholds(context.thresholds, recorder, counters, {
            iterationsInFlight: modelOf(plan.profile) === 'open' ? progress.activeUsers : 0,
          }).map(thresholdOf)
        : context.thresholds.map((threshold): DashboardThreshold => ({
            name: plannedThresholdName(threshold),
            state: 'pending',
            description: '',
          })),
    generator,
    series: seriesColumns(intervals.all.slice(0, intervals.completeCount), intervals.completeMs, undefined),
  };
  return redactDeep(frame, plan.secrets);
}

const EMPTY_COUNTS: OutcomeCounts = { requests: 0, failures: 0, interrupted: 0 };

function statsOf(name: string, counts: OutcomeCounts, histogram: Histogram, seconds: number): DashboardStats {
  const any = histogram.totalCount > 0;
  const at = (percentile: number): number | null => (any ? ms(percentileUs(histogram, percentile)) : null);
  return {
    name,
    requests: counts.requests,
    failures: counts.failures,
    requestsPerSec: seconds > 0 ? round3(counts.requests / seconds) : 0,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: any ? ms(histogram.maxValue) : null,
  };
}

function thresholdOf(live: LiveThreshold): DashboardThreshold {
  return {
    name: plannedThresholdName(live.threshold),
    state: live.state === 'passing' ? 'pass' : live.state === 'lost' ? 'fail' : 'pending',
    description: live.description ?? '',
  };
}

function ms(us: number): number {
  return round3(us / 1000);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
