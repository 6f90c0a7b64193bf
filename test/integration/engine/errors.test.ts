import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { budget, closedPort, planOf, startRawServer } from './servers.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('target failures are data', () => {
  it('enforces the timeout itself: counted once as timeout, at ≈ the deadline', async () => {
    const plan = planOf({ target: server.url, requests: [{ path: '/delay/2000', timeout: '200ms' }], load: budget(2, 4) });
    const result = await runPlan(plan);
    const total = result.recorder.snapshot().total;
    expect(total.requests).toBe(4);
    expect(total.failures).toBe(4);
    expect(total.errorCounts.timeout).toBe(4);
    expect(total.statusCounts).toEqual({});
    // At the deadline, never before it, and late by no more than the sweeper's period (20 ms at a 200 ms
    // timeout) plus what the event loop itself was late by in this run: not undici's ≈1 s timer ticks.
    expect(total.responseTime.minUs / 1000).toBeGreaterThanOrEqual(200);
    expect(total.responseTime.maxUs / 1000).toBeLessThan(200 + 20 + result.generator.eventLoopDelayMaxMs + 10);
  });

  it('counts connection refused', async () => {
    const port = await closedPort();
    const plan = planOf({ target: `http://127.0.0.1:${port}`, requests: [{ path: '/' }], load: budget(2, 20) });
    const total = (await runPlan(plan)).recorder.snapshot().total;
    expect(total.requests).toBe(20);
    expect(total.errorCounts.connection_refused).toBe(20);
    expect(total.failures).toBe(20);
  });

  it('counts a server that resets the connection as connection_reset', async () => {
    const resetting = await startRawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const plan = planOf({ target: resetting.url, requests: [{ path: '/' }], load: budget(2, 10) });
      const total = (await runPlan(plan)).recorder.snapshot().total;
      expect(total.requests).toBe(10);
      expect(total.errorCounts.connection_reset).toBe(10);
    } finally {
      await resetting.close();
    }
  });

  it('counts a server that closes without answering as connection_reset', async () => {
    const closing = await startRawServer((socket) => socket.once('data', () => socket.end()));
    try {
      const plan = planOf({ target: closing.url, requests: [{ path: '/' }], load: budget(1, 5) });
      const total = (await runPlan(plan)).recorder.snapshot().total;
      expect(total.errorCounts.connection_reset).toBe(5);
    } finally {
      await closing.close();
    }
  });

  it('counts a malformed reply as protocol', async () => {
    const garbage = await startRawServer((socket) =>
      socket.once('data', () => socket.end('SPAM/9.9 nonsense\r\nthis is not http\r\n\r\n')),
    );
    try {
      const plan = planOf({ target: garbage.url, requests: [{ path: '/' }], load: budget(2, 10) });
      const total = (await runPlan(plan)).recorder.snapshot().total;
      expect(total.requests).toBe(10);
      expect(total.errorCounts.protocol).toBe(10);
    } finally {
      await garbage.close();
    }
  });

  it('counts 5xx as status 500 failures, and a status the request expects as success', async () => {
    const plan = planOf({
      target: server.url,
      requests: [
        { name: 'broken', path: '/status/500' },
        { name: 'expected', path: '/status/503', expect: { status: [503] } },
        { name: 'created', path: '/status/201', expect: 200 },
      ],
      load: budget(3, 30),
    });
    const [broken, expected, created] = (await runPlan(plan)).recorder.snapshot().requests;
    expect(broken).toMatchObject({ requests: 30, failures: 30, successes: 0, statusCounts: { 500: 30 } });
    expect(expected).toMatchObject({ requests: 30, failures: 0, successes: 30, statusCounts: { 503: 30 } });
    expect(created).toMatchObject({ requests: 30, failures: 30, statusCounts: { 201: 30 } });
  });
});

describe('bytes', () => {
  it('counts no bytes sent for a request that never reached a socket', async () => {
    const port = await closedPort();
    const plan = planOf({
      target: `http://127.0.0.1:${port}`,
      requests: [{ method: 'POST', path: '/', body: 'x'.repeat(100) }],
      load: budget(1, 3),
    });
    const total = (await runPlan(plan)).recorder.snapshot().total;
    expect(total.errorCounts.connection_refused).toBe(3);
    expect(total.bytesOut).toBe(0);
    expect(total.bytesIn).toBe(0);
  });

  it('counts request and response bytes on the wire (approximately: headers and body)', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ method: 'POST', path: '/bytes/1000', body: 'y'.repeat(500) }],
      load: budget(1, 4),
    });
    const total = (await runPlan(plan)).recorder.snapshot().total;
    // Out: 500 body bytes plus request line and headers; in: 1000 body bytes plus status line and headers.
    expect(total.bytesOut / 4).toBeGreaterThan(560);
    expect(total.bytesOut / 4).toBeLessThan(700);
    expect(total.bytesIn / 4).toBeGreaterThan(1060);
    expect(total.bytesIn / 4).toBeLessThan(1300);
  });
});
