import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { RunProgress } from '../../../src/engine/run-result.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { planOf, startCountingServer } from './servers.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('runPlan: end of run, interruption, warm-up', () => {
  it('gives requests in flight the grace period, then aborts them as interrupted', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/1000' }],
      load: { profile: 'constant', users: 3, duration: '300ms', grace_period: '100ms' },
    });
    const result = await runPlan(plan);
    const total = result.recorder.snapshot().total;
    expect(total.interrupted).toBe(3);
    expect(total.requests).toBe(0);
    expect(result.interrupted).toBe(false);
    // The load stopped at the planned 300 ms; the grace period (100 ms, a timer: never early) then ran out.
    expect(result.elapsedMs - result.drainMs).toBeCloseTo(300, 3);
    expect(result.drainMs).toBeGreaterThanOrEqual(99);
  });

  it('lets requests that finish within the grace period count normally', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/150' }],
      load: { profile: 'constant', users: 2, duration: '200ms', grace_period: '1s' },
    });
    const result = await runPlan(plan);
    const total = result.recorder.snapshot().total;
    // Each user: one request at 0 (ends ≈150), a second at ≈150 that ends at ≈300, in the grace period. On a
    // busy machine the first may end after 200 ms, and there is no second: 2 or 4 requests, none interrupted.
    expect([2, 3, 4]).toContain(total.requests);
    expect(total.interrupted).toBe(0);
    expect(total.successes).toBe(total.requests);
    expect(result.elapsedMs - result.drainMs).toBeCloseTo(200, 3);
    // A user with no think time is always in a request: each had one in flight at 200 ms, which finished
    // (150 ms of service < the 1 s grace) and counted normally.
    expect(result.drainMs).toBeGreaterThan(0);
  });

  it('stops on the abort signal like at the end of the plan, and says it was interrupted', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/20' }],
      load: { profile: 'constant', users: 4, duration: '10s', grace_period: '1s' },
    });
    const controller = new AbortController();
    let abortedAtEpochMs = 0;
    let abortedAtElapsedMs = 0;
    // Aborted once the measured phase has counted more than 20 requests, however long the transport's warming
    // took and however slowly a busy machine ran them.
    const onProgress = (progress: RunProgress): void => {
      if (progress.phase !== 'measured' || progress.recorder.counters().total.requests <= 20 || controller.signal.aborted) return;
      abortedAtEpochMs = Date.now();
      abortedAtElapsedMs = progress.elapsedMs;
      controller.abort();
    };
    const result = await runPlan(plan, { signal: controller.signal, onProgress, progressIntervalMs: 50 });
    const total = result.recorder.snapshot().total;
    expect(result.interrupted).toBe(true);
    // t=0 comes after pre-connecting and warming the transport (a 10 s plan warms it on loadseed's own
    // loopback sink first): the run lasted from then to the abort, plus
    // at most the in-flight /delay/20 requests.
    const sinceStartMs = abortedAtEpochMs - result.startedAtEpochMs;
    expect(abortedAtElapsedMs).toBeGreaterThan(0);
    expect(sinceStartMs).toBeGreaterThanOrEqual(abortedAtElapsedMs - 10);
    // The load stopped at the abort (the wall clock and the engine's agree to a few ms), then the requests in
    // flight finished: the drain.
    expect(Math.abs(result.elapsedMs - result.drainMs - sinceStartMs)).toBeLessThan(5);
    expect(result.drainMs).toBeGreaterThanOrEqual(0);
    expect(total.requests).toBeGreaterThan(20);
    expect(total.interrupted).toBe(0);
  });

  it('runs the warm-up first into its own recorder, on the same connections', async () => {
    const counting = await startCountingServer();
    try {
      const plan = planOf({
        target: counting.url,
        requests: [{ path: '/' }],
        load: { profile: 'constant', users: 3, duration: '300ms', warmup: '200ms' },
      });
      const result = await runPlan(plan);
      const warmup = result.warmupRecorder.snapshot().total;
      const measured = result.recorder.snapshot().total;
      expect(result.warmupRan).toBe(true);
      expect(warmup.requests).toBeGreaterThan(10);
      expect(measured.requests).toBeGreaterThan(10);
      expect(warmup.requests + measured.requests + warmup.interrupted + measured.interrupted).toBe(counting.requests());
      expect(counting.connections()).toBe(3);
      expect(result.elapsedMs - result.drainMs).toBeCloseTo(300, 3);
    } finally {
      await counting.close();
    }
  });

  it('reports progress while running', async () => {
    // A run far longer than the test waits: it ends only once three ticks that saw requests have come, so the
    // ticks are waited for, not expected within some time.
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/10' }],
      load: { profile: 'constant', users: 2, duration: '60s', grace_period: '1s' },
    });
    const controller = new AbortController();
    const seen: number[] = [];
    const result = await runPlan(plan, {
      signal: controller.signal,
      progressIntervalMs: 100,
      onProgress: (progress) => {
        if (progress.phase !== 'measured' || controller.signal.aborted) return;
        seen.push(progress.recorder.snapshot().total.requests);
        if (seen.filter((requests) => requests > 0).length >= 3) controller.abort();
      },
    });
    // Stopped by the test from a tick: progress came while the run was going.
    expect(result.interrupted).toBe(true);
    expect(seen.filter((requests) => requests > 0).length).toBe(3);
    // Live figures: they only grow, up to the run's final count.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThanOrEqual(result.recorder.snapshot().total.requests);
  });
});

describe('runPlan: response time after a pause', () => {
  it('is never shorter than the service time, even when the pause timer fires early', async () => {
    const plan = planOf({
      target: server.url,
      requests: [
        { name: 'after-pause', path: '/' },
        { name: 'before-pause', path: '/', think_time: '7ms' },
      ],
      load: { profile: 'constant', users: 4, iterations: 300 },
    });
    const result = await runPlan(plan);
    const [afterPause] = result.recorder.snapshot().requests;
    expect(afterPause?.requests).toBe(300);
    // Due at the end of the pause: a request due in the future (timer early) would read ~0 µs.
    expect(afterPause?.responseTime.minUs).toBeGreaterThanOrEqual(afterPause?.serviceTime.minUs ?? Infinity);
    expect(afterPause?.responseTime.minUs).toBeGreaterThan(20);
  });
});
