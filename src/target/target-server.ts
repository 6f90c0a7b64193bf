/**
 * The built-in local target (`loadseed serve`): a small HTTP server with delays, status codes,
 * payload sizes, latency shapes and injected faults — for the quick start, the docs and the tests.
 *
 * Routes (any method on each):
 *   /                      200 "ok"
 *   /delay/:ms             waits ms (0..60000), then 200 "ok"
 *   /status/:code          responds with code (200..599), body its reason phrase
 *   /json                  200, a fixed small JSON object
 *   /bytes/:n              200, exactly n bytes (0..100 MiB), streamed from one 64 KiB buffer
 *   /echo                  200, JSON describing the request (body read up to 1 MiB, else 413)
 *   /flaky?rate=R          500 with probability R (0..1, default 0.05), else 200 "ok"
 *   /latency?mean=&p99=    waits a log-normal delay with that mean and p99 (ms), then 200 "ok"
 *   /capacity?rps=&queue=&service_ms=
 *                          a server with a known capacity: one FIFO queue per rps, served one request at a
 *                          time, each holding it 1000/rps ms (default rps 100), so at most rps requests a
 *                          second; then service_ms more (default 0, in parallel) and 200 "ok". Below rps,
 *                          latency ≈ 1000/rps + service_ms; above it the queue grows and latency climbs. At
 *                          most `queue` requests (default 100) wait or are served at once: beyond, 503 at once
 *   /redirect?to=&status=  a redirect (301, 302, 303, 307 or 308; default 302) to `to`: a path or an http(s) URL
 *   /headers               200, JSON of the request headers received
 *   /ws/echo               a WebSocket echo (upgrade): JSON hello → room, ?delay_ms=, ?close_after=, ?reset_after=
 *                          (ws-echo.ts); its own counts in TargetServer.wsCounts()
 *   /sse?events=N&interval_ms=M
 *                          Server-Sent Events: N events (default 10) `data: {"seq":i,"of":N}`, one every M ms
 *                          (default 100), then `event: done`; stall_after=K stops after K events, the
 *                          connection left open; reset_after=K destroys the socket after K events
 *   /stream?chunks=N&interval_ms=M
 *                          a chunked text/plain body of N chunks `token i`, one every M ms; stall_after, reset_after
 * Bad parameters give 400 with a plain-text reason; anything else gives 404.
 *
 * A demo API for user-journey scenarios, stateless (tokens and cookies are derived from the user name, never
 * stored), JSON in and out, errors as {"error": "..."}:
 *   POST /login            body {"username", "password"}: the password of user U is "pw-U" (U: 1..64 of
 *                          A-Z a-z 0-9 . _ @ -). 200 {"token": "tok-U", "user": "U"} with
 *                          Set-Cookie: session=s-U; Path=/; HttpOnly; 401 on bad credentials; 400 when the
 *                          body is not a JSON object; 413 over 64 KiB
 *   GET  /me               200 {"user": "U", "status": "ok"} with Authorization: Bearer tok-U, else 401
 *   GET  /cart             200 {"user": "U", "items": [...]} with the cookie session=s-U, else 403
 *   POST /cart/items       with the cookie: 201 {"added": the body's sku, or null}; 403 without; 400, 413 as /login
 * The cart is not stored: adding an item does not change what GET /cart returns. A wrong method gives 405.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ignore } from '../ignore.js';
import { failInternally, sendText } from './replies.js';
import type { ServerState } from './route.js';
import { ARGUMENT_ROUTES, EXACT_ROUTES, NOT_FOUND_BODY } from './routes.js';
import { attachWsEcho } from './ws-echo.js';
import type { WsEchoCounts } from './ws-echo.js';
import { streamCountsOf } from './stream-routes.js';
import type { StreamCounts } from './stream-routes.js';

export interface TargetServerOptions {
  /** Port to listen on; 0 (the default) picks a free port. */
  readonly port?: number;
  /** Interface to listen on; defaults to '127.0.0.1' (loopback only). */
  readonly host?: string;
}

export interface TargetServer {
  /** Origin without a trailing slash, e.g. 'http://127.0.0.1:43123' or 'http://[::1]:43123'. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Requests received so far (every route, including 400s and 404s). */
  readonly requestCount: () => number;
  /** What /ws/echo saw: upgrades, messages received and sent (ws-echo.ts). */
  readonly wsCounts: () => WsEchoCounts;
  /** How long /ws/echo held each of its latest replies (ms, measured by the server; ws-echo.ts). */
  readonly wsHeldMs: () => readonly number[];
  /** What /sse and /stream have sent so far (streams begun, events and chunks written): a snapshot. */
  readonly streamCounts: () => StreamCounts;
  /** Stops listening, clears pending delays, destroys every socket; resolves when closed. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
/** Long enough that load generators keep reusing their connections between requests. */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** Must exceed the keep-alive timeout, or idle connections race the headers timer. */
const HEADERS_TIMEOUT_MS = 35_000;
/** Time to receive a whole request (headers and body); above the longest delay we offer. */
const REQUEST_TIMEOUT_MS = 120_000;

export async function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  const requestedHost = options.host ?? DEFAULT_HOST;
  const requestedPort = options.port ?? 0;
  const state: ServerState = {
    requestCount: 0,
    closed: false,
    timers: new Set(),
    capacityQueues: new Map(),
    sockets: new Set(),
  };

  const server = createServer({ noDelay: true, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    state.requestCount += 1;
    try {
      handleRequest(state, req, res);
    } catch {
      failInternally(res);
    }
  });
  const wsEcho = attachWsEcho(server, state);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

  server.on('connection', (socket: Socket) => {
    if (state.closed) {
      socket.destroy();
      return;
    }
    state.sockets.add(socket);
    socket.once('close', () => state.sockets.delete(socket));
  });

  await listen(server, requestedPort, requestedHost);
  // Once listening, errors (say, a failed accept under fd exhaustion) must not crash the host process.
  server.on('error', ignore);

  const address = server.address() as AddressInfo;
  const port = address.port;
  const url = `http://${requestedHost.includes(':') ? `[${requestedHost}]` : requestedHost}:${port}`;

  return {
    url,
    host: requestedHost,
    port,
    requestCount: () => state.requestCount,
    wsCounts: () => wsEcho.counts(),
    wsHeldMs: () => wsEcho.heldMs(),
    streamCounts: () => ({ ...streamCountsOf(state) }),
    close: closer(server, state),
  };
}

/** Resolves once the server listens; rejects with the error that kept it from listening (EADDRINUSE, say). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** TargetServer.close: stops listening, clears pending delays, destroys every socket; the same promise each call. */
function closer(server: Server, state: ServerState): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      state.closed = true;
      for (const timer of state.timers) {
        clearTimeout(timer);
      }
      state.timers.clear();
      server.close(() => resolve());
      for (const socket of state.sockets) {
        socket.destroy();
      }
      state.sockets.clear();
    });
    return closing;
  };
}

/** Finds the route of a request (routes.ts) and hands the request to it; 404 when there is none. */
function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): void {
  // A client that disconnects mid-body makes `req` emit an error; it is not ours to throw.
  req.on('error', ignore);
  res.on('error', ignore);

  const rawUrl = originForm(req.url ?? '/');
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const search = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
  const routePath = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const argAt = routePath.indexOf('/', 1);
  const exact = EXACT_ROUTES.get(routePath);
  const withArgument = exact === undefined ? ARGUMENT_ROUTES.get(argAt === -1 ? routePath : routePath.slice(0, argAt)) : undefined;
  const route = exact ?? withArgument;
  if (route?.readsBody !== true) req.resume();
  if (route === undefined) {
    sendText(res, 404, NOT_FOUND_BODY);
    return;
  }
  route.handle({ state, req, res, path, search, arg: withArgument === undefined || argAt === -1 ? undefined : routePath.slice(argAt + 1) });
}

/** Reduces an absolute-form request target ('http://host/path?q', as sent to proxies) to '/path?q'. */
function originForm(target: string): string {
  if (target.startsWith('/')) {
    return target;
  }
  if (!URL.canParse(target)) {
    return target;
  }
  const parsed = new URL(target);
  return `${parsed.pathname}${parsed.search}`;
}
