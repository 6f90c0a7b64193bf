import { performance } from 'node:perf_hooks';

/** The only clock the engine uses: monotonic, double-precision ms, no BigInt allocation. */
export function now(): number {
  return performance.now();
}

/** hdr-histogram-js truncates fractions, so latencies are recorded as integer microseconds. */
export function toMicros(durationMs: number): number {
  return Math.round(durationMs * 1000);
}
