import { assertNever } from '../errors.js';
import { Recorder } from '../metrics/recorder.js';
import type { PlannedWarmup } from '../plan/build-plan.js';
import { modelOf, peakUsers, profileDurationMs, rateAt, usersAt } from '../plan/profile.js';
import type { LoadProfile } from '../plan/profile.js';
import { ClosedExecutor } from './closed-executor.js';
import { now } from './clock.js';
import { OpenExecutor } from './open-executor.js';
import type { Phase, PhaseOutcome } from './phase.js';
import type { RunOptions, RunResult } from './run-result.js';
import type { StepTarget } from './step-target.js';
import { UserPool } from './user-pool.js';
import type { Workload } from './workload.js';

const DEFAULT_PROGRESS_INTERVAL_MS = 1000;
/** Open model: pre-connect for the iterations in flight at the first rate if each took up to this long. */
const PRECONNECT_ITERATION_MS = 100;

/**
 * Runs a workload against a target: pre-connects, runs the warm-up (if any) into its own recorder, then the
 * measured profile; users and their connections carry over from one phase to the next. Target failures are
 * data in the recorders; this only rejects on a bug. The target is closed in every case.
 */
export async function executeRun(workload: Workload, target: StepTarget, options: RunOptions = {}): Promise<RunResult> {
  const recorder = new Recorder(workload.requestNames);
  const warmupRecorder = new Recorder(workload.requestNames);
  const pool = new UserPool(workload, target);
  const signal = options.signal;
  try {
    const warmupProfile = workload.warmup === undefined ? undefined : warmupProfileOf(workload.profile, workload.warmup);
    const firstProfile = warmupProfile ?? workload.profile;
    const sessions = [];
    for (let index = 0; index < preconnectCount(firstProfile); index++) sessions.push(pool.get(index).session);
    const preconnectedConnections = target.prepare === undefined ? 0 : await target.prepare(sessions);

    let interrupted = signal?.aborted === true;
    if (warmupProfile !== undefined && !interrupted) {
      const outcome = await runPhase(createPhase(pool, workload, warmupRecorder, warmupProfile), 'warmup', warmupProfile, options);
      interrupted = outcome.interrupted;
    }
    const startedAtEpochMs = Date.now();
    if (interrupted) {
      // Stopped before the measured profile began: nothing measured.
      return {
        recorder,
        warmupRecorder,
        warmupRan: warmupProfile !== undefined,
        startedAtEpochMs,
        endedAtEpochMs: startedAtEpochMs,
        elapsedMs: 0,
        interrupted,
        requestNames: workload.requestNames,
        preconnectedConnections,
      };
    }
    const outcome = await runPhase(createPhase(pool, workload, recorder, workload.profile), 'measured', workload.profile, options);
    const elapsedMs = outcome.endedAt - outcome.originAt;
    return {
      recorder,
      warmupRecorder,
      warmupRan: warmupProfile !== undefined,
      startedAtEpochMs,
      endedAtEpochMs: startedAtEpochMs + Math.round(elapsedMs),
      elapsedMs,
      interrupted: outcome.interrupted,
      requestNames: workload.requestNames,
      preconnectedConnections,
    };
  } finally {
    await target.close();
  }
}

/** The warm-up as a constant profile of the same model: the given users or rate, else the profile's first. */
export function warmupProfileOf(profile: LoadProfile, warmup: PlannedWarmup): LoadProfile {
  const model = modelOf(profile);
  switch (model) {
    case 'closed':
      return { kind: 'constant-users', users: warmup.users ?? Math.max(1, usersAt(profile, 0)), durationMs: warmup.durationMs };
    case 'open':
      return {
        kind: 'constant-arrival-rate',
        ratePerSec: warmup.ratePerSec ?? Math.max(1, rateAt(profile, 0)),
        durationMs: warmup.durationMs,
        maxUsers: peakUsers(profile),
      };
    default:
      return assertNever(model);
  }
}

/** How many users get a connection before t=0: the users at t=0 (closed), or the first rate's likely concurrency (open). */
export function preconnectCount(profile: LoadProfile): number {
  const peak = peakUsers(profile);
  const model = modelOf(profile);
  switch (model) {
    case 'closed':
      return Math.min(peak, Math.max(1, usersAt(profile, 0)));
    case 'open':
      return Math.min(peak, Math.max(1, Math.ceil((rateAt(profile, 0) * PRECONNECT_ITERATION_MS) / 1000)));
    default:
      return assertNever(model);
  }
}

function createPhase(pool: UserPool, workload: Workload, recorder: Recorder, profile: LoadProfile): Phase {
  switch (profile.kind) {
    case 'constant-users':
    case 'ramping-users':
      return new ClosedExecutor(pool, workload, recorder, profile);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return new OpenExecutor(pool, workload, recorder, profile);
    default:
      return assertNever(profile);
  }
}

async function runPhase(phase: Phase, name: 'warmup' | 'measured', profile: LoadProfile, options: RunOptions): Promise<PhaseOutcome> {
  const onProgress = options.onProgress;
  if (onProgress === undefined) return phase.run(options.signal);
  const plannedDurationMs = profileDurationMs(profile);
  const timer = setInterval(() => {
    onProgress({
      phase: name,
      elapsedMs: now() - phase.originAt,
      plannedDurationMs,
      activeUsers: phase.activeUsers,
      inFlight: phase.inFlight,
      stopping: phase.stopping,
      recorder: phase.recorder,
    });
  }, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  try {
    return await phase.run(options.signal);
  } finally {
    clearInterval(timer);
  }
}
