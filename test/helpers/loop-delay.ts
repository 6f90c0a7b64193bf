import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Runs `work` and says how long this process's event loop was held up meanwhile, in total (ms): what a busy
 * machine added to any time measured in it. A timing test bounds what it measures by what it expects plus
 * this, never by a wall-clock constant alone.
 */
export async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly lateMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let value: T;
  try {
    value = await work();
  } finally {
    histogram.disable();
  }
  const totalNs = histogram.count === 0 ? 0 : histogram.mean * histogram.count;
  return { value, lateMs: Math.max(totalNs, histogram.max) / 1e6 };
}
