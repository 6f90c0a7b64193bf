import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../../src/engine/execute-run.js';
import type { RunResult } from '../../../src/engine/run-result.js';
import { SocketHttpTarget } from '../../../src/transport/socket-http-target.js';
import type { StepReply } from '../../../src/transport/step-target.js';
import { workloadOf } from '../../../src/engine/workload.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { answerEach, budget, planOf, startRawServer } from '../engine/servers.js';

const run = (plan: Plan): Promise<RunResult> =>
  executeRun(workloadOf(plan), new SocketHttpTarget(plan.requests, { keepAlive: plan.keepAlive }));
const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** A node:http server with `handler`, counting connections and requests. */
async function startHttp(
  handler: Parameters<typeof createHttpServer>[1],
): Promise<{ url: string; connections: () => number; requests: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    requests += 1;
    handler?.(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { ...(await listen(server, sockets)), connections: () => connections, requests: () => requests };
}

async function listen(server: Server, sockets: Set<Socket>): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('SocketHttpTarget: the request on the wire', () => {
  it('is one precompiled write: request line, host, planned headers, content-length, connection, body', async () => {
    const seen: string[] = [];
    const raw = await startRawServer((socket) =>
      socket.on('data', (chunk: Buffer) => {
        seen.push(chunk.toString('latin1'));
        socket.write(OK);
      }),
    );
    try {
      const plan = planOf({
        target: raw.url,
        requests: [{ method: 'POST', path: '/items', query: { page: 2 }, headers: { 'X-Token': 'abc' }, json: { a: 1 } }],
        load: budget(1, 3),
      });
      const total = (await run(plan)).recorder.snapshot().total;
      const port = new URL(raw.url).port;
      const wire =
        `POST /items?page=2 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-token: abc\r\ncontent-type: application/json\r\n` +
        'content-length: 7\r\nconnection: keep-alive\r\n\r\n{"a":1}';
      expect(seen).toEqual([wire, wire, wire]);
      expect(total.bytesOut).toBe(3 * wire.length);
      expect(total.bytesIn).toBe(3 * OK.length); // exact: the response as it was on the wire
    } finally {
      await raw.close();
    }
  });

  it('keeps a host header the plan sets, leaves out framing headers the plan sets, says content-length: 0 for a POST without body', async () => {
    const seen: string[] = [];
    const raw = await startRawServer((socket) =>
      socket.on('data', (chunk: Buffer) => {
        seen.push(chunk.toString('latin1'));
        socket.write(OK);
      }),
    );
    try {
      const plan = {
        ...planOf({
          target: raw.url,
          requests: [
            {
              method: 'POST',
              path: '/',
              headers: { host: 'example.test', connection: 'upgrade', 'content-length': 99, 'transfer-encoding': 'chunked' },
            },
          ],
          load: budget(1, 1),
        }),
        keepAlive: false,
      };
      await run(plan);
      expect(seen).toEqual(['POST / HTTP/1.1\r\nhost: example.test\r\ncontent-length: 0\r\nconnection: close\r\n\r\n']);
    } finally {
      await raw.close();
    }
  });

  it('never sends a header that would break the request (CR/LF in a value): each send fails as other, nothing sent', async () => {
    const raw = await startRawServer(answerEach(OK));
    try {
      const plan = planOf({ target: raw.url, requests: [{ path: '/', headers: { 'x-evil': 'a\r\nx-injected: 1' } }], load: budget(1, 3) });
      const total = (await run(plan)).recorder.snapshot().total;
      expect(total.requests).toBe(3);
      expect(total.errorCounts.other).toBe(3);
      expect(total.bytesOut).toBe(0);
    } finally {
      await raw.close();
    }
  });
});

describe('SocketHttpTarget: connections', () => {
  it('reconnects after every response when the server says connection: close', async () => {
    const http = await startHttp((_req, res) => {
      res.writeHead(200, { connection: 'close', 'content-length': 2 });
      res.end('ok');
    });
    try {
      const total = (await run(planOf({ target: http.url, requests: [{ path: '/' }], load: budget(2, 40) }))).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 40, successes: 40, failures: 0 });
      expect(http.requests()).toBe(40);
      expect(http.connections()).toBe(40); // the first of each user on its pre-opened connection
    } finally {
      await http.close();
    }
  });

  it('a server that closes after each response without saying so: a request written before the FIN was seen fails, and is not re-sent', async () => {
    const raw = await startRawServer(answerEach(OK, (socket) => socket.end()));
    try {
      const total = (await run(planOf({ target: raw.url, requests: [{ path: '/' }], load: budget(2, 40) }))).recorder.snapshot().total;
      expect(total.requests).toBe(40);
      expect(total.successes + total.errorCounts.connection_reset).toBe(40);
      // One answer per connection, and no connection opened to send a request again.
      expect(raw.connections()).toBe(total.successes);
    } finally {
      await raw.close();
    }
  });

  it('reopens a kept-alive connection the server closed while the user was pausing', async () => {
    const raw = await startRawServer(answerEach(OK, (socket) => setTimeout(() => socket.end(), 10)));
    try {
      const plan = planOf({ target: raw.url, requests: [{ path: '/', think_time: '60ms' }], load: budget(2, 6) });
      const total = (await run(plan)).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 6, successes: 6, failures: 0 });
      expect(raw.connections()).toBe(6);
    } finally {
      await raw.close();
    }
  });

  it('reopens a connection reset while idle', async () => {
    const raw = await startRawServer(answerEach(OK, (socket) => setTimeout(() => socket.resetAndDestroy(), 10)));
    try {
      const plan = planOf({ target: raw.url, requests: [{ path: '/', think_time: '60ms' }], load: budget(2, 6) });
      const total = (await run(plan)).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 6, successes: 6, failures: 0 });
      expect(raw.connections()).toBe(6);
    } finally {
      await raw.close();
    }
  });

  it('drops a connection that sends more than the response (or anything while idle): no answer is taken for the next request', async () => {
    const both = await startRawServer(answerEach(`${OK}HTTP/1.1 500 Oops\r\ncontent-length: 0\r\n\r\n`));
    const late = await startRawServer(
      answerEach(OK, (socket) => setTimeout(() => socket.write('HTTP/1.1 500 Late\r\ncontent-length: 0\r\n\r\n'), 5)),
    );
    try {
      const fromBoth = (await run(planOf({ target: both.url, requests: [{ path: '/' }], load: budget(1, 10) }))).recorder.snapshot().total;
      expect(fromBoth).toMatchObject({ requests: 10, successes: 10, statusCounts: { 200: 10 } });
      expect(both.connections()).toBe(10);
      const plan = planOf({ target: late.url, requests: [{ path: '/', think_time: '40ms' }], load: budget(1, 4) });
      const fromLate = (await run(plan)).recorder.snapshot().total;
      expect(fromLate).toMatchObject({ requests: 4, successes: 4, statusCounts: { 200: 4 } });
      expect(late.connections()).toBe(4);
    } finally {
      await both.close();
      await late.close();
    }
  });

  it('reads a body delimited by the close, then reconnects', async () => {
    const response = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of this until the close';
    const raw = await startRawServer((socket) => socket.once('data', () => socket.end(response)));
    try {
      const total = (await run(planOf({ target: raw.url, requests: [{ path: '/' }], load: budget(2, 10) }))).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 10, successes: 10 });
      expect(total.bytesIn).toBe(10 * response.length);
      expect(raw.connections()).toBe(10);
    } finally {
      await raw.close();
    }
  });

  it('reads HTTP/1.0 responses: closes unless keep-alive', async () => {
    const closing = await startRawServer(answerEach('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    const keeping = await startRawServer(answerEach('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\nok'));
    try {
      const closed = (await run(planOf({ target: closing.url, requests: [{ path: '/' }], load: budget(1, 5) }))).recorder.snapshot().total;
      const kept = (await run(planOf({ target: keeping.url, requests: [{ path: '/' }], load: budget(1, 5) }))).recorder.snapshot().total;
      expect(closed.successes).toBe(5);
      expect(kept.successes).toBe(5);
      expect(closing.connections()).toBe(5);
      expect(keeping.connections()).toBe(1);
    } finally {
      await closing.close();
      await keeping.close();
    }
  });

  it('skips 100 Continue and 103 before the final response', async () => {
    const raw = await startRawServer(answerEach(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n${OK}`));
    try {
      const total = (await run(planOf({ target: raw.url, requests: [{ path: '/' }], load: budget(2, 20) }))).recorder.snapshot().total;
      expect(total).toMatchObject({ requests: 20, successes: 20, statusCounts: { 200: 20 } });
      expect(raw.connections()).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('counts chunked responses from node:http (written in pieces) with their bytes, and big ones', async () => {
    const http = await startHttp((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pieces = req.url === '/big' ? 50 : 3;
      for (let i = 0; i < pieces; i++) res.write('x'.repeat(1000));
      res.end();
    });
    try {
      const plan = planOf({
        target: http.url,
        requests: [
          { name: 'small', path: '/small' },
          { name: 'big', path: '/big' },
        ],
        load: budget(2, 20),
      });
      const [small, big] = (await run(plan)).recorder.snapshot().requests;
      expect(small).toMatchObject({ requests: 20, successes: 20 });
      expect(big).toMatchObject({ requests: 20, successes: 20 });
      // Content plus chunk framing plus headers.
      expect((small?.bytesIn ?? 0) / 20).toBeGreaterThan(3000);
      expect((small?.bytesIn ?? 0) / 20).toBeLessThan(3300);
      expect((big?.bytesIn ?? 0) / 20).toBeGreaterThan(50_000);
      expect((big?.bytesIn ?? 0) / 20).toBeLessThan(51_000);
      expect(http.connections()).toBe(2);
    } finally {
      await http.close();
    }
  });

  it('gives up a request at its deadline: the socket goes, the bytes sent are counted, the next request reconnects', async () => {
    const silent = await startRawServer(() => undefined);
    try {
      const plan = planOf({ target: silent.url, requests: [{ path: '/', timeout: '100ms' }], load: budget(1, 3) });
      const total = (await run(plan)).recorder.snapshot().total;
      expect(total.errorCounts.timeout).toBe(3);
      const port = new URL(silent.url).port;
      expect(total.bytesOut).toBe(3 * `GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\n\r\n`.length);
      expect(silent.connections()).toBe(3);
    } finally {
      await silent.close();
    }
  });

  it('keeps one connection per origin per user', async () => {
    const first = await startRawServer(answerEach(OK));
    const second = await startRawServer(answerEach(OK));
    try {
      const plan = planOf({ requests: [{ url: `${first.url}/a` }, { url: `${second.url}/b` }], load: budget(3, 30) });
      const result = await run(plan);
      expect(result.recorder.snapshot().total.successes).toBe(60);
      expect(result.preconnectedConnections).toBe(6);
      expect(first.connections()).toBe(3);
      expect(second.connections()).toBe(3);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('SocketHttpTarget: sessions', () => {
  it('reports each outcome once; abort() when idle gives 0; abort() in flight gives the bytes sent and silences it', async () => {
    // The server never answers /slow; the test waits on what it saw: the /slow request, the aborted connection closing.
    let slowSeenOn: Promise<unknown> | undefined;
    const raw = await startRawServer((socket) =>
      socket.on('data', (chunk: Buffer) => {
        if (chunk.toString('latin1').startsWith('GET /slow')) {
          slowSeenOn = once(socket, 'close');
          return;
        }
        socket.write(OK);
      }),
    );
    const plan = planOf({ target: raw.url, requests: [{ path: '/' }, { path: '/slow' }], load: budget(1, 1) });
    const target = new SocketHttpTarget(plan.requests);
    const session = target.createSession(0);
    try {
      expect(await target.prepare([session])).toBe(1);
      const outcomes: unknown[][] = [];
      const reply: StepReply = {
        stepEnded: (...args) => outcomes.push(['ended', ...args]),
        stepFailed: (...args) => outcomes.push(['failed', ...args]),
        stepRejected: (...args) => outcomes.push(['rejected', ...args]),
      };
      const settled = (count: number): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => (outcomes.length >= count ? resolve() : void setTimeout(check, 2));
          check();
        });
      session.send(0, reply);
      await settled(1);
      expect(outcomes).toEqual([['ended', 200, true, OK.length, expect.any(Number)]]);
      expect(session.abort()).toBe(0);
      session.send(1, reply);
      while (slowSeenOn === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
      expect(session.abort()).toBeGreaterThan(20);
      // The aborted exchange's connection is gone: nothing can call back for it any more.
      await slowSeenOn;
      session.send(0, reply); // on a new connection
      await settled(2);
      expect(outcomes).toHaveLength(2);
      expect(outcomes[1]?.slice(0, 3)).toEqual(['ended', 200, true]);
      expect(raw.connections()).toBe(2);
    } finally {
      await target.close();
      await raw.close();
    }
  });
});

/** A self-signed certificate for 127.0.0.1 (openssl), or undefined where openssl is missing. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'loadseed-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore', timeout: 20_000 },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SocketHttpTarget: https', () => {
  const credentials = selfSigned();
  let httpsUrl = '';
  let close: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    if (credentials === undefined) return;
    const sockets = new Set<Socket>();
    const server = createHttpsServer(credentials, (_req, res) => res.end('ok'));
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const listening = await listen(server, sockets);
    httpsUrl = listening.url.replace('http:', 'https:');
    close = listening.close;
  });
  afterAll(() => close());

  it.skipIf(credentials === undefined)('verifies the certificate: a self-signed one is a tls error, with nothing sent', async () => {
    const result = await run(planOf({ target: httpsUrl, requests: [{ path: '/' }], load: budget(2, 6) }));
    const total = result.recorder.snapshot().total;
    expect(result.preconnectedConnections).toBe(0);
    expect(total.requests).toBe(6);
    expect(total.errorCounts.tls).toBe(6);
    expect(total.bytesOut).toBe(0);
  });
});
