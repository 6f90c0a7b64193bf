import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/transport/classify-error.js';
import type { ExchangeOptions, ExchangeResult, ExchangeSession, ExchangeTarget, OutgoingRequest } from '../../../src/transport/exchange.js';
import { HttpExchangeTarget } from '../../../src/transport/http-exchange.js';
import { SocketExchangeTarget } from '../../../src/transport/socket-exchange.js';
import type { TlsSettings } from '../../../src/transport/tls-settings.js';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  readonly origin: string;
  connections(): number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0; counts connections (TLS: handshakes completed); close() destroys them all. */
async function listen(
  server: Server,
  scheme: 'http' | 'https',
  connectionEvent: 'connection' | 'secureConnection' = 'connection',
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on(connectionEvent, () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const startHttp = (handler: Handler): Promise<TestServer> => {
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 30_000;
  return listen(server, 'http');
};

const startHttps = (options: HttpsServerOptions, handler: Handler): Promise<TestServer> =>
  listen(createHttpsServer(options, handler), 'https', 'secureConnection');

interface Outcome {
  readonly error: (Error & { code?: string }) | undefined;
  readonly result: ExchangeResult | undefined;
}

function exchange(session: ExchangeSession, request: OutgoingRequest, keepBodyBytes = 1024, timeoutMs = 5_000): Promise<Outcome> {
  return new Promise((resolve) => session.exchange(request, keepBodyBytes, timeoutMs, (error, result) => resolve({ error, result })));
}

const get = (origin: string, path = '/', headers: readonly string[] = []): OutgoingRequest => ({ method: 'GET', origin, path, headers });
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A flow's two HTTP clients: loadseed's raw sockets (HTTP/1.1) and undici (kept for HTTP/2). */
type Client = 'sockets' | 'undici';
const CLIENTS: readonly Client[] = ['sockets', 'undici'];

function newTarget(client: Client, options: ExchangeOptions): ExchangeTarget {
  return client === 'sockets' ? new SocketExchangeTarget(options) : new HttpExchangeTarget(options);
}

const targets: ExchangeTarget[] = [];
const servers: TestServer[] = [];
function newSession(client: Client, options: Partial<ExchangeOptions> = {}): ExchangeSession {
  const target = newTarget(client, { keepAlive: true, connectTimeoutMs: 5_000, http2: false, ...options });
  targets.push(target);
  return target.createSession();
}
async function track(server: Promise<TestServer>): Promise<TestServer> {
  const started = await server;
  servers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe.each(CLIENTS)('exchange on %s: responses', (client) => {
  it('gives status, lower-case headers (repeated ones as arrays), the body, and byte counts; sends method, path, headers, body', async () => {
    const seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const server = await track(
      startHttp((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
          res.writeHead(201, 'Created', [
            ['X-Trace', 'abc'],
            ['Set-Cookie', 'a=1'],
            ['Set-Cookie', 'b=2'],
            ['Content-Length', '11'],
          ]);
          res.end('hello world');
        });
      }),
    );
    const session = newSession(client);
    const body = Buffer.from('{"a":1}');
    const { error, result } = await exchange(session, {
      method: 'POST',
      origin: server.origin,
      path: '/items?page=2',
      // Framing headers are the transport's: left out, not an error.
      headers: ['content-type', 'application/json', 'x-token', 'abc', 'connection', 'keep-alive', 'content-length', '99'],
      body,
    });
    expect(error).toBeUndefined();
    expect(result?.status).toBe(201);
    expect(result?.headers['x-trace']).toBe('abc');
    expect(result?.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(result?.body?.toString()).toBe('hello world');
    expect(result?.bodyBytes).toBe(11);
    expect(result?.protocol).toBe('http/1.1');
    // "HTTP/1.1 201 Created\r\n" + 5 headers (with date, connection, keep-alive) + blank line + body: at least this.
    expect(result?.bytesIn).toBeGreaterThan(22 + 'x-trace: abc\r\n'.length + 11);
    expect(result?.bytesIn).toBeLessThan(400);
    const port = new URL(server.origin).port;
    const wire =
      `POST /items?page=2 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\nx-token: abc\r\n` +
      'content-length: 7\r\nconnection: keep-alive\r\n\r\n{"a":1}';
    expect(result?.bytesOut).toBe(wire.length);
    expect(seen).toMatchObject({ method: 'POST', url: '/items?page=2', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({ 'content-type': 'application/json', 'x-token': 'abc', 'content-length': '7' });
  });

  it('keeps the body up to the limit and counts the rest: 5 MiB with a 1 KiB limit', async () => {
    const totalBytes = 5 * 1024 * 1024;
    const block = Buffer.alloc(64 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = i % 251;
    const server = await track(
      startHttp((_req, res) => {
        res.writeHead(200, { 'content-length': totalBytes });
        for (let sent = 0; sent < totalBytes; sent += block.length) res.write(block);
        res.end();
      }),
    );
    const session = newSession(client);
    const kept = await exchange(session, get(server.origin), 1024);
    expect(kept.error).toBeUndefined();
    expect(kept.result?.bodyBytes).toBe(totalBytes);
    expect(kept.result?.body?.length).toBe(1024);
    expect(kept.result?.body?.equals(block.subarray(0, 1024))).toBe(true);
    expect(kept.result?.bytesIn).toBeGreaterThan(totalBytes);

    const counted = await exchange(session, get(server.origin), 0);
    expect(counted.result?.bodyBytes).toBe(totalBytes);
    expect(counted.result?.body).toBeUndefined();
  });

  it('keeps a chunked body without its framing, and a body that runs to the close', async () => {
    const server = await track(
      startHttp((req, res) => {
        if (req.url === '/close') {
          // No length, no chunking: HTTP/1.0 framing, the body ends with the connection.
          res.socket?.end('HTTP/1.1 200 OK\r\nx-framing: close\r\n\r\nuntil the end');
          return;
        }
        res.writeHead(200, { 'x-framing': 'chunked' });
        res.write('first ');
        res.write('second ');
        res.end('third');
      }),
    );
    const session = newSession(client);
    const chunked = await exchange(session, get(server.origin, '/chunked'));
    expect(chunked.error).toBeUndefined();
    expect(chunked.result?.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.result?.body?.toString()).toBe('first second third');
    expect(chunked.result?.bodyBytes).toBe('first second third'.length);
    // A kept part of a chunked body: the content's first bytes, not the framing's.
    const part = await exchange(session, get(server.origin, '/chunked'), 8);
    expect(part.result?.body?.toString()).toBe('first se');
    const close = await exchange(session, get(server.origin, '/close'));
    expect(close.error).toBeUndefined();
    expect(close.result?.headers['x-framing']).toBe('close');
    expect(close.result?.body?.toString()).toBe('until the end');
    expect(close.result?.bodyBytes).toBe('until the end'.length);
  });

  it("gives the final response's headers, not an interim response's, values decoded as undici's are", async () => {
    const server = await track(
      startHttp((_req, res) => {
        res.writeEarlyHints({ link: '</a.css>; rel=preload' }, () => {
          res.writeHead(200, [
            ['x-spaced', '  padded value  '],
            ['x-utf8', Buffer.from('café').toString('latin1')],
          ]);
          res.end('ok');
        });
      }),
    );
    const { error, result } = await exchange(newSession(client), get(server.origin));
    expect(error).toBeUndefined();
    expect(result?.status).toBe(200);
    expect(result?.headers['link']).toBeUndefined();
    expect(result?.headers['x-spaced']).toBe('padded value  '); // as llhttp gives it: leading spaces only are dropped
    expect(result?.headers['x-utf8']).toBe(Buffer.from('café').toString('latin1')); // a byte a character
    expect(result?.body?.toString()).toBe('ok');
  });

  it('keeps an empty body as an empty Buffer (when asked), and a HEAD response has none', async () => {
    const server = await track(
      startHttp((req, res) =>
        req.url === '/empty' ? res.writeHead(204).end() : res.writeHead(200, { 'content-length': 12 }).end('not for HEAD'),
      ),
    );
    const session = newSession(client);
    const empty = await exchange(session, get(server.origin, '/empty'));
    expect(empty.result?.status).toBe(204);
    expect(empty.result?.body?.length).toBe(0);
    expect(empty.result?.bodyBytes).toBe(0);
    const head = await exchange(session, { method: 'HEAD', origin: server.origin, path: '/', headers: [] });
    expect(head.result?.status).toBe(200);
    expect(head.result?.headers['content-length']).toBe('12');
    expect(head.result?.bodyBytes).toBe(0);
    expect((await exchange(session, get(server.origin))).result?.body?.toString()).toBe('not for HEAD');
    expect(server.connections()).toBe(1);
  });

  it('reports a request it refuses (undici: a header value with CR/LF; both: a path with a space) to the callback, not as a throw', async () => {
    const server = await track(startHttp((_req, res) => res.end('ok')));
    const session = newSession(client);
    // flow-target.ts checks rendered headers before either client sees them (invalid-header.ts): only undici checks again.
    if (client === 'undici') {
      const { error, result } = await exchange(session, get(server.origin, '/', ['x-evil', 'a\r\nx-injected: 1']));
      expect(result).toBeUndefined();
      expect(error?.code).toBe('UND_ERR_INVALID_ARG');
    }
    const { error, result } = await exchange(session, get(server.origin, '/a b'));
    expect(result).toBeUndefined();
    expect(error?.code).toBe(client === 'sockets' ? 'LS_INVALID_REQUEST' : 'UND_ERR_INVALID_ARG');
    expect(server.connections()).toBe(0);
  });
});

describe.each(CLIENTS)('exchange on %s: connections', (client) => {
  it('reuses one connection with keep-alive', async () => {
    const server = await track(startHttp((_req, res) => res.end('ok')));
    const session = newSession(client);
    for (let i = 0; i < 5; i++) expect((await exchange(session, get(server.origin))).result?.status).toBe(200);
    expect(server.connections()).toBe(1);
  });

  it('gives each session its own connection', async () => {
    const server = await track(startHttp((_req, res) => res.end('ok')));
    const first = newSession(client);
    const second = newSession(client);
    for (let i = 0; i < 3; i++) {
      await exchange(first, get(server.origin));
      await exchange(second, get(server.origin));
    }
    expect(server.connections()).toBe(2);
  });

  it('asks for the connection to be closed after each request without keep-alive', async () => {
    const connectionHeaders: (string | undefined)[] = [];
    const server = await track(
      startHttp((req, res) => {
        connectionHeaders.push(req.headers.connection);
        res.end('ok');
      }),
    );
    const session = newSession(client, { keepAlive: false });
    for (let i = 0; i < 4; i++) expect((await exchange(session, get(server.origin))).result?.status).toBe(200);
    expect(server.connections()).toBe(4);
    expect(connectionHeaders).toEqual(['close', 'close', 'close', 'close']);
  });

  it('reports a refused connection as ECONNREFUSED', async () => {
    const closed = await startHttp((_req, res) => res.end());
    await closed.close(); // its port is now free, and nothing listens on it
    const { error, result } = await exchange(newSession(client), get(closed.origin));
    expect(result).toBeUndefined();
    expect(error?.code).toBe('ECONNREFUSED');
    expect(classifyError(error)).toBe(ErrorCategoryId.connection_refused);
  });
});

describe.each(CLIENTS)('exchange on %s: abort', (client) => {
  it('never calls back for an aborted exchange, returns the bytes it sent, and the session goes on', async () => {
    let arrived = 0;
    // The slow response is held by the test and sent once the exchange is aborted; `slowClosed` settles when
    // it is over on the server's side (sent whole, or its connection gone).
    let slow: { res: ServerResponse; closed: Promise<unknown> } | undefined;
    const server = await track(
      startHttp((req, res) => {
        arrived += 1;
        if (req.url === '/slow') slow = { res, closed: once(res, 'close') };
        else res.end('ok');
      }),
    );
    const session = newSession(client);
    let calls = 0;
    session.exchange(get(server.origin, '/slow'), 1024, 5_000, () => {
      calls += 1;
    });
    while (slow === undefined) await delay(5);
    expect(arrived).toBe(1);
    const expectedBytesOut = `GET /slow HTTP/1.1\r\nhost: ${new URL(server.origin).host}\r\nconnection: keep-alive\r\n\r\n`.length;
    expect(session.abort()).toBe(expectedBytesOut);
    expect(session.abort()).toBe(0); // nothing in flight any more
    slow.res.end('late');
    await slow.closed; // past the late response
    expect(calls).toBe(0);
    expect((await exchange(session, get(server.origin))).result?.status).toBe(200);
    expect(calls).toBe(0);
  });

  it('gives up an exchange that is still connecting: 0 bytes sent, no callback', async () => {
    const server = await track(startHttp((_req, res) => res.end('ok')));
    const session = newSession(client);
    let calls = 0;
    session.exchange(get(server.origin), 1024, 5_000, () => {
      calls += 1;
    });
    expect(session.abort()).toBe(0);
    expect(calls).toBe(0);
    // A whole exchange later (a connection, a request, its response) the given-up one has still not called back.
    expect((await exchange(session, get(server.origin))).result?.status).toBe(200);
    expect(calls).toBe(0);
  });

  it('fails exchanges in flight when the target closes, and any after', async () => {
    const server = await track(startHttp(() => undefined)); // never answers
    const target = newTarget(client, { keepAlive: true, connectTimeoutMs: 5_000, http2: false });
    const session = target.createSession();
    const pending = exchange(session, get(server.origin));
    while (server.connections() === 0) await delay(5);
    await target.close();
    expect((await pending).error).toBeInstanceOf(Error);
    expect((await exchange(session, get(server.origin))).error?.code).toBe(client === 'sockets' ? 'LS_ABANDONED' : 'UND_ERR_DESTROYED');
  });
});

describe.each(CLIENTS)('exchange on %s: TLS', (client) => {
  let fixtures: ReturnType<typeof tlsFixtures>;
  let server: TestServer;
  let mtlsServer: TestServer;
  const clientNames: string[] = [];
  beforeAll(async () => {
    fixtures = tlsFixtures();
    server = await startHttps({ key: fixtures.keyPem, cert: fixtures.certPem }, (_req, res) => res.end('secure'));
    mtlsServer = await startHttps(
      { key: fixtures.keyPem, cert: fixtures.certPem, ca: fixtures.caPem, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        clientNames.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
        res.end('mutual');
      },
    );
  });
  afterAll(async () => {
    await server.close();
    await mtlsServer.close();
  });
  const settings = (extra: Partial<TlsSettings>): TlsSettings => ({ insecure: false, ...extra });

  it('refuses a certificate from an unknown CA by default: a tls error, nothing sent', async () => {
    const { error, result } = await exchange(newSession(client), get(server.origin));
    expect(result).toBeUndefined();
    expect(error?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(classifyError(error)).toBe(ErrorCategoryId.tls);
  });

  it('accepts it with the CA added', async () => {
    const { error, result } = await exchange(
      newSession(client, { tls: settings({ ca: Buffer.from(fixtures.caPem) }) }),
      get(server.origin),
    );
    expect(error).toBeUndefined();
    expect(result?.status).toBe(200);
    expect(result?.body?.toString()).toBe('secure');
  });

  it('accepts it with insecure: true', async () => {
    const { error, result } = await exchange(newSession(client, { tls: settings({ insecure: true }) }), get(server.origin));
    expect(error).toBeUndefined();
    expect(result?.status).toBe(200);
  });

  it('checks the name: a server name the certificate does not carry is refused', async () => {
    const tls = settings({ ca: Buffer.from(fixtures.caPem), serverName: 'other.example' });
    const { error } = await exchange(newSession(client, { tls }), get(server.origin));
    expect(error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(classifyError(error)).toBe(ErrorCategoryId.tls);
    const named = await exchange(newSession(client, { tls: { ...tls, serverName: 'localhost' } }), get(server.origin));
    expect(named.result?.status).toBe(200);
  });

  it('presents a client certificate when the server requires one', async () => {
    const ca = Buffer.from(fixtures.caPem);
    const without = await exchange(newSession(client, { tls: settings({ ca }) }), get(mtlsServer.origin));
    expect(without.result).toBeUndefined();
    expect(without.error).toBeInstanceOf(Error);

    const tls = settings({ ca, cert: Buffer.from(fixtures.clientCertPem), key: Buffer.from(fixtures.clientKeyPem) });
    const { error, result } = await exchange(newSession(client, { tls }), get(mtlsServer.origin));
    expect(error).toBeUndefined();
    expect(result?.status).toBe(200);
    expect(result?.body?.toString()).toBe('mutual');
    expect(clientNames).toEqual(['loadseed-test-client']);
  });
});

describe('exchange on undici: HTTP/2', () => {
  const client = 'undici';
  it('speaks HTTP/2 over TLS when asked and the server chooses it', async () => {
    const fixtures = tlsFixtures();
    const versions: string[] = [];
    const server = await track(
      listen(
        createSecureServer({ key: fixtures.keyPem, cert: fixtures.certPem, allowHTTP1: false }, (req, res) => {
          versions.push(req.httpVersion);
          res.setHeader('x-proto', 'h2');
          res.end('over h2');
        }),
        'https',
        'secureConnection',
      ),
    );
    const session = newSession(client, { http2: true, tls: { insecure: false, ca: Buffer.from(fixtures.caPem) } });
    for (let i = 0; i < 3; i++) {
      const { error, result } = await exchange(session, get(server.origin, `/h2?i=${i}`));
      expect(error).toBeUndefined();
      expect(result?.status).toBe(200);
      expect(result?.protocol).toBe('h2');
      expect(result?.headers['x-proto']).toBe('h2');
      expect(result?.body?.toString()).toBe('over h2');
    }
    expect(versions).toEqual(['2.0', '2.0', '2.0']);
    expect(server.connections()).toBe(1);
  });

  it('stays on HTTP/1.1 with a server that does not offer h2', async () => {
    const fixtures = tlsFixtures();
    const server = await track(startHttps({ key: fixtures.keyPem, cert: fixtures.certPem }, (req, res) => res.end(req.httpVersion)));
    const session = newSession(client, { http2: true, tls: { insecure: false, ca: Buffer.from(fixtures.caPem) } });
    const { result } = await exchange(session, get(server.origin));
    expect(result?.protocol).toBe('http/1.1');
    expect(result?.body?.toString()).toBe('1.1');
  });
});
