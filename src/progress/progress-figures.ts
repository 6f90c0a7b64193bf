import { warmupProfileOf } from '../engine/execute-run.js';
import type { RunProgress } from '../engine/run-result.js';
import { assertNever } from '../errors.js';
import type { Recorder } from '../metrics/recorder.js';
import type { SeriesPoint } from '../metrics/time-series.js';
import type { Plan, PlannedIteration, PlannedStep } from '../plan/build-plan.js';
import { modelOf, rateAt } from '../plan/profile.js';
import type { LoadProfile } from '../plan/profile.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { liveThresholds } from '../sla/live-thresholds.js';
import type { LiveThreshold } from '../sla/live-thresholds.js';

/** The closed model's users, or the open model's arrival rate: what was asked for and what happened. */
export type LoadFigures =
  | { readonly kind: 'closed'; readonly activeUsers: number }
  | {
      readonly kind: 'open';
      /** Arrivals per second the profile asks for now. */
      readonly targetRatePerSec: number;
      /** Iterations per second in the last complete interval; undefined before the first one ends. */
      readonly achievedRatePerSec?: number;
      /** What the profile asked for on average over that same interval (the fair comparison during a ramp). */
      readonly intervalTargetRatePerSec?: number;
    };

/** Everything a status line shows, as numbers: one moment of the run. */
export interface ProgressFigures {
  readonly phase: RunProgress['phase'];
  /** The phase reached its end (or was stopped): requests in flight get their grace period. */
  readonly stopping: boolean;
  readonly elapsedMs: number;
  readonly plannedDurationMs: number;
  /** How far the phase is, 0..1: by time, or by iterations when a budget bounds the run. */
  readonly fraction: number;
  /** Where a staged profile is: `stage 2/3`, `step 4/8` (breaking point), `ramping` / `steady` (ramp). */
  readonly stage?: string;
  /** Iterations done against the budget, when one bounds the run. */
  readonly iterations?: { readonly done: number; readonly budget: number };
  readonly load: LoadFigures;
  readonly activeUsers: number;
  readonly inFlight: number;
  /** Requests that ended in the phase so far. */
  readonly requests: number;
  /** Over the last complete interval of the time series (one second, longer in long runs); undefined before it. */
  readonly requestsPerSec?: number;
  /** p95 response time of the last complete interval, ms; undefined when it had no requests. */
  readonly p95Ms?: number;
  /** Failures / requests over the phase so far, 0..1; undefined before the first request. */
  readonly errorRate?: number;
  /** Open model: arrivals not started because every user was busy, over the phase so far. */
  readonly droppedArrivals: number;
  /** Judged on the measured phase only: the warm-up is not part of the verdict (empty during warm-up). */
  readonly thresholds: readonly LiveThreshold[];
}

/** What stays the same for a whole run: the plan and its thresholds. */
export interface ProgressContext {
  readonly plan: Plan;
  readonly thresholds: readonly PlannedThreshold[];
}

/**
 * Reads one moment of the phase's recorder into the figures a status line shows: its counters and one interval
 * of its series, never a whole `snapshot()` (which summarises every histogram: tens of ms on a busy run).
 * `judged`: thresholds judged a moment ago, to show again instead of judging anew.
 */
export function progressFigures(progress: RunProgress, context: ProgressContext, judged?: readonly LiveThreshold[]): ProgressFigures {
  const { plan } = context;
  const recorder = progress.recorder;
  const counters = recorder.counters();
  const profile = phaseProfile(plan, progress.phase);
  const elapsedMs = progress.elapsedMs;
  const bucketMs = recorder.seriesBucketMs;
  const last = lastCompleteInterval(recorder, elapsedMs);
  const open = modelOf(profile) === 'open';
  const budget = profile.kind === 'constant-users' ? profile.iterations : undefined;
  const iterations = budget === undefined ? undefined : { done: counters.iterations, budget };
  const byTime = progress.plannedDurationMs > 0 ? elapsedMs / progress.plannedDurationMs : 1;
  const byIterations = iterations === undefined ? 0 : iterations.done / Math.max(1, iterations.budget);
  const fraction = Math.min(1, Math.max(0, byTime, byIterations));
  const total = counters.total;
  const stage = progress.phase === 'measured' ? stageOf(plan, elapsedMs) : undefined;
  const thresholds =
    progress.phase !== 'measured'
      ? []
      : (judged ?? liveThresholds(context.thresholds, recorder, counters, { iterationsInFlight: open ? progress.activeUsers : 0 }));
  return {
    phase: progress.phase,
    stopping: progress.stopping,
    elapsedMs,
    plannedDurationMs: progress.plannedDurationMs,
    fraction,
    ...(stage === undefined ? {} : { stage }),
    ...(iterations === undefined ? {} : { iterations }),
    load: open ? openLoad(profile, plan.iteration, last, elapsedMs, bucketMs) : { kind: 'closed', activeUsers: progress.activeUsers },
    activeUsers: progress.activeUsers,
    inFlight: progress.inFlight,
    requests: total.requests,
    ...(last === undefined ? {} : { requestsPerSec: last.requests / (bucketMs / 1000) }),
    ...(last === undefined || last.requests === 0 ? {} : { p95Ms: last.p95Us / 1000 }),
    ...(total.requests === 0 ? {} : { errorRate: total.failures / total.requests }),
    droppedArrivals: counters.droppedArrivals,
    thresholds,
  };
}

/** The profile the engine runs in this phase: the warm-up is a constant profile of the same model. */
function phaseProfile(plan: Plan, phase: RunProgress['phase']): LoadProfile {
  switch (phase) {
    case 'warmup':
      return plan.warmup === undefined ? plan.profile : warmupProfileOf(plan.profile, plan.warmup);
    case 'measured':
      return plan.profile;
    default:
      return assertNever(phase);
  }
}

/**
 * The latest interval of the series that has ended by `elapsedMs`, or undefined while the first is still
 * running. An interval the series does not hold (nothing happened in it yet) reads as an empty one.
 */
function lastCompleteInterval(recorder: Recorder, elapsedMs: number): SeriesPoint | undefined {
  const bucketMs = recorder.seriesBucketMs;
  const index = Math.floor(elapsedMs / bucketMs) - 1;
  if (index < 0) return undefined;
  return (
    recorder.seriesPoint(index) ?? {
      startMs: index * bucketMs,
      durationMs: bucketMs,
      requests: 0,
      failures: 0,
      failuresByKind: {},
      arrivals: 0,
      droppedArrivals: 0,
      activeUsers: 0,
      p50Us: 0,
      p95Us: 0,
      p99Us: 0,
    }
  );
}

function openLoad(
  profile: LoadProfile,
  iteration: PlannedIteration,
  last: SeriesPoint | undefined,
  elapsedMs: number,
  bucketMs: number,
): LoadFigures {
  const targetRatePerSec = rateAt(profile, elapsedMs);
  if (last === undefined) return { kind: 'open', targetRatePerSec };
  // The series counts requests, not iterations: a flow of three requests is one arrival.
  const achievedRatePerSec = last.requests / requestsPerIteration(iteration) / (bucketMs / 1000);
  // A piecewise-linear rate averages to its value at the middle of an interval (exact within one stage).
  const intervalTargetRatePerSec = rateAt(profile, last.startMs + bucketMs / 2);
  return { kind: 'open', targetRatePerSec, achievedRatePerSec, intervalTargetRatePerSec };
}

/** Requests one iteration sends on average: every request of a sequence, or the weighted mean of the choices. */
function requestsPerIteration(iteration: PlannedIteration): number {
  let weighted = 0;
  let weights = 0;
  for (const choice of iteration.choices) {
    const requests = requestsPerPass(choice.steps);
    weighted += choice.weight * requests;
    weights += choice.weight;
  }
  const mean = weights > 0 ? weighted / weights : 0;
  return mean > 0 ? mean : 1;
}

/** Requests a list of steps sends: a loop's as many times as its passes (a while loop's counted once: a guess). */
function requestsPerPass(steps: readonly PlannedStep[]): number {
  let requests = 0;
  for (const step of steps) {
    if (step.kind === 'request') requests += 1;
    else if (step.kind === 'loop') requests += (step.while === undefined ? step.maxPasses : 1) * requestsPerPass(step.steps);
  }
  return requests;
}

/** The stage a staged profile is in at `elapsedMs`; undefined for profiles with one stretch of load. */
function stageOf(plan: Plan, elapsedMs: number): string | undefined {
  const profile = plan.profile;
  if (profile.kind !== 'ramping-users' && profile.kind !== 'ramping-arrival-rate') return undefined;
  // Zero-length stages are jumps (breaking point), not stretches anyone sees.
  const stretches = profile.stages.filter((stage) => stage.durationMs > 0);
  let index = 0;
  let endMs = 0;
  for (const [i, stage] of stretches.entries()) {
    index = i;
    endMs += stage.durationMs;
    if (elapsedMs < endMs) break;
  }
  switch (plan.profileName) {
    case 'ramp':
      return index === 0 ? 'ramping' : 'steady';
    case 'breaking_point':
      return `step ${index + 1}/${stretches.length}`;
    default:
      return stretches.length > 1 ? `stage ${index + 1}/${stretches.length}` : undefined;
  }
}
