import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runTargetFunction } from '../../../src/engine/run-target-function.js';

describe('runTargetFunction', () => {
  it('drives an async function with the open model, timed from the scheduled arrival', async () => {
    let calls = 0;
    const result = await runTargetFunction(
      async () => {
        calls += 1;
        await sleep(20);
      },
      { profile: { kind: 'constant-arrival-rate', ratePerSec: 100, durationMs: 500, maxUsers: 10 }, name: 'sleep' },
    );
    const snapshot = result.recorder.snapshot();
    expect(calls).toBe(50);
    expect(snapshot.requests.map((r) => [r.name, r.requests, r.successes])).toEqual([['sleep', 50, 50]]);
    expect(snapshot.total.statusCounts).toEqual({ 0: 50 });
    expect(snapshot.total.responseTime.p50Us / 1000).toBeGreaterThanOrEqual(19);
    // The function's 20 ms, 10 ms of tolerance, and whatever the machine held the run's loop up by.
    expect(snapshot.total.responseTime.p50Us / 1000).toBeLessThan(30 + result.generator.eventLoopDelayMaxMs);
  });

  it('runs an exact iterations budget with the closed model, and judges reported statuses', async () => {
    let calls = 0;
    const result = await runTargetFunction(() => Promise.resolve({ status: ++calls % 4 === 0 ? 503 : 200, bytesIn: 10, bytesOut: 3 }), {
      profile: { kind: 'constant-users', users: 3, durationMs: 10_000, iterations: 400 },
    });
    const total = result.recorder.snapshot().total;
    expect(calls).toBe(400);
    expect(total).toMatchObject({ requests: 400, successes: 300, failures: 100, statusCounts: { 200: 300, 503: 100 } });
    expect(total.bytesIn).toBe(4000);
    expect(total.bytesOut).toBe(1200);
  });

  it('categorises thrown errors by their code, and never recurses on synchronous failures', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const result = await runTargetFunction(
      () => {
        throw refused;
      },
      { profile: { kind: 'constant-users', users: 2, durationMs: 10_000, iterations: 20_000 } },
    );
    const total = result.recorder.snapshot().total;
    expect(total.requests).toBe(20_000);
    expect(total.errorCounts.connection_refused).toBe(20_000);
  });

  it('gives up a call at its deadline: counted as timeout, its signal aborted', async () => {
    let abortedSignals = 0;
    const result = await runTargetFunction(
      ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            abortedSignals += 1;
            resolve();
          });
        }),
      { profile: { kind: 'constant-users', users: 1, durationMs: 10_000, iterations: 3 }, timeoutMs: 100 },
    );
    const total = result.recorder.snapshot().total;
    expect(total.errorCounts.timeout).toBe(3);
    expect(total.requests).toBe(3);
    expect(abortedSignals).toBe(3);
    // At the deadline, never before it, late by at most the sweeper's period and the event loop's own delay.
    expect(total.responseTime.minUs / 1000).toBeGreaterThanOrEqual(100);
    expect(total.responseTime.maxUs / 1000).toBeLessThan(100 + 10 + result.generator.eventLoopDelayMaxMs + 10);
  });
});
