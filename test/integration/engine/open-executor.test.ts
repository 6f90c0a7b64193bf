import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { planOf } from './servers.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('open model', () => {
  it('starts arrivals at the planned rate: 200/s for 1 s', async () => {
    const before = server.requestCount();
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/' }],
      load: { profile: 'arrival_rate', rate: 200, duration: '1s', max_users: 50 },
    });
    const { value: result, lateMs } = await withLoopDelay(() => runPlan(plan));
    const snapshot = result.recorder.snapshot();
    // The schedule holds exactly 200 arrivals (at 0, 5, …, 995 ms); allow 3% for a loaded machine.
    expect(snapshot.total.requests).toBeGreaterThanOrEqual(194);
    expect(snapshot.total.requests).toBeLessThanOrEqual(200);
    expect(snapshot.total.requests + snapshot.droppedArrivals).toBe(200);
    expect(server.requestCount() - before).toBe(snapshot.total.requests);
    expect(snapshot.iterations).toBe(snapshot.total.requests);
    // Spread over the second, not bursted: the scheduler was never far behind.
    expect(snapshot.schedulerLag.count).toBe(200);
    // (Behind by 5 ms at most, plus what the machine held the loop up by.)
    expect(snapshot.schedulerLag.p50Us).toBeLessThan((5 + result.generator.eventLoopDelayMaxMs) * 1000);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(995);
    expect(result.elapsedMs).toBeLessThan(1300 + lateMs);
  });

  it('drops arrivals that find every user busy, and counts them', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/200' }],
      load: { profile: 'arrival_rate', rate: 50, duration: '1s', max_users: 2 },
    });
    const snapshot = (await runPlan(plan)).recorder.snapshot();
    // 50 arrivals, one every 20 ms; two users each busy ≈200 ms can take about 2 × 5 of them.
    expect(snapshot.total.requests + snapshot.droppedArrivals).toBe(50);
    expect(snapshot.droppedArrivals).toBeGreaterThanOrEqual(36);
    expect(snapshot.total.requests).toBeGreaterThanOrEqual(8);
    expect(snapshot.series.reduce((sum, point) => sum + point.droppedArrivals, 0)).toBe(snapshot.droppedArrivals);
  });

  it('measures from the scheduled arrival: p50 against a 50 ms server is ≈ 50 ms', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/50' }],
      load: { profile: 'arrival_rate', rate: 100, duration: '1s', max_users: 40 },
    });
    const result = await runPlan(plan);
    const snapshot = result.recorder.snapshot();
    expect(snapshot.total.requests).toBe(100);
    expect(snapshot.droppedArrivals).toBe(0);
    const p50Ms = snapshot.total.responseTime.p50Us / 1000;
    // The server's own 50 ms timer may fire up to ≈1 ms early (libuv's cached loop time).
    expect(p50Ms).toBeGreaterThanOrEqual(48);
    // 50 ms imposed, 6 ms of tolerance, and whatever the machine held this process's loop up by during the run
    // (the server runs on the same loop as the generator, so that one figure covers both).
    expect(p50Ms).toBeLessThan(50 + 6 + result.generator.eventLoopDelayMaxMs);
    // Service time (from the actual send) can only be shorter.
    expect(snapshot.total.serviceTime.p50Us).toBeLessThanOrEqual(snapshot.total.responseTime.p50Us);
  });

  it('follows a ramping rate exactly: 0 → 100/s over 1 s is 50 arrivals', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/' }],
      load: { profile: 'ramping_arrival_rate', start_rate: 0, stages: [{ duration: '1s', rate: 100 }], max_users: 20 },
    });
    const snapshot = (await runPlan(plan)).recorder.snapshot();
    expect(snapshot.total.requests).toBe(50);
    expect(snapshot.droppedArrivals).toBe(0);
  });
});
