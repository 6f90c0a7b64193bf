import type { ChalkInstance } from 'chalk';
import { ExitCode } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import type { Segment } from '../plan/segment.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { RunPhaseName } from '../engine/run-result.js';
import { createLiveProgress } from '../progress/live-progress.js';
import type { LiveProgress } from '../progress/live-progress.js';
import { clockTime } from '../progress/waiting-line.js';
import type { ResultsDocument } from '../results/results-document.js';
import { combineDisplays } from '../run/combine-displays.js';
import { executePlan } from '../run/execute-plan.js';
import type { ExecutedRun, ProgressDisplay, StopCondition } from '../run/execute-plan.js';
import { formatDuration } from '../scenario/duration.js';
import type { CliIo } from './io.js';
import { progressModeFor } from './progress-mode.js';
import { runExitCode } from './run-exit-code.js';

/** What `run` and `find-limit` both do on the console around a run: the live progress, their lines, the end. */

/** How a command runs its plan: its share, its hard limit, whether it shows progress, what it watches. */
export interface ConsoleRun {
  readonly shard?: Segment | undefined;
  readonly maxDurationMs?: number | 'none' | undefined;
  readonly quiet: boolean;
  /** Shown live beside the progress (run: the SLA's). */
  readonly thresholds?: readonly PlannedThreshold[];
  /** The streaming outputs' feed (`--output`): every progress tick of the measured phase. */
  readonly feed?: ProgressDisplay | undefined;
  /** The reasons to stop early; `stopped` takes the live display down before the condition says why. */
  readonly stopConditions: (stopped: () => void) => readonly StopCondition[];
  /** Another live display beside the console's (`run --dashboard`); it gets every tick, quiet or not. */
  readonly dashboard?: ProgressDisplay | undefined;
  /** `--start-at`: the measured load starts at this instant (ms since the epoch); the console counts down to it. */
  readonly startAtEpochMs?: number | undefined;
}

/** A measured phase that started later than this after its start instant gets a warning (on time is within a few ms). */
const LATE_START_WARNING_MS = 10;

/** Runs the plan with the live progress on stderr, the kill switch's line, and the command's stop conditions. */
export async function runWithProgress(io: CliIo, plan: Plan, how: ConsoleRun, err: ChalkInstance): Promise<ExecutedRun> {
  const progress = createLiveProgress({
    stream: io.stderr,
    plan,
    ...(how.thresholds === undefined ? {} : { thresholds: how.thresholds }),
    colors: err,
    mode: progressModeFor(how.quiet, io.env),
  });
  const stopConditions = how.stopConditions(() => progress.stop());
  const display = combineDisplays([
    ...(progress.mode === 'quiet' ? [] : [progress]),
    ...(how.dashboard === undefined ? [] : [how.dashboard]),
  ]);
  const startAtEpochMs = how.startAtEpochMs;
  const waiting = startAtEpochMs === undefined || startAtEpochMs <= Date.now() ? undefined : countDown(progress, startAtEpochMs);
  try {
    return await executePlan(plan, {
      signal: io.signal,
      ...(how.shard === undefined ? {} : { shard: how.shard }),
      ...(startAtEpochMs === undefined
        ? {}
        : {
            startAtEpochMs,
            onPhaseStart: (phase: RunPhaseName, originEpochMs: number) => {
              waiting?.stop();
              if (phase === 'measured') io.stderr.write(lateStartLine(startAtEpochMs, originEpochMs, err));
            },
          }),
      ...(how.maxDurationMs === undefined ? {} : { maxDurationMs: how.maxDurationMs }),
      onKilled: (limitMs) => io.stderr.write(killedLine(limitMs, err)),
      ...(display === undefined ? {} : { display }),
      ...(how.feed === undefined ? {} : { feed: how.feed }),
      ...(stopConditions.length === 0 ? {} : { stopConditions }),
    });
  } finally {
    waiting?.stop();
    progress.stop();
  }
}

/** The status line counts down to the start instant, on its own timer, until stopped (the first phase started). */
function countDown(progress: LiveProgress, startAtEpochMs: number): { readonly stop: () => void } {
  progress.waiting(startAtEpochMs);
  const timer = setInterval(() => progress.waiting(startAtEpochMs), progress.intervalMs);
  return { stop: () => clearInterval(timer) };
}

/** Said when the measured phase started well after its start instant (the run was ready only then); empty otherwise. */
export function lateStartLine(startAtEpochMs: number, originEpochMs: number, err: ChalkInstance): string {
  const lateMs = originEpochMs - startAtEpochMs;
  if (lateMs <= LATE_START_WARNING_MS) return '';
  return err.yellow(
    `\n! --start-at ${clockTime(startAtEpochMs)}: ready only after it, started at once, ${formatDuration(lateMs)} late (run.startLateMs in the results)\n`,
  );
}

/** Said before the load when certificates will not be checked; empty otherwise. */
export function insecureTlsLine(plan: Plan, err: ChalkInstance): string {
  return plan.tls?.insecure === true
    ? err.yellow('! http.tls.insecure: TLS certificates will not be verified; only for targets you own\n')
    : '';
}

/** Said when the kill switch (`--max-duration`) stops the run. */
function killedLine(limitMs: number, err: ChalkInstance): string {
  return err.yellow(`\n! --max-duration ${formatDuration(limitMs)} reached: stopping the run, writing the reports\n`);
}

/**
 * The exit code of a run whose reports are written. A signal that came once the load was over, while the
 * reports were being written, finished them (whole files, as always), and the code still says the command
 * was interrupted.
 */
export function runEndCode(io: CliIo, results: ResultsDocument, outputFailed: boolean, killed: boolean, err: ChalkInstance): ExitCode {
  if (io.signal.aborted && results.verdict !== 'interrupted') {
    io.stderr.write(err.yellow(`! ${String(io.signal.reason)} while writing the reports: they are complete\n`));
    return io.signal.reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  }
  return runExitCode(results.verdict, outputFailed, io.signal.reason === 'SIGTERM' || killed);
}
