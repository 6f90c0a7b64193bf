import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../../src/engine/execute-run.js';
import { createHttpTarget } from '../../../src/engine/http-transport.js';
import { workloadOf } from '../../../src/engine/workload.js';
import type { RequestStats } from '../../../src/metrics/recorder-snapshot.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { SocketHttpTarget } from '../../../src/transport/socket-http-target.js';
import type { TlsSettings } from '../../../src/transport/tls-settings.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';
import { budget, planOf } from '../engine/servers.js';

/**
 * A loopback server for `/delay/:ms`: holds each request that long (a timer: never early), and measures on its
 * own clock how long it held each one (from the request's head read to its response written). Counts its
 * connections (TLS: handshakes completed) and its requests.
 */
interface TimingServer {
  readonly url: string;
  connections(): number;
  requests(): number;
  /** The shortest and the longest hold of a /delay/50 request, as the server measured them (ms). */
  heldMs(): { readonly min: number; readonly max: number };
  /** Forget the holds so far: the server is shared by the tests of a block, and each judges its own run. */
  resetHeld(): void;
  close(): Promise<void>;
}

async function startTimingServer(
  make: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server,
  tls: boolean,
): Promise<TimingServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let requests = 0;
  let minHeldMs = Infinity;
  let maxHeldMs = 0;
  const server = make((req, res) => {
    const receivedAt = performance.now();
    requests += 1;
    req.resume();
    const delayMs = Number(/^\/delay\/([0-9]+)$/.exec(req.url ?? '')?.[1] ?? 0);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end('ok');
      if (delayMs !== 50) return;
      const heldMs = performance.now() - receivedAt;
      minHeldMs = Math.min(minHeldMs, heldMs);
      maxHeldMs = Math.max(maxHeldMs, heldMs);
    }, delayMs);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on(tls ? 'secureConnection' : 'connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    requests: () => requests,
    heldMs: () => ({ min: minHeldMs, max: maxHeldMs }),
    resetHeld: () => {
      minHeldMs = Infinity;
      maxHeldMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const runSockets = (plan: Plan, tls?: TlsSettings) =>
  executeRun(workloadOf(plan), new SocketHttpTarget(plan.requests, { keepAlive: plan.keepAlive, ...(tls === undefined ? {} : { tls }) }));

/**
 * What every run below must show: one waiting and one download per response, the waiting at least the ≈ 50 ms
 * the server held each request (as the server measured its holds), and at most the request's own service time
 * (the waiting is part of it, as the download is: both together never exceed it).
 */
function expectWaitingOf50Ms(total: RequestStats, server: TimingServer): void {
  const { ttfb, download } = total.timings;
  expect(ttfb.count).toBe(total.requests);
  expect(download.count).toBe(total.requests);
  // The lower bound is what the server imposed, as it measured it: a timer of 50 ms may fire up to a millisecond
  // before 50 ms have passed on performance.now() (libuv counts from its cached loop time), so each request's
  // waiting is at least its hold as the server saw it, not 50 ms to the microsecond.
  expect(server.heldMs().min).toBeGreaterThanOrEqual(49);
  expect(ttfb.minUs).toBeGreaterThanOrEqual(Math.floor(server.heldMs().min * 1000));
  expect(ttfb.maxUs).toBeGreaterThanOrEqual(Math.floor(server.heldMs().max * 1000));
  expect(ttfb.maxUs).toBeLessThanOrEqual(total.serviceTime.maxUs);
  expect(ttfb.p50Us).toBeLessThanOrEqual(total.serviceTime.p50Us);
  // Per request waiting + download ≤ service time; the means compared within the histograms' 0.1% precision.
  expect(ttfb.meanUs + download.meanUs).toBeLessThanOrEqual(total.serviceTime.meanUs * 1.001 + 2);
  // The response is a few bytes in one read: its download is (far) shorter than its waiting.
  expect(download.p50Us).toBeLessThan(ttfb.p50Us);
}

describe('timing breakdown: raw-socket HTTP/1.1', () => {
  let server: TimingServer;
  beforeAll(async () => {
    server = await startTimingServer((handler) => createHttpServer(handler), false);
  });
  afterAll(() => server.close());

  it('measures the waiting on /delay/50 from the server-imposed 50 ms up to the service time', async () => {
    const requestsBefore = server.requests();
    const connectionsBefore = server.connections();
    const plan = planOf({ target: server.url, requests: [{ path: '/delay/50' }], load: budget(3, 24) });
    server.resetHeld();
    const result = await runSockets(plan);
    const total = result.recorder.snapshot().total;
    expect(total.successes).toBe(24);
    expect(server.requests() - requestsBefore).toBe(24);
    expectWaitingOf50Ms(total, server);
    // Connect: once per connection (3 users, kept alive), as many as the server accepted; never zero.
    const { connect, dns, tls } = total.timings;
    expect(connect.count).toBe(server.connections() - connectionsBefore);
    expect(connect.count).toBe(3);
    expect(connect.minUs).toBeGreaterThan(0);
    // An IP address: no lookup. Plain TCP: no handshake.
    expect(dns.count).toBe(0);
    expect(tls.count).toBe(0);
  });

  it('records a connect per request without keep-alive, as many as the server saw', async () => {
    const connectionsBefore = server.connections();
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/1' }],
      http: { keep_alive: false },
      load: budget(2, 20),
    });
    const result = await runSockets(plan);
    const total = result.recorder.snapshot().total;
    expect(total.successes).toBe(20);
    expect(total.timings.connect.count).toBe(server.connections() - connectionsBefore);
    expect(total.timings.connect.count).toBe(20);
  });

  it('gives a DNS lookup per connection to a host name (localhost), on both transports', async () => {
    const target = server.url.replace('127.0.0.1', 'localhost');
    const connectionsBefore = server.connections();
    const plan = planOf({ target, requests: [{ path: '/delay/1' }], load: budget(2, 6) });
    const sockets = (await runSockets(plan)).recorder.snapshot().total;
    expect(sockets.successes).toBe(6);
    expect(sockets.timings.dns.count).toBe(server.connections() - connectionsBefore);
    expect(sockets.timings.dns.count).toBe(2);
    expect(sockets.timings.dns.minUs).toBeGreaterThan(0);
    expect(sockets.timings.connect.count).toBe(2);

    const flowPlan = planOf({ target, requests: [{ path: '/delay/1' }], http: { cookies: true }, load: budget(2, 6) });
    const afterSockets = server.connections();
    const flow = (await executeRun(workloadOf(flowPlan), await createHttpTarget(flowPlan, 'flow'))).recorder.snapshot().total;
    expect(flow.successes).toBe(6);
    expect(flow.timings.dns.count).toBe(server.connections() - afterSockets);
    expect(flow.timings.dns.count).toBe(2);
    expect(flow.timings.ttfb.count).toBe(6);
  });

  it('keeps the phases per request name, and the total is their sum', async () => {
    const plan = planOf({
      target: server.url,
      requests: [
        { name: 'slow', path: '/delay/50' },
        { name: 'fast', path: '/delay/0' },
      ],
      load: budget(2, 10),
    });
    const result = await runSockets(plan);
    const snapshot = result.recorder.snapshot();
    const [slow, fast] = snapshot.requests;
    expect(slow?.timings.ttfb.count).toBe(10);
    expect(fast?.timings.ttfb.count).toBe(10);
    expect(slow?.timings.ttfb.minUs).toBeGreaterThanOrEqual(Math.floor(server.heldMs().min * 1000));
    // Each user's connection opens with its first request, `slow`: `fast` always reuses it.
    expect(slow?.timings.connect.count).toBe(2);
    expect(fast?.timings.connect.count).toBe(0);
    expect(snapshot.total.timings.ttfb.count).toBe(20);
    expect(snapshot.total.timings.connect.count).toBe(2);
  });
});

describe('timing breakdown: HTTPS', () => {
  let server: TimingServer;
  let tls: TlsSettings;
  beforeAll(async () => {
    const fixtures = tlsFixtures();
    tls = { insecure: false, ca: Buffer.from(fixtures.caPem) };
    server = await startTimingServer((handler) => createHttpsServer({ key: fixtures.keyPem, cert: fixtures.certPem }, handler), true);
  });
  afterAll(() => server.close());

  it('gives a TLS handshake per connection on the raw sockets, beside connect and the waiting', async () => {
    const handshakesBefore = server.connections();
    const plan = planOf({ target: server.url, requests: [{ path: '/delay/50' }], load: budget(2, 10) });
    server.resetHeld();
    const result = await runSockets(plan, tls);
    const total = result.recorder.snapshot().total;
    expect(total.successes).toBe(10);
    expectWaitingOf50Ms(total, server);
    const { connect, tls: handshakes } = total.timings;
    expect(handshakes.count).toBe(server.connections() - handshakesBefore);
    expect(handshakes.count).toBe(2);
    expect(connect.count).toBe(2);
    expect(handshakes.minUs).toBeGreaterThan(0);
    expect(connect.minUs).toBeGreaterThan(0);
  });

  it.each([
    ['raw sockets', false],
    ['undici, kept by http2: true', true],
  ])('gives connect, TLS and the waiting on the flow transport (%s)', async (_client, http2) => {
    const handshakesBefore = server.connections();
    const plan = planOf({
      target: server.url,
      requests: [{ path: '/delay/50' }],
      http: { cookies: true, http2 },
      load: budget(2, 10),
    });
    expect(plan.flow).toBeDefined();
    const target = await createHttpTarget({ ...plan, tls }, 'flow');
    server.resetHeld();
    const result = await executeRun(workloadOf(plan), target);
    const total = result.recorder.snapshot().total;
    expect(total.successes).toBe(10);
    expectWaitingOf50Ms(total, server);
    const { connect, tls: handshakes } = total.timings;
    expect(handshakes.count).toBe(server.connections() - handshakesBefore);
    expect(handshakes.count).toBe(2);
    expect(connect.count).toBe(2);
    expect(handshakes.minUs).toBeGreaterThan(0);
  });
});
