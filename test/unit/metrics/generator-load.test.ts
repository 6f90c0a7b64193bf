import { describe, expect, it } from 'vitest';
import { judgeGenerator } from '../../../src/metrics/generator-load.js';
import type { ThreadLoad } from '../../../src/metrics/generator-load.js';

const calm: ThreadLoad = { durationMs: 10_000, busyPercent: 35, saturatedTimePercent: 0, eventLoopDelayP99Ms: 1.2, eventLoopDelayMaxMs: 6 };
const judge = (threads: readonly ThreadLoad[], schedulerLagP99Ms = 0.4, arrivals = 0) =>
  judgeGenerator({ workers: threads.length, cpuPercent: 80, threads, schedulerLagP99Ms, arrivals });

describe('judgeGenerator', () => {
  it('is not saturated when every thread had room: busy 35%, delay p99 1.2 ms, lag p99 0.4 ms', () => {
    const load = judge([calm, { ...calm, busyPercent: 88, saturatedTimePercent: 49.9 }], 0.4, 5000);
    expect(load).toMatchObject({ workers: 2, cpuPercent: 80, busyPercent: 88, eventLoopDelayP99Ms: 1.2, saturated: false });
    expect(load.reason).toBeUndefined();
  });

  it('is saturated when a thread was ≥ 90% busy for at least half the run, and names it', () => {
    const load = judge([calm, { ...calm, busyPercent: 93, saturatedTimePercent: 80 }]);
    expect(load.saturated).toBe(true);
    expect(load.reason).toBe('worker 2 was ≥ 90% busy (CPU) for 80% of the run');
    expect(judge([{ ...calm, saturatedTimePercent: 50 }]).reason).toBe('the load thread was ≥ 90% busy (CPU) for 50% of the run');
  });

  it('is saturated when timers ran late: event-loop delay p99 above 20 ms', () => {
    expect(judge([{ ...calm, eventLoopDelayP99Ms: 20 }]).saturated).toBe(false);
    const load = judge([{ ...calm, eventLoopDelayP99Ms: 34.56, eventLoopDelayMaxMs: 80 }]);
    expect(load).toMatchObject({ saturated: true, eventLoopDelayP99Ms: 34.56, eventLoopDelayMaxMs: 80 });
    expect(load.reason).toBe('event-loop delay p99 34.6 ms on the load thread (limit 20 ms)');
  });

  it('is saturated when the open model dispatched arrivals late: scheduler lag p99 above 10 ms over ≥ 100 arrivals', () => {
    expect(judge([calm], 12, 5000)).toMatchObject({
      saturated: true,
      reason: 'arrivals started late: scheduler lag p99 12 ms (limit 10 ms)',
    });
    expect(judge([calm], 12, 99).saturated).toBe(false);
    expect(judge([calm], 10, 5000).saturated).toBe(false);
  });

  it('ignores a thread whose phase lasted under a second (start-up dominates), and lists every reason found', () => {
    const short = { durationMs: 400, busyPercent: 100, saturatedTimePercent: 100, eventLoopDelayP99Ms: 80, eventLoopDelayMaxMs: 80 };
    expect(judge([short]).saturated).toBe(false);
    const load = judge([{ ...calm, saturatedTimePercent: 70, eventLoopDelayP99Ms: 25 }, calm], 15, 1000);
    expect(load.reason?.split('; ')).toEqual([
      'worker 1 was ≥ 90% busy (CPU) for 70% of the run',
      'event-loop delay p99 25 ms on worker 1 (limit 20 ms)',
      'arrivals started late: scheduler lag p99 15 ms (limit 10 ms)',
    ]);
  });

  it('tells a busy machine from a busy loadseed: late timers while loadseed used little CPU are noise, not saturation', () => {
    // High lag, low own CPU (9% of a core): other processes took the CPU.
    const lagging = { ...calm, busyPercent: 96, saturatedTimePercent: 80, eventLoopDelayP99Ms: 45, eventLoopDelayMaxMs: 120 };
    const noisy = judgeGenerator({ workers: 1, cpuPercent: 9, threads: [lagging], schedulerLagP99Ms: 30, arrivals: 5000 });
    expect(noisy.saturated).toBe(false);
    expect(noisy.reason).toBeUndefined();
    expect(noisy.noisyMachine).toBe(true);
    expect(noisy.noiseReason).toBe(
      'loadseed itself used 9% of a core (under 50%), yet: the load thread was ≥ 90% busy (CPU) for 80% of the run; event-loop delay p99 45 ms on the load thread (limit 20 ms); arrivals started late: scheduler lag p99 30 ms (limit 10 ms): other processes took the CPU',
    );
    // High lag, high own CPU (95% of a core): loadseed itself was the bottleneck.
    const busy = judgeGenerator({ workers: 1, cpuPercent: 95, threads: [lagging], schedulerLagP99Ms: 30, arrivals: 5000 });
    expect(busy).toMatchObject({ saturated: true, noisyMachine: false });
    expect(busy.noiseReason).toBeUndefined();
    // Two load threads: one of them may have had all of the process's CPU; at 40% of a core none was busy.
    expect(judgeGenerator({ workers: 2, cpuPercent: 120, threads: [lagging, calm], schedulerLagP99Ms: 0, arrivals: 0 }).saturated).toBe(
      true,
    );
    expect(judgeGenerator({ workers: 2, cpuPercent: 40, threads: [lagging, calm], schedulerLagP99Ms: 0, arrivals: 0 })).toMatchObject({
      saturated: false,
      noisyMachine: true,
    });
    // No lag at all: neither.
    expect(judgeGenerator({ workers: 1, cpuPercent: 9, threads: [calm], schedulerLagP99Ms: 0, arrivals: 0 })).toMatchObject({
      saturated: false,
      noisyMachine: false,
    });
  });
});
