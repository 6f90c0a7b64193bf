import { describe, expect, it } from 'vitest';
import { cpuPercentOf, LoadMonitor } from '../../../src/engine/load-monitor.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the thread busy for `ms`, in blocks of `blockMs` with a turn of the event loop between them. */
function spin(ms: number, blockMs: number): Promise<void> {
  const end = performance.now() + ms;
  return new Promise((resolve) => {
    const block = (): void => {
      const until = Math.min(end, performance.now() + blockMs);
      while (performance.now() < until);
      if (performance.now() < end) setImmediate(block);
      else resolve();
    };
    block();
  });
}

describe('LoadMonitor', () => {
  it('sees an idle thread as idle, with timers on time', async () => {
    const monitor = new LoadMonitor();
    monitor.start();
    // On time as far as this thread was: a busy machine makes timers late for everyone, so the monitor's
    // figure is held to what an independent histogram saw over the same wait, not to a constant.
    const { lateMs } = await withLoopDelay(() => sleep(250));
    const load = monitor.stop();
    expect(load.durationMs).toBeGreaterThanOrEqual(240);
    expect(load.busyPercent).toBeLessThan(30);
    expect(load.saturatedTimePercent).toBe(0);
    expect(load.eventLoopDelayP99Ms).toBeLessThan(10 + lateMs);
  });

  it('sees a thread kept busy in 40 ms blocks as saturated, with timers ≈ 30 ms late', async () => {
    const monitor = new LoadMonitor();
    monitor.start();
    const { lateMs } = await withLoopDelay(() => spin(300, 40));
    const load = monitor.stop();
    expect(load.busyPercent).toBeGreaterThan(90);
    expect(load.saturatedTimePercent).toBe(100);
    // Late by the blocks (a 10 ms timer behind a 40 ms block), and by no more than the thread was held up.
    expect(load.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(20);
    expect(load.eventLoopDelayMaxMs).toBeLessThan(10 + lateMs);
  });

  it('expresses CPU time over wall time in % of one core', () => {
    expect(cpuPercentOf(1_500_000, 1000)).toBe(150);
    expect(cpuPercentOf(5, 0)).toBe(0);
  });
});
