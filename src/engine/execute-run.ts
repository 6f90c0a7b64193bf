import { assertNever } from '../errors.js';
import { Recorder } from '../metrics/recorder.js';
import type { PlannedWarmup } from '../plan/build-plan.js';
import { modelOf, peakUsers, profileDurationMs, rateAt, usersAt } from '../plan/profile.js';
import type { LoadProfile } from '../plan/profile.js';
import { shareOf, WHOLE_PLAN } from '../plan/segment.js';
import { ClosedExecutor } from './closed-executor.js';
import { now } from '../time/clock.js';
import { cpuPercentOf, generatorLoad, idleGenerator, LoadMonitor, processCpuUs } from './load-monitor.js';
import { OpenExecutor } from './open-executor.js';
import type { Phase, PhaseOutcome, RunnablePhase } from './phase.js';
import { PhaseGroup } from './phase-group.js';
import type { RunOptions, RunPhaseName, RunResult } from './run-result.js';
import { instantStarter } from './start-instant.js';
import type { StepTarget } from '../transport/step-target.js';
import { UserPool } from './user-pool.js';
import { warmHotPath } from './warm-hot-path.js';
import type { Workload } from './workload.js';

const DEFAULT_PROGRESS_INTERVAL_MS = 1000;
/** Open model: pre-connect for the iterations in flight at the first rate if each took up to this long. */
const PRECONNECT_ITERATION_MS = 100;

export type PhaseName = RunPhaseName;

/** What a worker thread adds to the run options: the shared start of each phase. */
export interface ExecuteOptions extends RunOptions {
  /**
   * Called when a phase is ready to start (users pre-connected, the previous phase over); resolves with its
   * t=0 on this thread's engine clock, usually a moment to come, or undefined for "now". Worker threads line
   * their phases up on one t=0 through it.
   */
  readonly startPhase?: (phase: PhaseName) => Promise<number | undefined>;
  /** Measure the whole process's CPU (default true); a worker leaves that to the thread that started it. */
  readonly measureProcessCpu?: boolean;
}

/**
 * Runs a workload against a target: pre-connects, runs the warm-up (if any) into its own recorder, then the
 * measured profile; users and their connections carry over from one phase to the next. Target failures are
 * data in the recorders; this only rejects on a bug. The target is closed in every case. With a segment in
 * the workload, it runs that segment's share of the load (see plan/segment.ts).
 */
export async function executeRun(workload: Workload, target: StepTarget, given: ExecuteOptions = {}): Promise<RunResult> {
  const options = withStartPhase(given, workload.warmup?.durationMs ?? 0);
  const metrics = workload.customMetrics === undefined ? {} : { customMetrics: workload.customMetrics };
  const recorder = new Recorder(workload.requestNames, metrics);
  const warmupRecorder = new Recorder(workload.requestNames, metrics);
  const pool = new UserPool(workload, target);
  const signal = options.signal;
  const segment = workload.segment ?? WHOLE_PLAN;
  try {
    const warmupProfile = workload.warmup === undefined ? undefined : warmupProfileOf(workload.profile, workload.warmup);
    const firstProfile = warmupProfile ?? workload.profile;
    const sessions = [];
    for (let index = 0; index < shareOf(preconnectCount(firstProfile), segment); index++) sessions.push(pool.get(index).session);
    const preconnectedConnections = target.prepare === undefined ? 0 : await target.prepare(sessions, signal);
    warmHotPath(workload.requestNames);

    let interrupted = signal?.aborted === true;
    if (warmupProfile !== undefined && !interrupted) {
      const originAt = await options.startPhase?.('warmup');
      const outcome = await runPhase(
        createPhase(pool, workload, warmupRecorder, warmupProfile),
        'warmup',
        warmupProfile,
        options,
        originAt,
      );
      interrupted = outcome.interrupted;
    }
    const common = {
      recorder,
      warmupRecorder,
      warmupRan: warmupProfile !== undefined,
      requestNames: workload.requestNames,
      preconnectedConnections,
    };
    // Stopped before the measured profile began: nothing measured.
    if (interrupted) return { ...common, ...notMeasured() };
    return { ...common, ...(await runMeasured(createPhase(pool, workload, recorder, workload.profile), workload.profile, options)) };
  } finally {
    await target.close();
  }
}

/** One scenario of several, ready to run: its workload (its share, its part index) and its own target. */
export interface ScenarioRun {
  readonly workload: Workload;
  readonly target: StepTarget;
  readonly startAfterMs: number;
}

/**
 * Runs several scenarios at once (a file with `scenarios`): each with its own users, executor and target,
 * all on one t=0 (each from its `start_after`), recording into one recorder over every request name. No
 * warm-up (a file with scenarios has none). `envelope`: the plan's profile, for the progress. Every target is
 * closed in every case.
 */
export async function executeScenarios(
  parts: readonly ScenarioRun[],
  requestNames: readonly string[],
  envelope: LoadProfile,
  given: ExecuteOptions = {},
): Promise<RunResult> {
  const options = withStartPhase(given, 0);
  const customMetrics = parts[0]?.workload.customMetrics;
  const recorder = new Recorder(requestNames, customMetrics === undefined ? {} : { customMetrics });
  const pools = parts.map((part) => new UserPool(part.workload, part.target));
  try {
    let preconnectedConnections = 0;
    for (const [index, part] of parts.entries()) {
      const pool = pools[index] as UserPool;
      const sessions = [];
      const count = shareOf(preconnectCount(part.workload.profile), part.workload.segment ?? WHOLE_PLAN);
      for (let user = 0; user < count; user++) sessions.push(pool.get(user).session);
      preconnectedConnections += part.target.prepare === undefined ? 0 : await part.target.prepare(sessions, options.signal);
    }
    warmHotPath(requestNames);
    const common = { recorder, warmupRecorder: new Recorder(requestNames), warmupRan: false, requestNames, preconnectedConnections };
    if (options.signal?.aborted === true) return { ...common, ...notMeasured() };
    const phases = parts.map((part, index) => ({
      phase: createPhase(pools[index] as UserPool, part.workload, recorder, part.workload.profile),
      startAfterMs: part.startAfterMs,
    }));
    return { ...common, ...(await runMeasured(new PhaseGroup(phases, recorder), envelope, options)) };
  } finally {
    await Promise.all(parts.map((part) => part.target.close()));
  }
}

/**
 * The options with a `startPhase` on this thread (engine/start-instant.ts) when the run has a start instant
 * or wants to hear of each phase's start; a worker thread's own (the main thread's t=0) is left alone.
 */
function withStartPhase(options: ExecuteOptions, warmupMs: number): ExecuteOptions {
  if (options.startPhase !== undefined) return options;
  const startPhase = instantStarter(options, warmupMs);
  return startPhase === undefined ? options : { ...options, startPhase };
}

/** What a run stopped before its measured profile reports: nothing measured, now. */
function notMeasured(): Omit<RunResult, RunCommon> {
  const startedAtEpochMs = Date.now();
  return { startedAtEpochMs, endedAtEpochMs: startedAtEpochMs, elapsedMs: 0, drainMs: 0, interrupted: true, generator: idleGenerator(1) };
}

/** The measured profile, with the generator's own load over it: a thread monitor, and the process's CPU. */
async function runMeasured(phase: RunnablePhase, profile: LoadProfile, options: ExecuteOptions): Promise<Omit<RunResult, RunCommon>> {
  const originAt = (await options.startPhase?.('measured')) ?? now();
  const startedAtEpochMs = Date.now() + Math.round(originAt - now());
  const measureCpu = options.measureProcessCpu !== false;
  const monitor = new LoadMonitor();
  const cpuAtStartUs = measureCpu ? processCpuUs() : 0;
  monitor.start();
  const outcome = await runPhase(phase, 'measured', profile, options, originAt);
  const thread = monitor.stop();
  const elapsedMs = outcome.endedAt - outcome.originAt;
  const cpuPercent = measureCpu ? cpuPercentOf(processCpuUs() - cpuAtStartUs, thread.durationMs) : 0;
  return {
    startedAtEpochMs,
    endedAtEpochMs: startedAtEpochMs + Math.round(elapsedMs),
    elapsedMs,
    drainMs: outcome.endedAt - outcome.stoppedAt,
    interrupted: outcome.interrupted,
    ...(outcome.dataExhausted ? { dataExhausted: true } : {}),
    generator: generatorLoad(1, cpuPercent, [thread], phase.recorder),
  };
}

/** The parts of a result known before the measured profile starts. */
type RunCommon = 'recorder' | 'warmupRecorder' | 'warmupRan' | 'requestNames' | 'preconnectedConnections';

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

async function runPhase(
  phase: RunnablePhase,
  name: PhaseName,
  profile: LoadProfile,
  options: RunOptions,
  originAt: number | undefined,
): Promise<PhaseOutcome> {
  const onProgress = options.onProgress;
  if (onProgress === undefined) return phase.run(options.signal, originAt);
  const plannedDurationMs = profileDurationMs(profile);
  const timer = setInterval(() => {
    onProgress({
      phase: name,
      elapsedMs: Math.max(0, now() - phase.originAt),
      plannedDurationMs,
      activeUsers: phase.activeUsers,
      inFlight: phase.inFlight,
      stopping: phase.stopping,
      recorder: phase.recorder,
    });
  }, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  try {
    return await phase.run(options.signal, originAt);
  } finally {
    clearInterval(timer);
  }
}
