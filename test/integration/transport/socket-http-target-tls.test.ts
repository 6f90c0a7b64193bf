import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../../src/engine/execute-run.js';
import type { RunResult } from '../../../src/engine/run-result.js';
import { SocketHttpTarget } from '../../../src/transport/socket-http-target.js';
import type { TlsSettings } from '../../../src/transport/tls-settings.js';
import { workloadOf } from '../../../src/engine/workload.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';
import { budget, planOf } from '../engine/servers.js';

const run = (plan: Plan, tls?: TlsSettings): Promise<RunResult> =>
  executeRun(
    workloadOf(plan),
    new SocketHttpTarget(plan.requests, tls === undefined ? { keepAlive: plan.keepAlive } : { keepAlive: plan.keepAlive, tls }),
  );

interface HttpsServer {
  readonly url: string;
  handshakes(): number;
  close(): Promise<void>;
}

async function startHttps(options: Parameters<typeof createHttpsServer>[0], onRequest?: (socket: TLSSocket) => void): Promise<HttpsServer> {
  const sockets = new Set<Socket>();
  let handshakes = 0;
  const server = createHttpsServer(options, (req, res) => {
    onRequest?.(req.socket as TLSSocket);
    res.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', () => {
    handshakes += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handshakes: () => handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('SocketHttpTarget: TLS settings', () => {
  let fixtures: ReturnType<typeof tlsFixtures>;
  let server: HttpsServer;
  let mtlsServer: HttpsServer;
  const clientNames: string[] = [];
  beforeAll(async () => {
    fixtures = tlsFixtures();
    server = await startHttps({ key: fixtures.keyPem, cert: fixtures.certPem });
    mtlsServer = await startHttps(
      { key: fixtures.keyPem, cert: fixtures.certPem, ca: fixtures.caPem, requestCert: true, rejectUnauthorized: true },
      (socket) => clientNames.push(String(socket.getPeerCertificate().subject?.CN)),
    );
  });
  afterAll(async () => {
    await server.close();
    await mtlsServer.close();
  });

  it('refuses a certificate from an unknown CA by default: every request a tls error, nothing sent', async () => {
    const total = (await run(planOf({ target: server.url, requests: [{ path: '/' }], load: budget(2, 6) }))).recorder.snapshot().total;
    expect(total.requests).toBe(6);
    expect(total.errorCounts.tls).toBe(6);
    expect(total.successes).toBe(0);
    expect(total.bytesOut).toBe(0);
  });

  it('accepts it with the CA added, on one kept-alive connection per user', async () => {
    const before = server.handshakes();
    const plan = planOf({ target: server.url, requests: [{ path: '/' }], load: budget(2, 6) });
    const total = (await run(plan, { insecure: false, ca: Buffer.from(fixtures.caPem) })).recorder.snapshot().total;
    expect(total.requests).toBe(6);
    expect(total.successes).toBe(6);
    expect(total.errorCounts.tls).toBe(0);
    expect(server.handshakes() - before).toBe(2);
  });

  it('accepts it with insecure: true', async () => {
    const plan = planOf({ target: server.url, requests: [{ path: '/' }], load: budget(1, 3) });
    const total = (await run(plan, { insecure: true })).recorder.snapshot().total;
    expect(total.successes).toBe(3);
  });

  it('verifies against server_name when given: a name the certificate lacks is a tls error', async () => {
    const plan = planOf({ target: server.url, requests: [{ path: '/' }], load: budget(1, 2) });
    const ca = Buffer.from(fixtures.caPem);
    expect((await run(plan, { insecure: false, ca, serverName: 'other.example' })).recorder.snapshot().total.errorCounts.tls).toBe(2);
    expect((await run(plan, { insecure: false, ca, serverName: 'localhost' })).recorder.snapshot().total.successes).toBe(2);
  });

  it('presents the client certificate a server requires', async () => {
    const plan = planOf({ target: mtlsServer.url, requests: [{ path: '/' }], load: budget(1, 2) });
    const tls: TlsSettings = {
      insecure: false,
      ca: Buffer.from(fixtures.caPem),
      cert: Buffer.from(fixtures.clientCertPem),
      key: Buffer.from(fixtures.clientKeyPem),
    };
    expect((await run(plan, tls)).recorder.snapshot().total.successes).toBe(2);
    expect(clientNames).toEqual(['loadseed-test-client', 'loadseed-test-client']);
  });
});
