import { now } from '../time/clock.js';
import { waitUntilEpoch } from '../time/wait-until.js';
import type { RunOptions, RunPhaseName } from './run-result.js';

/**
 * With a start instant (`run --start-at`), a warm-up runs right before it and ends this long before it, so
 * that its last requests are answered by the time the measured phase starts.
 */
export const WARMUP_END_LEAD_MS = 1000;

/**
 * A phase's planned t=0 on the wall clock (ms since the epoch) for a run told to start its measured phase at
 * `startAtEpochMs`: the measured phase at that instant; the warm-up `warmupMs` + WARMUP_END_LEAD_MS before it.
 * A moment already past means "at once" (a shard that was ready late starts late, and says so).
 */
export function plannedPhaseStart(phase: RunPhaseName, startAtEpochMs: number, warmupMs: number): number {
  return phase === 'measured' ? startAtEpochMs : startAtEpochMs - warmupMs - WARMUP_END_LEAD_MS;
}

/**
 * executeRun's `startPhase` on the thread that runs the load itself (no worker threads): waits for the
 * phase's planned t=0 when the run has a start instant, then starts it at once, telling `onPhaseStart`.
 * Resolves undefined ("now", and the phase sees the aborted signal) when the signal aborts the wait.
 * Undefined when the run has neither a start instant nor an `onPhaseStart`.
 */
export function instantStarter(options: RunOptions, warmupMs: number): ((phase: RunPhaseName) => Promise<number | undefined>) | undefined {
  const { startAtEpochMs, onPhaseStart } = options;
  if (startAtEpochMs === undefined && onPhaseStart === undefined) return undefined;
  return async (phase) => {
    if (startAtEpochMs !== undefined) {
      const reached = await waitUntilEpoch(plannedPhaseStart(phase, startAtEpochMs, warmupMs), options.signal);
      if (!reached) return undefined;
    }
    const originAt = now();
    onPhaseStart?.(phase, Date.now());
    return originAt;
  };
}
