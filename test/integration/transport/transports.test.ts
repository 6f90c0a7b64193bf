import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../../src/engine/execute-run.js';
import { HttpTarget } from '../../../bench/undici/http-target.js';
import { createHttpTarget, httpTransportOf } from '../../../src/engine/http-transport.js';
import { httpTargetOf } from '../../../src/engine/run-plan.js';
import type { RunResult } from '../../../src/engine/run-result.js';
import { SocketHttpTarget } from '../../../src/transport/socket-http-target.js';
import type { StepTarget } from '../../../src/transport/step-target.js';
import { workloadOf } from '../../../src/engine/workload.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { answerEach, budget, closedPort, planOf, startCountingServer, startRawServer } from '../engine/servers.js';

/**
 * The engine's behaviour must not depend on the HTTP transport: the same cases against both, the raw-socket
 * transport (the default, see run-plan.ts) and undici (kept for what it alone will do, e.g. HTTP/2).
 */
const TRANSPORTS: readonly (readonly [string, (plan: Plan) => StepTarget])[] = [
  ['socket', (plan) => new SocketHttpTarget(plan.requests, { keepAlive: plan.keepAlive })],
  ['undici', (plan) => new HttpTarget(plan.requests, { keepAlive: plan.keepAlive })],
];

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('the transport runPlan uses', () => {
  it('is the socket transport for HTTP/1.1 plans (http: and https:), here and in worker threads', async () => {
    for (const target of ['http://127.0.0.1:1', 'https://localhost:1']) {
      const plan = planOf({ target, requests: [{ path: '/' }] });
      expect(httpTransportOf(plan)).toBe('socket');
      expect(await httpTargetOf(plan)).toBeInstanceOf(SocketHttpTarget);
      expect(await createHttpTarget(plan)).toBeInstanceOf(SocketHttpTarget);
    }
  });
});

describe.each(TRANSPORTS)('%s transport', (_name, targetOf) => {
  const run = (plan: Plan): Promise<RunResult> => executeRun(workloadOf(plan), targetOf(plan));

  it('runs an iterations budget exactly; the server sees the same count, on one pre-opened connection per user', async () => {
    const counting = await startCountingServer();
    try {
      const plan = planOf({ target: counting.url, requests: [{ path: '/' }], load: budget(4, 200) });
      const result = await run(plan);
      const total = result.recorder.snapshot().total;
      expect(total.requests).toBe(200);
      expect(total.successes).toBe(200);
      expect(result.preconnectedConnections).toBe(4);
      expect(counting.connections()).toBe(4);
      expect(counting.requests()).toBe(200);
    } finally {
      await counting.close();
    }
  });

  it('counts statuses against what each request expects', async () => {
    const plan = planOf({
      target: server.url,
      requests: [
        { name: 'broken', path: '/status/500' },
        { name: 'expected', path: '/status/503', expect: { status: [503] } },
        { name: 'no content', path: '/status/204' },
        { name: 'not modified', path: '/status/304', expect: 304 },
      ],
      load: budget(2, 20),
    });
    const [broken, expected, noContent, notModified] = (await run(plan)).recorder.snapshot().requests;
    expect(broken).toMatchObject({ requests: 20, failures: 20, statusCounts: { 500: 20 } });
    expect(expected).toMatchObject({ requests: 20, successes: 20, statusCounts: { 503: 20 } });
    expect(noContent).toMatchObject({ requests: 20, successes: 20, statusCounts: { 204: 20 } });
    expect(notModified).toMatchObject({ requests: 20, successes: 20, statusCounts: { 304: 20 } });
  });

  it('reads HEAD responses without a body, and keeps the connection', async () => {
    const plan = planOf({
      target: server.url,
      requests: [{ method: 'HEAD', path: '/bytes/5000' }, { path: '/bytes/10' }],
      load: budget(1, 10),
    });
    const result = await run(plan);
    const [head, get] = result.recorder.snapshot().requests;
    expect(head).toMatchObject({ requests: 10, successes: 10 });
    expect(get).toMatchObject({ requests: 10, successes: 10 });
    expect((head?.bytesIn ?? 0) / 10).toBeLessThan(300); // headers only
  });

  it('skips a 103 interim response: the final status counts', async () => {
    // (undici fails on a 100 Continue the request did not ask for; the socket transport skips any 1xx.)
    const raw = await startRawServer(
      answerEach('HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    );
    try {
      const total = (await run(planOf({ target: raw.url, requests: [{ path: '/' }], load: budget(2, 20) }))).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 20, successes: 20, statusCounts: { 200: 20 } });
      expect(raw.connections()).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('counts chunked responses (extensions, trailers) as successes and keeps the connection', async () => {
    const raw = await startRawServer(
      answerEach('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n'),
    );
    try {
      const total = (await run(planOf({ target: raw.url, requests: [{ path: '/' }], load: budget(2, 30) }))).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 30, successes: 30 });
      expect(raw.connections()).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('enforces the timeout itself, at ≈ the deadline', async () => {
    const plan = planOf({ target: server.url, requests: [{ path: '/delay/2000', timeout: '200ms' }], load: budget(2, 4) });
    const { value: result, lateMs } = await withLoopDelay(() => run(plan));
    const total = result.recorder.snapshot().total;
    expect(total.errorCounts.timeout).toBe(4);
    expect(total.bytesOut).toBeGreaterThan(4 * 30); // the requests were sent
    // The 200 ms deadline, the sweeper's 50 ms, and whatever the machine held this process's loop up by.
    expect(total.responseTime.maxUs / 1000).toBeLessThan(250 + lateMs);
    // Two rounds of 2 requests, each ended at its deadline: not waiting for the 2 s responses.
    expect(result.elapsedMs).toBeLessThan(700 + lateMs);
  });

  it('counts connection refused, with no bytes sent', async () => {
    const port = await closedPort();
    const plan = planOf({
      target: `http://127.0.0.1:${port}`,
      requests: [{ method: 'POST', path: '/', body: 'x'.repeat(100) }],
      load: budget(2, 10),
    });
    const total = (await run(plan)).recorder.snapshot().total;
    expect(total.errorCounts.connection_refused).toBe(10);
    expect(total.bytesOut).toBe(0);
    expect(total.bytesIn).toBe(0);
  });

  it('counts a reset as connection_reset', async () => {
    const resetting = await startRawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const total = (await run(planOf({ target: resetting.url, requests: [{ path: '/' }], load: budget(2, 10) }))).recorder.snapshot()
        .total;
      expect(total.requests).toBe(10);
      expect(total.errorCounts.connection_reset).toBe(10);
    } finally {
      await resetting.close();
    }
  });

  it('counts a close in the middle of the body as connection_reset', async () => {
    const closing = await startRawServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b')),
    );
    try {
      const total = (await run(planOf({ target: closing.url, requests: [{ path: '/' }], load: budget(1, 5) }))).recorder.snapshot().total;
      expect(total.requests).toBe(5);
      expect(total.errorCounts.connection_reset).toBe(5);
    } finally {
      await closing.close();
    }
  });

  it('counts a malformed reply as protocol', async () => {
    const garbage = await startRawServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n')),
    );
    try {
      const total = (await run(planOf({ target: garbage.url, requests: [{ path: '/' }], load: budget(2, 10) }))).recorder.snapshot().total;
      expect(total.requests).toBe(10);
      expect(total.errorCounts.protocol).toBe(10);
    } finally {
      await garbage.close();
    }
  });

  it('with keep_alive off, asks for a close and uses a new connection per request', async () => {
    const counting = await startCountingServer();
    try {
      const plan = { ...planOf({ target: counting.url, requests: [{ path: '/' }], load: budget(2, 20) }), keepAlive: false };
      const total = (await run(plan)).recorder.snapshot().total;
      expect(total.successes).toBe(20);
      expect(counting.requests()).toBe(20);
      // Pre-opened connections count too: one per user, used by its first request.
      expect(counting.connections()).toBe(20);
    } finally {
      await counting.close();
    }
  });
});
