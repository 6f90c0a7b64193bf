import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlannedMonitorSource } from '../../../src/plan/build-plan.js';
import type { FetchFunction } from '../../../src/monitor/prometheus-sampler.js';
import { startMonitor } from '../../../src/monitor/start-monitor.js';

const PROMETHEUS: PlannedMonitorSource = {
  kind: 'prometheus',
  name: 'api',
  url: 'http://127.0.0.1:1/metrics',
  cpuMetric: 'process_cpu_seconds_total',
  memoryMetric: 'process_resident_memory_bytes',
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** An endpoint whose CPU counter grows by 0.3 s per second of the fake clock (30%), memory 1 MB. */
const fakeFetch: FetchFunction = () =>
  Promise.resolve(new Response(`process_cpu_seconds_total ${(Date.now() - 1_000_000) * 0.0003}\nprocess_resident_memory_bytes 1e6\n`));

describe('startMonitor on fake timers', () => {
  it('samples at once then every interval; offsets from the origin; earlier readings left out', async () => {
    const monitor = startMonitor([PROMETHEUS], { intervalMs: 1_000, now: () => Date.now(), fetch: fakeFetch });
    await vi.advanceTimersByTimeAsync(2_500);
    monitor.setOrigin(1_001_500);
    await vi.advanceTimersByTimeAsync(3_000);
    const [api] = await monitor.stop();
    expect(api).toEqual({
      name: 'api',
      kind: 'prometheus',
      target: 'http://127.0.0.1:1/metrics',
      intervalMs: 1_000,
      points: [
        { offsetMs: 500, cpuPercent: 30, memoryBytes: 1e6 },
        { offsetMs: 1_500, cpuPercent: 30, memoryBytes: 1e6 },
        { offsetMs: 2_500, cpuPercent: 30, memoryBytes: 1e6 },
        { offsetMs: 3_500, cpuPercent: 30, memoryBytes: 1e6 },
      ],
      warnings: [],
    });
  });

  it('stops sampling when stopped, and stop() answers the same results again', async () => {
    const fetch = vi.fn(fakeFetch);
    const monitor = startMonitor([PROMETHEUS], { intervalMs: 100, now: () => Date.now(), fetch });
    await vi.advanceTimersByTimeAsync(450);
    const first = await monitor.stop();
    const calls = fetch.mock.calls.length;
    expect(calls).toBe(5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch.mock.calls.length).toBe(calls);
    expect(await monitor.stop()).toBe(first);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never throws: a fetch that throws synchronously, and a source off Linux, are warnings', async () => {
    const monitor = startMonitor([PROMETHEUS, { kind: 'process', name: 'db', process: { command: 'postgres' } }], {
      intervalMs: 1_000,
      now: () => Date.now(),
      platform: 'win32',
      fetch: () => {
        throw new Error('boom');
      },
    });
    await vi.advanceTimersByTimeAsync(1_500);
    const results = await monitor.stop();
    expect(results.map((source) => [source.name, source.kind, source.target, source.points.length, source.warnings])).toEqual([
      ['api', 'prometheus', 'http://127.0.0.1:1/metrics', 2, ['cannot reach the endpoint (boom): every sample']],
      ['db', 'process', 'command postgres', 0, ["process monitoring reads Linux's /proc, and this is win32: not sampled"]],
    ]);
  });

  it('with no source, starts no timer', async () => {
    const monitor = startMonitor([], { intervalMs: 1_000 });
    expect(vi.getTimerCount()).toBe(0);
    expect(await monitor.stop()).toEqual([]);
  });
});
