import { clearLongTimeout, setLongTimeout } from '../time/long-timeout.js';
import { runPlan } from '../engine/run-plan.js';
import type { RunOptions, RunProgress, RunResult } from '../engine/run-result.js';
import type { MonitorResults } from '../monitor/monitor-results.js';
import { startMonitor } from '../monitor/start-monitor.js';
import type { Plan } from '../plan/build-plan.js';
import { profileDurationMs } from '../plan/profile.js';
import type { Segment } from '../plan/segment.js';
import type { RunStart } from '../results/results-document.js';

/**
 * A reason to stop the run early, judged on the run's progress ticks: abort-on-fail's thresholds, find-limit's
 * steps. It is asked only during the measured phase, before the run is ending anyway and before a signal.
 */
export interface StopCondition {
  /** How often it needs to look (ms): the run's one timer ticks at the greatest common divisor of these. */
  readonly periodsMs: readonly number[];
  /** The check for ticks `tickMs` apart: true when the run must stop (it has said why and kept what it needs). */
  start(tickMs: number): (progress: RunProgress) => boolean;
}

/** The live display: it throttles its own drawing. */
export interface ProgressDisplay {
  readonly intervalMs: number;
  readonly update: (progress: RunProgress) => void;
}

export interface ExecuteOptions {
  /** SIGINT/SIGTERM (or a program's own): the run stops as at its end, and is interrupted. */
  readonly signal?: AbortSignal;
  readonly shard?: Segment;
  /**
   * `--start-at`: the measured phase starts at this instant (ms since the epoch), once connected and warmed
   * up. The default kill switch counts the wait in.
   */
  readonly startAtEpochMs?: number;
  /** With `startAtEpochMs`: called as each phase starts (the wait over), with its t=0 since the epoch. */
  readonly onPhaseStart?: RunOptions['onPhaseStart'];
  /** The kill switch: the whole run stops by itself after this long (`none`: never). Default: defaultMaxDurationMs. */
  readonly maxDurationMs?: number | 'none';
  /** Called when the kill switch fires, before the run stops. */
  readonly onKilled?: (limitMs: number) => void;
  readonly display?: ProgressDisplay;
  /** The streaming outputs (`--output`): every tick, whatever the display and the stop conditions do. */
  readonly feed?: ProgressDisplay;
  readonly stopConditions?: readonly StopCondition[];
  /** Sends the plan's load: runPlan (HTTP, worker threads) unless a program brings its own target function (api/). */
  readonly runLoad?: (plan: Plan, options: RunOptions) => Promise<RunResult>;
}

export interface ExecutedRun {
  readonly result: RunResult;
  /** What the plan's `monitor` sampled, on the run's time axis. */
  readonly monitor?: MonitorResults;
  /** A stop condition ended the run. */
  readonly stopped: boolean;
  /** The kill switch ended it. */
  readonly killed: boolean;
  /** With a start instant: it, and how late the measured phase started (for the results' `run.startAt`). */
  readonly start?: RunStart;
}

/** The run's one progress timer never ticks faster than this. */
const MIN_TICK_MS = 100;

/**
 * Runs a plan with everything around the engine: the server-side monitor beside it, the kill switch, the stop
 * conditions and the live display on one progress timer. A sampling failure of the monitor is a warning in its
 * results, never fatal; the monitor is stopped whatever happens.
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ExecutedRun> {
  const stop = new AbortController();
  let stopped = false;
  const ticker = progressTicker(
    options.display,
    options.feed,
    options.stopConditions ?? [],
    () => {
      stopped = true;
      stop.abort('stop condition');
    },
    options.signal,
  );
  // A limit past 2³¹−1 ms (24.8 days) is a chain of timers: one plain timer would fire at once.
  const limitMs = options.maxDurationMs ?? defaultMaxDurationMs(plan) + waitMsOf(options.startAtEpochMs);
  const killSwitch = new AbortController();
  const killTimer =
    limitMs === 'none'
      ? undefined
      : setLongTimeout(() => {
          options.onKilled?.(limitMs);
          killSwitch.abort('SIGTERM');
        }, limitMs).unref();
  const monitor = plan.monitor === undefined ? undefined : startMonitor(plan.monitor.sources, { intervalMs: plan.monitor.intervalMs });
  const startAtEpochMs = options.startAtEpochMs;
  let measuredAtEpochMs: number | undefined;
  const onPhaseStart: RunOptions['onPhaseStart'] = (phase, originEpochMs) => {
    if (phase === 'measured') measuredAtEpochMs = originEpochMs;
    options.onPhaseStart?.(phase, originEpochMs);
  };
  let result: RunResult;
  try {
    result = await (options.runLoad ?? runPlan)(plan, {
      signal: AbortSignal.any([...(options.signal === undefined ? [] : [options.signal]), stop.signal, killSwitch.signal]),
      ...(options.shard === undefined ? {} : { shard: options.shard }),
      ...(startAtEpochMs === undefined ? {} : { startAtEpochMs, onPhaseStart }),
      ...(ticker === undefined ? {} : { onProgress: ticker.onProgress, progressIntervalMs: ticker.intervalMs }),
    });
  } catch (error) {
    await monitor?.stop();
    throw error;
  } finally {
    clearLongTimeout(killTimer);
  }
  monitor?.setOrigin(result.startedAtEpochMs);
  const monitored = await monitor?.stop();
  const start: RunStart | undefined =
    startAtEpochMs === undefined
      ? undefined
      : { atEpochMs: startAtEpochMs, ...(measuredAtEpochMs === undefined ? {} : { lateMs: measuredAtEpochMs - startAtEpochMs }) };
  return {
    result,
    ...(monitored === undefined ? {} : { monitor: monitored }),
    stopped,
    killed: killSwitch.signal.aborted,
    ...(start === undefined ? {} : { start }),
  };
}

/** The whole run's limit unless told otherwise: the planned length, warm-up and grace period, and a minute. */
export function defaultMaxDurationMs(plan: Plan): number {
  return profileDurationMs(plan.profile) + (plan.warmup?.durationMs ?? 0) + plan.gracePeriodMs + 60_000;
}

/** How long until the start instant, if any: 0 without one, or once it is past. */
function waitMsOf(startAtEpochMs: number | undefined): number {
  return startAtEpochMs === undefined ? 0 : Math.max(0, startAtEpochMs - Date.now());
}

/**
 * One timer for the run (RunOptions has one progress callback): it ticks at the greatest common divisor of the
 * display's and the feed's intervals and the stop conditions' periods (at least MIN_TICK_MS), and hands every
 * tick to each. Once a condition stops the run, the display is left alone (the condition has said why); the
 * feed of the streaming outputs gets every tick. Undefined when none is wanted.
 */
function progressTicker(
  display: ProgressDisplay | undefined,
  feed: ProgressDisplay | undefined,
  conditions: readonly StopCondition[],
  onStop: () => void,
  signal: AbortSignal | undefined,
): { onProgress: (progress: RunProgress) => void; intervalMs: number } | undefined {
  if (conditions.length === 0 && feed === undefined)
    return display === undefined ? undefined : { onProgress: display.update, intervalMs: display.intervalMs };
  const periodsMs = [
    ...conditions.flatMap((condition) => condition.periodsMs),
    ...[display, feed].flatMap((watcher) => (watcher === undefined ? [] : [watcher.intervalMs])),
  ]
    .map((periodMs) => Math.round(periodMs))
    .filter((periodMs) => periodMs > 0);
  const tickMs = Math.max(MIN_TICK_MS, periodsMs.reduce(gcd, 0) || MIN_TICK_MS);
  const checks = conditions.map((condition) => condition.start(tickMs));
  let stopped = false;
  return {
    intervalMs: tickMs,
    onProgress: (update) => {
      if (
        !stopped &&
        update.phase === 'measured' &&
        !update.stopping &&
        signal?.aborted !== true &&
        checks.some((check) => check(update))
      ) {
        stopped = true;
        onStop();
      }
      if (!stopped) display?.update(update);
      feed?.update(update);
    },
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
