import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The delay timer's period. */
const RESOLUTION_MS = 5;

/**
 * Runs `work` and says how long this process's event loop was held up meanwhile, in total (ms): what a busy
 * machine added to any time measured in it. A timing test bounds what it measures by what it expects plus
 * this, never by a wall-clock constant alone.
 */
export async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly lateMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let value: T;
  try {
    value = await work();
  } finally {
    histogram.disable();
  }
  if (histogram.count === 0) return { value, lateMs: 0 };
  // Node 20 records each sample as the whole time between two ticks of the timer, period included: only what
  // exceeds the period is late. (Summing whole samples gave the time `work` took, and bounded nothing.)
  const lateNs = histogram.mean * histogram.count - histogram.count * RESOLUTION_MS * 1e6;
  return { value, lateMs: Math.max(0, lateNs, histogram.max - RESOLUTION_MS * 1e6) / 1e6 };
}
