import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestStats } from '../../../src/metrics/recorder-snapshot.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { planOf, startCountingServer } from './servers.js';
import { builtRunPlan } from '../../helpers/built-engine.js';

/** Worker threads run the compiled engine: these tests drive it (test/helpers/built-engine.ts). */

let runPlan: Awaited<ReturnType<typeof builtRunPlan>>;
let server: TargetServer;

beforeAll(async () => {
  runPlan = await builtRunPlan();
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

const withWorkers = (plan: Plan, workers: number): Plan => ({ ...plan, workers });

describe('runPlan over worker threads', () => {
  it('runs an iterations budget to exactly the same counts on 1 and 2 workers, server side too', async () => {
    const counting = await startCountingServer();
    try {
      const plan = planOf({
        target: counting.url,
        requests: [{ path: '/a' }, { name: 'post', method: 'POST', path: '/b', json: { sku: 42, note: 'ü' } }],
        load: { profile: 'constant', users: 4, iterations: 200 },
      });
      const figures = [];
      for (const workers of [1, 2]) {
        const before = counting.requests();
        const result = await runPlan(withWorkers(plan, workers));
        const { total, requests, iterations } = result.recorder.snapshot();
        figures.push({
          iterations,
          requests: total.requests,
          successes: total.successes,
          perName: requests.map((stats) => stats.requests),
          bytesIn: total.bytesIn,
          bytesOut: total.bytesOut,
          served: counting.requests() - before,
          interrupted: total.interrupted,
          // The timing phases cross from the workers like the rest: a waiting per response, a connect per connection.
          waits: total.timings.ttfb.count,
          connects: total.timings.connect.count,
        });
        expect(result.generator.workers).toBe(workers);
        expect(result.generator.threads).toHaveLength(workers);
        expect(result.interrupted).toBe(false);
      }
      expect(figures[0]).toEqual({
        iterations: 200,
        requests: 400,
        successes: 400,
        perName: [200, 200],
        bytesIn: figures[0]?.bytesIn,
        bytesOut: figures[0]?.bytesOut,
        served: 400,
        interrupted: 0,
        waits: 400,
        connects: 4,
      });
      expect(figures[1]).toEqual(figures[0]);
      // Four users per run (2 + 2 on two workers), each with its own connection, reused for every iteration.
      expect(counting.connections()).toBe(8);
    } finally {
      await counting.close();
    }
  });

  it('starts exactly the 200 arrivals of 200/s for 1 s over 2 workers: no drift, no duplicates', async () => {
    const before = server.requestCount();
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/' }],
      load: { profile: 'arrival_rate', rate: 200, duration: '1s', max_users: 50 },
    });
    const result = await runPlan(withWorkers(plan, 2));
    const snapshot = result.recorder.snapshot();
    expect(snapshot.total.requests + snapshot.droppedArrivals).toBe(200);
    expect(snapshot.schedulerLag.count).toBe(200);
    expect(snapshot.droppedArrivals).toBe(0);
    expect(server.requestCount() - before).toBe(snapshot.total.requests);
    // Behind by 5 ms at most, plus what the machine held the workers' loops up by.
    expect(snapshot.schedulerLag.p50Us).toBeLessThan((5 + result.generator.eventLoopDelayMaxMs) * 1000);
    // The arrivals stopped at the planned end on the shared t=0; then the requests in flight finished.
    expect(result.elapsedMs - result.drainMs).toBeCloseTo(1000, 3);
    expect(result.generator).toMatchObject({ workers: 2 });
  });

  it('measures the same latencies against /delay/20 on 2 workers as on 1', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/20' }],
      load: { profile: 'constant', users: 4, duration: '800ms' },
    });
    const runs: { stats: RequestStats; delayUs: number }[] = [];
    for (const workers of [1, 2]) {
      // The server runs on this thread, the load on the workers: a busy machine delays both loops.
      const { value: result, lateMs } = await withLoopDelay(() => runPlan(withWorkers(plan, workers)));
      // The load stopped at the planned end, on the shared t=0; the requests in flight then drained after it.
      expect(result.elapsedMs - result.drainMs).toBeCloseTo(800, 3);
      expect(result.drainMs).toBeGreaterThan(0);
      runs.push({ stats: result.recorder.snapshot().total, delayUs: (lateMs + result.generator.eventLoopDelayMaxMs) * 1000 });
    }
    const [single, split] = runs;
    for (const { stats, delayUs } of [single!, split!]) {
      expect(stats.failures).toBe(0);
      expect(stats.responseTime.p50Us).toBeGreaterThanOrEqual(20_000);
      expect(stats.responseTime.p50Us).toBeLessThan(26_000 + delayUs);
    }
    // The same latencies, within a tolerance plus what the machine added to either run.
    const addedUs = single!.delayUs + split!.delayUs;
    expect(Math.abs(split!.stats.responseTime.p50Us - single!.stats.responseTime.p50Us)).toBeLessThan(3_000 + addedUs);
    expect(Math.abs(split!.stats.responseTime.p95Us - single!.stats.responseTime.p95Us)).toBeLessThan(6_000 + addedUs);
    // The same throughput for the latency seen: 4 users kept as busy (requests × mean latency ≈ 4 × 800 ms)
    // either way, within 10%. (Raw counts would follow whatever the machine did to the latency.)
    const busyUs = ({ stats }: { stats: RequestStats }) => stats.requests * stats.responseTime.meanUs;
    expect(Math.abs(busyUs(split!) - busyUs(single!)) / busyUs(single!)).toBeLessThan(0.1);
  });

  it('lines the workers up on one t=0 per phase: warm-up then measured, on the same connections', async () => {
    const counting = await startCountingServer();
    try {
      const plan = planOf({
        target: counting.url,
        requests: [{ path: '/' }],
        load: { profile: 'constant', users: 4, duration: '300ms', warmup: '200ms' },
      });
      const phases: string[] = [];
      const result = await runPlan(withWorkers(plan, 2), {
        progressIntervalMs: 50,
        onProgress: (progress) => {
          if (phases.at(-1) !== progress.phase) phases.push(progress.phase);
          if (progress.phase === 'measured' && progress.elapsedMs > 100 && !progress.stopping) expect(progress.activeUsers).toBe(4);
        },
      });
      const warmup = result.warmupRecorder.snapshot().total;
      const measured = result.recorder.snapshot().total;
      expect(phases).toEqual(['warmup', 'measured']);
      expect(result.warmupRan).toBe(true);
      expect(warmup.requests).toBeGreaterThan(10);
      expect(measured.requests).toBeGreaterThan(10);
      expect(warmup.requests + measured.requests + warmup.interrupted + measured.interrupted).toBe(counting.requests());
      expect(counting.connections()).toBe(4);
      expect(result.preconnectedConnections).toBe(4);
      expect(result.elapsedMs - result.drainMs).toBeCloseTo(300, 3);
    } finally {
      await counting.close();
    }
  });

  it('forwards the abort to every worker: all stop, the result says interrupted', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/20' }],
      load: { profile: 'constant', users: 4, duration: '10s', grace_period: '1s' },
    });
    const controller = new AbortController();
    let abortedAtMs = 0;
    // Aborted at 250 ms in, once the workers have counted more than 20 requests (a busy machine runs fewer).
    const { value: result, lateMs } = await withLoopDelay(() =>
      runPlan(withWorkers(plan, 2), {
        signal: controller.signal,
        progressIntervalMs: 50,
        onProgress: (progress) => {
          if (controller.signal.aborted || progress.phase !== 'measured' || progress.elapsedMs < 250) return;
          if (progress.recorder.counters().total.requests <= 20) return;
          abortedAtMs = progress.elapsedMs;
          controller.abort();
        },
      }),
    );
    const total = result.recorder.snapshot().total;
    expect(result.interrupted).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(250);
    // Stopped within 250 ms of the abort (the /delay/20 requests in flight, the workers told), later only by
    // what the machine held this thread's and the workers' loops up by.
    expect(result.elapsedMs).toBeLessThan(abortedAtMs + 250 + lateMs + result.generator.eventLoopDelayMaxMs);
    expect(total.requests).toBeGreaterThan(20);
    expect(total.interrupted).toBe(0);
    expect(result.generator.threads).toHaveLength(2);
  });
});
