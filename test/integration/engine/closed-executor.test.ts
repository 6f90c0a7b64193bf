import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { RunProgress } from '../../../src/engine/run-result.js';
import { usersAt } from '../../../src/plan/profile.js';
import type { LoadProfile } from '../../../src/plan/profile.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { planOf, startCountingServer } from './servers.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('closed model', () => {
  it('runs an iterations budget exactly, shared by all users, and the server sees the same count', async () => {
    const before = server.requestCount();
    const plan = planOf({
      target: server.url,
      requests: [
        { name: 'home', path: '/' },
        { name: 'bytes', path: '/bytes/100' },
      ],
      load: { profile: 'constant', users: 7, iterations: 300 },
    });
    const { value: result, lateMs } = await withLoopDelay(() => runPlan(plan));
    const snapshot = result.recorder.snapshot();

    expect(snapshot.iterations).toBe(300);
    expect(snapshot.total.requests).toBe(600);
    expect(snapshot.total.successes).toBe(600);
    expect(snapshot.requests.map((r) => [r.name, r.requests])).toEqual([
      ['home', 300],
      ['bytes', 300],
    ]);
    expect(server.requestCount() - before).toBe(600);
    // /bytes/100: 100 body bytes plus headers in each response.
    const bytes = snapshot.requests[1];
    expect(bytes?.bytesIn).toBeGreaterThan(300 * 100);
    expect(bytes?.bytesIn).toBeLessThan(300 * 300);
    expect(result.interrupted).toBe(false);
    // The budget ended the run (no timer did): quickly, later only by what the machine held the loop up.
    expect(result.elapsedMs).toBeLessThan(5000 + lateMs);
  });

  it("counts every iteration that completed: those ending after the planned end, and each retiring user's last", async () => {
    // One request an iteration, 60 ms each: at the planned end and at each ramp-down step, users are in flight.
    // Their last iteration completes (in the grace period, or before the user leaves): the server's count.
    for (const load of [
      { profile: 'constant', users: 3, duration: '500ms' },
      {
        profile: 'stages',
        stages: [
          { duration: '100ms', users: 4 },
          { duration: '300ms', users: 4 },
          { duration: '300ms', users: 0 },
        ],
      },
    ] as const) {
      const before = server.requestCount();
      const result = await runPlan(planOf({ target: server.url, requests: [{ path: '/delay/60' }], load }));
      const snapshot = result.recorder.snapshot();
      const served = server.requestCount() - before;
      expect(snapshot.total.interrupted, load.profile).toBe(0);
      expect(snapshot.total.requests, load.profile).toBe(served);
      expect(snapshot.iterations, load.profile).toBe(served);
    }
  });

  it('counts an iteration whose requests all ended when the run ends in its trailing pause', async () => {
    const before = server.requestCount();
    const result = await runPlan(
      planOf({
        target: server.url,
        flows: [{ name: 'f', steps: [{ path: '/delay/20' }, { think: '50ms' }, { path: '/delay/20' }, { think: '1s' }] }],
        load: { profile: 'constant', users: 2, duration: '300ms' },
      }),
    );
    const snapshot = result.recorder.snapshot();
    const served = server.requestCount() - before;
    // Each user: one whole iteration (2 requests, then the 1 s pause the run ends in).
    expect(served).toBe(4);
    expect(snapshot.iterations).toBe(2);
  });

  it('ends the budget run as soon as the last iteration finishes, with more users than iterations', async () => {
    const plan = planOf({ target: server.url, requests: [{ path: '/' }], load: { profile: 'constant', users: 10, iterations: 3 } });
    const { value: result, lateMs } = await withLoopDelay(() => runPlan(plan));
    expect(result.recorder.snapshot().total.requests).toBe(3);
    // Not held up by the 7 users with nothing to do: as quick as 3 requests, plus what the machine added.
    expect(result.elapsedMs).toBeLessThan(500 + lateMs);
  });

  it('keeps each user on its own connection, opened before t=0 without sending anything', async () => {
    const counting = await startCountingServer();
    try {
      const plan = planOf({ target: counting.url, requests: [{ path: '/' }], load: { profile: 'constant', users: 4, iterations: 200 } });
      const result = await runPlan(plan);
      expect(result.preconnectedConnections).toBe(4);
      expect(counting.connections()).toBe(4);
      expect(counting.requests()).toBe(200);
    } finally {
      await counting.close();
    }
  });

  it('follows a ramp: users added and removed on schedule', async () => {
    const profile: LoadProfile = {
      kind: 'ramping-users',
      startUsers: 0,
      stages: [
        { durationMs: 600, target: 12 },
        { durationMs: 300, target: 12 },
        { durationMs: 450, target: 3 },
      ],
    };
    const plan = { ...planOf({ target: server.url, requests: [{ path: '/delay/10' }] }), profile };
    const samples: { elapsedMs: number; activeUsers: number }[] = [];
    const { value: result, lateMs } = await withLoopDelay(() =>
      runPlan(plan, {
        progressIntervalMs: 40,
        onProgress: (progress: RunProgress) => {
          if (!progress.stopping) samples.push({ elapsedMs: progress.elapsedMs, activeUsers: progress.activeUsers });
        },
      }),
    );
    expect(samples.length).toBeGreaterThan(20);
    for (const { elapsedMs, activeUsers } of samples) {
      // A removed user finishes its request (≈10 ms) first; timers may be a few ms late.
      const low = Math.min(usersAt(profile, elapsedMs - 40), usersAt(profile, elapsedMs + 10));
      const high = Math.max(usersAt(profile, elapsedMs - 40), usersAt(profile, elapsedMs + 10));
      expect(activeUsers, `at ${elapsedMs.toFixed(0)} ms`).toBeGreaterThanOrEqual(low - 1);
      expect(activeUsers, `at ${elapsedMs.toFixed(0)} ms`).toBeLessThanOrEqual(high + 1);
    }
    const series = result.recorder.snapshot().series;
    // Peak users per second: 12 in the first; in the second the ramp-down is at 10 by t=1000 (11 if a
    // retiring user's request is still finishing).
    expect(series.length).toBe(2);
    expect(series[0]?.activeUsers).toBe(12);
    expect(series[1]?.activeUsers).toBeGreaterThanOrEqual(10);
    expect(series[1]?.activeUsers).toBeLessThanOrEqual(11);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1350);
    expect(result.elapsedMs).toBeLessThan(1600 + lateMs);
  });

  it('pauses for the think time between requests, outside the response time', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/', think_time: '100ms' }],
      load: { profile: 'constant', users: 1, iterations: 4 },
    });
    const { value: result, lateMs } = await withLoopDelay(() => runPlan(plan));
    const total = result.recorder.snapshot().total;
    expect(total.requests).toBe(4);
    // Three pauses between four requests, then one after the last (the user paces its next iteration); later
    // only by what the machine held the loop up (the server shares it).
    expect(result.elapsedMs).toBeGreaterThanOrEqual(390);
    expect(result.elapsedMs).toBeLessThan(700 + lateMs);
    expect(total.responseTime.p50Us).toBeLessThan((20 + result.generator.eventLoopDelayMaxMs) * 1000);
  });

  it('picks one request per iteration by weight', async () => {
    const plan = planOf({
      target: server.url,
      requests: [
        { name: 'heavy', path: '/', weight: 3 },
        { name: 'light', path: '/json', weight: 1 },
      ],
      load: { profile: 'constant', users: 4, iterations: 800 },
    });
    const snapshot = (await runPlan(plan)).recorder.snapshot();
    const [heavy, light] = snapshot.requests;
    expect(snapshot.total.requests).toBe(800);
    expect((heavy?.requests ?? 0) + (light?.requests ?? 0)).toBe(800);
    // 600 ± 5 standard deviations (√(800·¾·¼) ≈ 12.2).
    expect(heavy?.requests).toBeGreaterThan(540);
    expect(heavy?.requests).toBeLessThan(660);
  });

  it('runs a flow as a sequence of its request steps', async () => {
    const plan = planOf({
      target: server.url,
      flows: [{ name: 'browse', steps: [{ path: '/' }, { think: '10ms' }, { path: '/json' }] }],
      load: { profile: 'constant', users: 2, iterations: 10 },
    });
    const snapshot = (await runPlan(plan)).recorder.snapshot();
    expect(snapshot.iterations).toBe(10);
    expect(snapshot.requests.map((r) => [r.name, r.requests])).toEqual([
      ['GET /', 10],
      ['GET /json', 10],
    ]);
  });
});

describe('closed model: iterations per user', () => {
  it('gives each user exactly its own iterations, however fast it is; the run ends when all are done', async () => {
    // One connection per user (keep-alive): the first connection is answered at once, the others after 20 ms.
    // A shared budget would let the fast user take most of it; per user, each connection sees exactly 3.
    const perConnection = new Map<Socket, number>();
    let order = 0;
    const fastest = new Set<Socket>();
    const slow = createServer((req, res) => {
      const socket = req.socket;
      if (!perConnection.has(socket) && order++ === 0) fastest.add(socket);
      perConnection.set(socket, (perConnection.get(socket) ?? 0) + 1);
      req.resume();
      setTimeout(() => res.end('ok'), fastest.has(socket) ? 0 : 20);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const port = (slow.address() as AddressInfo).port;
      const plan = planOf({
        target: `http://127.0.0.1:${port}`,
        requests: [{ path: '/' }],
        load: { profile: 'constant', users: 4, iterations_per_user: 3 },
      });
      expect(plan.profile).toEqual({ kind: 'constant-users', users: 4, iterations: 12, iterationsPerUser: 3, durationMs: 600_000 });
      const result = await runPlan(plan);
      expect(result.recorder.snapshot().iterations).toBe(12);
      expect([...perConnection.values()]).toEqual([3, 3, 3, 3]);
      expect(result.interrupted).toBe(false);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
