import { performance } from 'node:perf_hooks';

/** The only clock the engine uses: monotonic, double-precision ms, no BigInt allocation. */
export function now(): number {
  return performance.now();
}

/** hdr-histogram-js truncates fractions, so latencies are recorded as integer microseconds. */
export function toMicros(durationMs: number): number {
  return Math.round(durationMs * 1000);
}

/**
 * A clock every thread of the process shares: ms since the Unix epoch, sub-millisecond. Each worker thread's
 * `now()` has its own origin (its `performance.timeOrigin`), so threads agree on a moment through this one.
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A moment on the shared clock, on this thread's engine clock. */
export function fromSharedClock(sharedAt: number): number {
  return sharedAt - performance.timeOrigin;
}

/** A moment of the wall clock (ms since the epoch, `Date.now()`), on the shared clock, as the two stand now. */
export function sharedFromEpoch(atEpochMs: number): number {
  return sharedNow() + (atEpochMs - Date.now());
}
