import { fromSharedClock, now, sharedFromEpoch } from '../time/clock.js';
import { waitUntilEpoch } from '../time/wait-until.js';
import type { RunOptions, RunPhaseName } from './run-result.js';

/**
 * With a start instant (`run --start-at`), a warm-up runs right before it and ends this long before it, so
 * that its last requests are answered by the time the measured phase starts.
 */
export const WARMUP_END_LEAD_MS = 1000;

/**
 * The wait ends this long before a phase's planned t=0, and the phase is armed for it: its executor's own
 * timer fires the first users or arrivals on time, every set-up step done before.
 */
export const ARM_LEAD_MS = 20;

/**
 * A phase's planned t=0 on the wall clock (ms since the epoch) for a run told to start its measured phase at
 * `startAtEpochMs`: the measured phase at that instant; the warm-up `warmupMs` + WARMUP_END_LEAD_MS before it.
 * A moment already past means "at once" (a shard that was ready late starts late, and says so).
 */
export function plannedPhaseStart(phase: RunPhaseName, startAtEpochMs: number, warmupMs: number): number {
  return phase === 'measured' ? startAtEpochMs : startAtEpochMs - warmupMs - WARMUP_END_LEAD_MS;
}

/**
 * executeRun's `startPhase` on the thread that runs the load itself (no worker threads): with a start
 * instant, waits until ARM_LEAD_MS before the phase's planned t=0 and resolves with that t=0 (engine clock;
 * now, when it is past), telling `onPhaseStart`. Resolves undefined ("now", and the phase sees the aborted
 * signal) when the signal aborts the wait. Undefined when the run has neither a start instant nor an `onPhaseStart`.
 */
export function instantStarter(options: RunOptions, warmupMs: number): ((phase: RunPhaseName) => Promise<number | undefined>) | undefined {
  const { startAtEpochMs, onPhaseStart } = options;
  if (startAtEpochMs === undefined && onPhaseStart === undefined) return undefined;
  return async (phase) => {
    const plannedAt = startAtEpochMs === undefined ? undefined : plannedPhaseStart(phase, startAtEpochMs, warmupMs);
    if (plannedAt !== undefined && !(await waitUntilEpoch(plannedAt - ARM_LEAD_MS, options.signal))) return undefined;
    const originAt = plannedAt === undefined ? now() : Math.max(now(), fromSharedClock(sharedFromEpoch(plannedAt)));
    onPhaseStart?.(phase, Date.now() + (originAt - now()));
    return originAt;
  };
}
