import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Recorder } from '../metrics/recorder.js';
import type { Plan } from '../plan/build-plan.js';
import type { TargetContext } from './http-transport.js';
import { segmentsOf, segmentsWithin } from '../plan/segment.js';
import { sharedFromEpoch, sharedNow } from '../time/clock.js';
import { waitUntilEpoch } from '../time/wait-until.js';
import { plannedPhaseStart } from './start-instant.js';
import type { PhaseName } from './execute-run.js';
import { cpuPercentOf, generatorLoad, idleGenerator, processCpuUs } from './load-monitor.js';
import type { RunOptions, RunProgress, RunResult } from './run-result.js';
import type { FromWorker, ToWorker, WorkerInput, WorkerOutcome, WorkerProgress } from './worker-protocol.js';

/**
 * The compiled worker script, next to this module in dist/. (Under vitest, which runs the TypeScript
 * sources, there is no such file next to src/engine/: tests of worker runs import the built dist/.)
 */
const WORKER_SCRIPT = new URL('./worker-entry.js', import.meta.url);
/** Every worker is told a t=0 this far ahead, so the message reaches them all before it. */
const START_LEAD_MS = 25;
const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

/**
 * Runs a plan over `plan.workers` worker threads, one plan segment each (see plan/segment.ts), and merges
 * what they measured into one RunResult, losslessly. Each phase starts at one shared t=0 once every worker is
 * connected; aborting the signal stops them all; progress merges their latest recorders. Rejects only on a
 * bug (a worker that throws or exits early), after stopping the others.
 */
export function runWorkers(plan: Plan, options: RunOptions = {}, context: Pick<TargetContext, 'setupVariables'> = {}): Promise<RunResult> {
  if (!existsSync(fileURLToPath(WORKER_SCRIPT))) {
    return Promise.reject(
      new Error(
        `no worker script at ${fileURLToPath(WORKER_SCRIPT)}: worker threads run the compiled engine (dist/, from \`npm run build\`)`,
      ),
    );
  }
  const segments = options.shard === undefined ? segmentsOf(plan.workers) : segmentsWithin(options.shard, plan.workers);
  const { signal, onProgress } = options;
  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;

  return new Promise<RunResult>((resolve, reject) => {
    const workers = segments.map((segment) => {
      const input: WorkerInput = {
        plan,
        segment,
        ...(context.setupVariables === undefined ? {} : { setupVariables: context.setupVariables }),
        ...(onProgress === undefined ? {} : { progressIntervalMs }),
      };
      return new Worker(WORKER_SCRIPT, { workerData: input });
    });
    const run = new WorkersRun(
      workers,
      plan.requests.map((request) => request.name),
      startOf(options, plan.warmup?.durationMs ?? 0),
    );
    const onAbort = (): void => {
      run.cancelWait();
      run.send({ kind: 'abort' });
    };
    let settled = false;
    const progressTimer =
      onProgress === undefined
        ? undefined
        : setInterval(() => {
            const progress = run.progress();
            if (progress !== undefined) onProgress(progress);
          }, progressIntervalMs);

    const settle: Settle = (outcome) => {
      if (settled) return;
      settled = true;
      if (progressTimer !== undefined) clearInterval(progressTimer);
      run.cancelWait();
      signal?.removeEventListener('abort', onAbort);
      void Promise.all(workers.map((worker) => worker.terminate())).then(() => {
        if ('result' in outcome) resolve(outcome.result);
        else reject(outcome.error);
      });
    };

    watchWorkers(run, settle, onAbort);
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** When each phase starts: at once when all workers are ready, or at the run's start instant; who to tell. */
interface PhaseStarts {
  /** The phase's planned t=0 on the wall clock (ms since the epoch); undefined: as soon as every worker is ready. */
  readonly plannedAt: (phase: PhaseName) => number | undefined;
  readonly onPhaseStart?: RunOptions['onPhaseStart'];
}

function startOf(options: RunOptions, warmupMs: number): PhaseStarts {
  const { startAtEpochMs, onPhaseStart } = options;
  return {
    plannedAt: (phase) => (startAtEpochMs === undefined ? undefined : plannedPhaseStart(phase, startAtEpochMs, warmupMs)),
    ...(onPhaseStart === undefined ? {} : { onPhaseStart }),
  };
}

/** How a run of workers ends: with its result, or with the error of a worker that failed (a bug). */
type Settle = (outcome: { readonly result: RunResult } | { readonly error: Error }) => void;

/** Hands each worker's messages to the run; a worker that throws or exits before its outcome stops them all. */
function watchWorkers(run: WorkersRun, settle: Settle, onAbort: () => void): void {
  const workers = run.workers;
  workers.forEach((worker, index) => {
    worker.on('message', (message: FromWorker) => run.onMessage(index, message, settle));
    worker.on('error', (error) => {
      onAbort();
      settle({ error });
    });
    worker.on('exit', (code) => {
      if (run.outcomes[index] !== undefined) return;
      onAbort();
      settle({ error: new Error(`load worker ${index + 1} of ${workers.length} exited (code ${code}) before reporting its results`) });
    });
  });
}

/**
 * What the main thread knows of its workers: which are ready for a phase (it starts at one shared t=0 once
 * all are), the t=0 of each phase, each worker's latest progress and its outcome.
 */
class WorkersRun {
  readonly workers: readonly Worker[];
  readonly requestNames: readonly string[];
  readonly outcomes: (WorkerOutcome | undefined)[];
  readonly #readyCount: Record<PhaseName, number> = { warmup: 0, measured: 0 };
  readonly #originsSharedMs: Partial<Record<PhaseName, number>> = {};
  readonly #latest: (WorkerProgress | undefined)[];
  readonly #starts: PhaseStarts;
  /** Aborts the wait for a start instant (the run aborted, or settled). */
  readonly #waiting = new AbortController();
  #cpuAtStart = 0;

  constructor(workers: readonly Worker[], requestNames: readonly string[], starts: PhaseStarts) {
    this.workers = workers;
    this.requestNames = requestNames;
    this.#starts = starts;
    this.outcomes = workers.map(() => undefined);
    this.#latest = workers.map(() => undefined);
  }

  send(message: ToWorker): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  cancelWait(): void {
    this.#waiting.abort();
  }

  progress(): RunProgress | undefined {
    return mergeProgress(this.#latest, this.requestNames, this.#originsSharedMs);
  }

  /**
   * Starts a phase on every worker, START_LEAD_MS ahead so the message reaches them all before it: now, or
   * (with a start instant still ahead) at the planned moment, told START_LEAD_MS before it. An aborted wait
   * sends nothing (the workers were told to abort).
   */
  async #start(phase: PhaseName): Promise<void> {
    const plannedAt = this.#starts.plannedAt(phase);
    if (plannedAt !== undefined && !(await waitUntilEpoch(plannedAt - START_LEAD_MS, this.#waiting.signal))) return;
    const soonest = sharedNow() + START_LEAD_MS;
    const originSharedMs = plannedAt === undefined ? soonest : Math.max(sharedFromEpoch(plannedAt), soonest);
    this.#originsSharedMs[phase] = originSharedMs;
    if (phase === 'measured') this.#cpuAtStart = processCpuUs();
    this.send({ kind: 'start', phase, originSharedMs });
    this.#starts.onPhaseStart?.(phase, Date.now() + (originSharedMs - sharedNow()));
  }

  onMessage(index: number, message: FromWorker, settle: Settle): void {
    switch (message.kind) {
      case 'ready': {
        this.#readyCount[message.phase] += 1;
        if (this.#readyCount[message.phase] < this.workers.length) return;
        void this.#start(message.phase);
        return;
      }
      case 'progress':
        this.#latest[index] = message;
        return;
      case 'done': {
        const outcomes = this.outcomes;
        outcomes[index] = message.outcome;
        if (outcomes.every((outcome) => outcome !== undefined)) {
          const cpuUs = processCpuUs() - this.#cpuAtStart;
          try {
            settle({ result: mergeOutcomes(outcomes, this.requestNames, this.#originsSharedMs.measured, cpuUs) });
          } catch (error) {
            // mergeOutcomes throws only on a bug, an Error.
            settle({ error: error as Error });
          }
        }
        return;
      }
    }
  }
}

/** One RunResult from every worker's: recorders merged, the run as long as its longest segment. */
function mergeOutcomes(
  outcomes: readonly WorkerOutcome[],
  requestNames: readonly string[],
  measuredOriginSharedMs: number | undefined,
  cpuUs: number,
): RunResult {
  const recorder = new Recorder(requestNames);
  const warmupRecorder = new Recorder(requestNames);
  for (const outcome of outcomes) {
    recorder.merge(Recorder.decode(outcome.recorder));
    warmupRecorder.merge(Recorder.decode(outcome.warmupRecorder));
  }
  const elapsedMs = Math.max(0, ...outcomes.map((outcome) => outcome.elapsedMs));
  // On the shared t=0, the load stopped when the last worker stopped starting work.
  const loadMs = Math.max(0, ...outcomes.map((outcome) => outcome.elapsedMs - outcome.drainMs));
  const startedAtEpochMs = Math.round(measuredOriginSharedMs ?? sharedNow());
  const threads = outcomes.flatMap((outcome) => (outcome.thread === undefined ? [] : [outcome.thread]));
  const wallMs = measuredOriginSharedMs === undefined ? 0 : sharedNow() - measuredOriginSharedMs;
  return {
    recorder,
    warmupRecorder,
    warmupRan: outcomes.some((outcome) => outcome.warmupRan),
    startedAtEpochMs,
    endedAtEpochMs: startedAtEpochMs + Math.round(elapsedMs),
    elapsedMs,
    drainMs: Math.max(0, elapsedMs - loadMs),
    interrupted: outcomes.some((outcome) => outcome.interrupted),
    ...(outcomes.some((outcome) => outcome.dataExhausted === true) ? { dataExhausted: true } : {}),
    requestNames,
    preconnectedConnections: outcomes.reduce((sum, outcome) => sum + outcome.preconnectedConnections, 0),
    generator:
      threads.length === 0
        ? idleGenerator(outcomes.length)
        : generatorLoad(outcomes.length, cpuPercentOf(cpuUs, wallMs), threads, recorder),
  };
}

/** The run as the workers last reported it: the earliest phase any of them is in, their recorders merged. */
function mergeProgress(
  latest: readonly (WorkerProgress | undefined)[],
  requestNames: readonly string[],
  originsSharedMs: Partial<Record<PhaseName, number>>,
): RunProgress | undefined {
  const reported = latest.filter((progress) => progress !== undefined);
  const phase: PhaseName = reported.some((progress) => progress.phase === 'warmup') ? 'warmup' : 'measured';
  const current = reported.filter((progress) => progress.phase === phase);
  const first = current[0];
  if (first === undefined) return undefined;
  const recorder = new Recorder(requestNames);
  for (const progress of current) recorder.merge(Recorder.decode(progress.recorder));
  const originSharedMs = originsSharedMs[phase];
  return {
    phase,
    elapsedMs: originSharedMs === undefined ? 0 : Math.max(0, sharedNow() - originSharedMs),
    plannedDurationMs: first.plannedDurationMs,
    activeUsers: current.reduce((sum, progress) => sum + progress.activeUsers, 0),
    inFlight: current.reduce((sum, progress) => sum + progress.inFlight, 0),
    stopping: current.every((progress) => progress.stopping),
    recorder,
  };
}
