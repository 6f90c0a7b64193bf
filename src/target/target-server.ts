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
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { latencyShapeProblem, logNormalFor, sampleLogNormal } from './latency-shape.js';

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

const MAX_DELAY_MS = 60_000;
const MIN_STATUS_CODE = 200;
const MAX_STATUS_CODE = 599;
const MAX_BYTES = 100 * 1024 * 1024;
const MAX_ECHO_BODY_BYTES = 1024 * 1024;
const DEFAULT_FLAKY_RATE = 0.05;
const DEFAULT_LATENCY_MEAN_MS = 50;
const DEFAULT_LATENCY_P99_MS = 200;
/** p99 / mean of the defaults, used when only one of mean and p99 is given. */
const DEFAULT_LATENCY_P99_TO_MEAN = DEFAULT_LATENCY_P99_MS / DEFAULT_LATENCY_MEAN_MS;
const DEFAULT_CAPACITY_RPS = 100;
const MAX_CAPACITY_RPS = 1_000_000;
const DEFAULT_CAPACITY_QUEUE = 100;
const MAX_CAPACITY_QUEUE = 10_000;

/** The one buffer every /bytes response is streamed from; never mutated after this line. */
const BYTES_CHUNK = Buffer.alloc(64 * 1024, 'loadseed ');
const JSON_BODY = JSON.stringify({
  id: 1,
  name: 'loadseed',
  items: [
    { sku: 'a-1', price: 9.5 },
    { sku: 'b-2', price: 20 },
  ],
  ok: true,
});
const NOT_FOUND_BODY =
  'not found; routes: / /delay/:ms /status/:code /json /bytes/:n /echo /flaky?rate=R /latency?mean=MS&p99=MS' +
  ' /capacity?rps=R&queue=N&service_ms=MS' +
  ' /redirect?to=URL&status=302 /headers; demo API: POST /login, GET /me, GET /cart, POST /cart/items';

/** Bodies of the demo API's POST routes are read up to this, else 413. */
const MAX_JSON_BODY_BYTES = 64 * 1024;
/** A demo user name: safe as is in a JSON string, a cookie value and a bearer token. */
const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const TOKEN_PREFIX = 'tok-';
const SESSION_COOKIE = 'session';
const SESSION_PREFIX = 's-';
const PASSWORD_PREFIX = 'pw-';
/** What every cart holds: the cart is not stored, so it never changes. */
const CART_ITEMS: readonly { readonly sku: string; readonly qty: number }[] = [
  { sku: 'a-1', qty: 1 },
  { sku: 'b-2', qty: 2 },
];
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const DEFAULT_REDIRECT_STATUS = 302;
/** A redirect target as sent in Location: visible ASCII only (percent-encode anything else). */
const VISIBLE_ASCII_PATTERN = /^[\x21-\x7e]+$/;
const ABSOLUTE_HTTP_URL_PATTERN = /^https?:\/\/[^/?#]/i;

const TEXT_PLAIN = 'text/plain; charset=utf-8';
const APPLICATION_JSON = 'application/json; charset=utf-8';
const OCTET_STREAM = 'application/octet-stream';

/** Plain unsigned decimal integers only: no sign, no fraction, no exponent, no hex. */
const INTEGER_PATTERN = /^\d{1,10}$/;
/** Plain unsigned decimal numbers: 1, 0.5, .5, 5., 1e-3. */
const DECIMAL_PATTERN = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

interface ServerState {
  requestCount: number;
  closed: boolean;
  readonly timers: Set<ReturnType<typeof setTimeout>>;
  /** /capacity's queues by rps, present while a request is in one. */
  readonly capacityQueues: Map<number, CapacityQueue>;
  readonly sockets: Set<Socket>;
}

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

  const server = createServer(
    { noDelay: true, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      state.requestCount += 1;
      try {
        handleRequest(state, req, res);
      } catch {
        failInternally(res);
      }
    },
  );
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

  await new Promise<void>((resolve, reject) => {
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
    server.listen(requestedPort, requestedHost);
  });
  // Once listening, errors (say, a failed accept under fd exhaustion) must not crash the host process.
  server.on('error', ignore);

  const address = server.address() as AddressInfo;
  const port = address.port;
  const url = `http://${requestedHost.includes(':') ? `[${requestedHost}]` : requestedHost}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
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

  return {
    url,
    host: requestedHost,
    port,
    requestCount: () => state.requestCount,
    close,
  };
}

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
  const route = argAt === -1 ? routePath : routePath.slice(0, argAt);
  const arg = argAt === -1 ? undefined : routePath.slice(argAt + 1);

  if (route === '/echo' && arg === undefined) {
    echo(req, res, path, search);
    return;
  }
  if (route === '/login' && arg === undefined) {
    login(req, res);
    return;
  }
  if (route === '/cart' && arg === 'items') {
    addCartItem(req, res);
    return;
  }
  // Every other route ignores the request body; drain it so the connection stays reusable.
  req.resume();

  switch (route) {
    case '/':
      if (arg === undefined) {
        sendText(res, 200, 'ok');
        return;
      }
      break;
    case '/delay':
      delay(state, res, arg);
      return;
    case '/status':
      status(res, arg);
      return;
    case '/json':
      if (arg === undefined) {
        sendBody(res, 200, APPLICATION_JSON, JSON_BODY);
        return;
      }
      break;
    case '/bytes':
      bytes(req, res, arg);
      return;
    case '/flaky':
      if (arg === undefined) {
        flaky(res, search);
        return;
      }
      break;
    case '/latency':
      if (arg === undefined) {
        latency(state, res, search);
        return;
      }
      break;
    case '/capacity':
      if (arg === undefined) {
        capacity(state, res, search);
        return;
      }
      break;
    case '/me':
      if (arg === undefined) {
        me(req, res);
        return;
      }
      break;
    case '/cart':
      if (arg === undefined) {
        cart(req, res);
        return;
      }
      break;
    case '/redirect':
      if (arg === undefined) {
        redirect(res, search);
        return;
      }
      break;
    case '/headers':
      if (arg === undefined) {
        sendJson(res, 200, req.headers);
        return;
      }
      break;
    default:
      break;
  }
  sendText(res, 404, NOT_FOUND_BODY);
}

function delay(state: ServerState, res: ServerResponse, arg: string | undefined): void {
  const delayMs = parseInteger(arg, 0, MAX_DELAY_MS);
  if (delayMs === undefined) {
    sendText(res, 400, `bad delay ${quote(arg)}: use /delay/:ms with an integer 0..${MAX_DELAY_MS}`);
    return;
  }
  okAfter(state, res, delayMs);
}

function status(res: ServerResponse, arg: string | undefined): void {
  const code = parseInteger(arg, MIN_STATUS_CODE, MAX_STATUS_CODE);
  if (code === undefined) {
    sendText(
      res,
      400,
      `bad status ${quote(arg)}: use /status/:code with an integer ${MIN_STATUS_CODE}..${MAX_STATUS_CODE}`,
    );
    return;
  }
  if (code === 204 || code === 304) {
    // These must not carry a body (nor, for 204, a Content-Length).
    res.writeHead(code);
    res.end();
    return;
  }
  sendText(res, code, code === 205 ? '' : (STATUS_CODES[code] ?? ''));
}

function bytes(req: IncomingMessage, res: ServerResponse, arg: string | undefined): void {
  const byteCount = parseInteger(arg, 0, MAX_BYTES);
  if (byteCount === undefined) {
    sendText(res, 400, `bad size ${quote(arg)}: use /bytes/:n with an integer 0..${MAX_BYTES}`);
    return;
  }
  res.writeHead(200, { 'content-type': OCTET_STREAM, 'content-length': byteCount });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  writeBytes(res, byteCount);
}

/** Writes `remainingBytes` from BYTES_CHUNK, pausing on backpressure until 'drain'. */
function writeBytes(res: ServerResponse, remainingBytes: number): void {
  let remaining = remainingBytes;
  while (remaining > 0) {
    if (res.destroyed) {
      return;
    }
    const chunkBytes = Math.min(remaining, BYTES_CHUNK.length);
    remaining -= chunkBytes;
    const chunk = chunkBytes === BYTES_CHUNK.length ? BYTES_CHUNK : BYTES_CHUNK.subarray(0, chunkBytes);
    if (!res.write(chunk) && remaining > 0) {
      res.once('drain', () => writeBytes(res, remaining));
      return;
    }
  }
  res.end();
}

function echo(req: IncomingMessage, res: ServerResponse, path: string, search: string): void {
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    // Past the cap, keep reading (so the client gets its 413 rather than a reset) but keep nothing.
    if (bodyBytes <= MAX_ECHO_BODY_BYTES) {
      chunks.push(chunk);
    }
  });
  req.on('end', () => {
    if (bodyBytes > MAX_ECHO_BODY_BYTES) {
      sendText(res, 413, `request body of ${bodyBytes} bytes exceeds the /echo limit of ${MAX_ECHO_BODY_BYTES} bytes`);
      return;
    }
    const description = {
      method: req.method ?? '',
      path,
      query: queryObject(new URLSearchParams(search)),
      headers: req.headers,
      body: Buffer.concat(chunks, bodyBytes).toString('utf8'),
      bodyBytes,
    };
    sendBody(res, 200, APPLICATION_JSON, JSON.stringify(description));
  });
}

function flaky(res: ServerResponse, search: string): void {
  const rateText = new URLSearchParams(search).get('rate');
  const rate = rateText === null ? DEFAULT_FLAKY_RATE : parseDecimal(rateText);
  if (rate === undefined || rate > 1) {
    sendText(res, 400, `bad rate ${quote(rateText ?? undefined)}: use /flaky?rate=R with R a number 0..1`);
    return;
  }
  if (Math.random() < rate) {
    sendText(res, 500, 'error');
  } else {
    sendText(res, 200, 'ok');
  }
}

function latency(state: ServerState, res: ServerResponse, search: string): void {
  const params = new URLSearchParams(search);
  const meanText = params.get('mean');
  const p99Text = params.get('p99');
  const meanGiven = meanText === null ? undefined : parseDecimal(meanText);
  const p99Given = p99Text === null ? undefined : parseDecimal(p99Text);
  if ((meanText !== null && meanGiven === undefined) || (p99Text !== null && p99Given === undefined)) {
    sendText(res, 400, 'bad latency shape: use /latency?mean=MS&p99=MS with numbers of milliseconds');
    return;
  }
  // Defaults are mean=50, p99=200; when only one is given, the other keeps the default ratio of 4.
  const meanMs =
    meanGiven ?? (p99Given === undefined ? DEFAULT_LATENCY_MEAN_MS : p99Given / DEFAULT_LATENCY_P99_TO_MEAN);
  const p99Ms = p99Given ?? meanMs * DEFAULT_LATENCY_P99_TO_MEAN;
  const problem = latencyShapeProblem(meanMs, p99Ms);
  if (problem !== undefined) {
    sendText(res, 400, `bad latency shape: ${problem}`);
    return;
  }
  const delayMs = Math.min(MAX_DELAY_MS, sampleLogNormal(logNormalFor(meanMs, p99Ms), Math.random));
  okAfter(state, res, delayMs);
}

/** A single server of /capacity: when it is next free (virtual time, `performance.now()` ms), and how many requests it holds. */
interface CapacityQueue {
  busyUntilMs: number;
  inSystem: number;
}

/**
 * /capacity: a single-server FIFO queue. Each request's departure is computed when it arrives, exactly —
 * max(now, when the server is next free) + 1000/rps — and one timer answers it then: the server's rate does not
 * drift with timer lateness, and stays at most rps per second however late timers fire. A request whose client
 * went away keeps its place (the server works on it anyway). Memory is bounded by `queue` per rps.
 */
function capacity(state: ServerState, res: ServerResponse, search: string): void {
  const params = new URLSearchParams(search);
  const rpsText = params.get('rps');
  const queueText = params.get('queue');
  const serviceText = params.get('service_ms');
  const rps = rpsText === null ? DEFAULT_CAPACITY_RPS : parseDecimal(rpsText);
  const queueLimit = queueText === null ? DEFAULT_CAPACITY_QUEUE : parseInteger(queueText, 1, MAX_CAPACITY_QUEUE);
  const serviceMs = serviceText === null ? 0 : parseDecimal(serviceText);
  if (rps === undefined || !(rps > 0) || rps > MAX_CAPACITY_RPS) {
    sendText(res, 400, `bad rps ${quote(rpsText ?? undefined)}: use /capacity?rps=R with R a number of requests per second, above 0 and at most ${MAX_CAPACITY_RPS}`);
    return;
  }
  if (queueLimit === undefined) {
    sendText(res, 400, `bad queue ${quote(queueText ?? undefined)}: use /capacity?queue=N with N an integer 1..${MAX_CAPACITY_QUEUE}`);
    return;
  }
  if (serviceMs === undefined || serviceMs > MAX_DELAY_MS) {
    sendText(res, 400, `bad service_ms ${quote(serviceText ?? undefined)}: use /capacity?service_ms=MS with MS a number 0..${MAX_DELAY_MS}`);
    return;
  }
  let queue = state.capacityQueues.get(rps);
  if (queue === undefined) {
    queue = { busyUntilMs: 0, inSystem: 0 };
    state.capacityQueues.set(rps, queue);
  }
  if (queue.inSystem >= queueLimit) {
    sendText(res, 503, `over capacity: ${queue.inSystem} requests queued at ${rps}/s`);
    return;
  }
  const nowMs = performance.now();
  const departsAtMs = Math.max(nowMs, queue.busyUntilMs) + 1000 / rps;
  queue.busyUntilMs = departsAtMs;
  queue.inSystem += 1;
  const held = queue;
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    held.inSystem -= 1;
    if (held.inSystem === 0 && state.capacityQueues.get(rps) === held) state.capacityQueues.delete(rps);
    if (!res.destroyed) okAfter(state, res, serviceMs);
  }, departsAtMs - nowMs);
  state.timers.add(timer);
}

/** POST /login: checks the password rule (user U, password "pw-U"), answers a token and a session cookie. */
function login(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'POST')) return;
  readJsonBody(req, res, (body) => {
    if (!isPlainObject(body)) {
      sendJson(res, 400, { error: 'expected a JSON object {"username": "...", "password": "..."}' });
      return;
    }
    const username = body['username'];
    const password = body['password'];
    if (typeof username !== 'string' || !USER_NAME_PATTERN.test(username) || password !== `${PASSWORD_PREFIX}${username}`) {
      sendJson(res, 401, { error: 'bad credentials' });
      return;
    }
    sendJson(
      res,
      200,
      { token: `${TOKEN_PREFIX}${username}`, user: username },
      { 'set-cookie': `${SESSION_COOKIE}=${SESSION_PREFIX}${username}; Path=/; HttpOnly` },
    );
  });
}

/** GET /me: who the bearer token belongs to. */
function me(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'GET')) return;
  const username = bearerUser(req.headers.authorization);
  if (username === undefined) {
    sendJson(res, 401, { error: 'missing or bad token' }, { 'www-authenticate': 'Bearer realm="loadseed"' });
    return;
  }
  sendJson(res, 200, { user: username, status: 'ok' });
}

/** GET /cart: the session cookie's user and the (fixed) items of every cart. */
function cart(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'GET')) return;
  const username = sessionUser(req.headers.cookie);
  if (username === undefined) {
    sendJson(res, 403, { error: 'missing or bad session cookie' });
    return;
  }
  sendJson(res, 200, { user: username, items: CART_ITEMS });
}

/** POST /cart/items: with a session cookie, acknowledges the body's sku (nothing is stored). */
function addCartItem(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'POST')) return;
  if (sessionUser(req.headers.cookie) === undefined) {
    req.resume();
    sendJson(res, 403, { error: 'missing or bad session cookie' });
    return;
  }
  readJsonBody(req, res, (body) => {
    const sku = isPlainObject(body) ? body['sku'] : undefined;
    sendJson(res, 201, { added: sku ?? null });
  });
}

/** /redirect?to=&status=: a redirect to a path or an http(s) URL, Location exactly `to`. */
function redirect(res: ServerResponse, search: string): void {
  const params = new URLSearchParams(search);
  const to = params.get('to');
  const statusText = params.get('status');
  const code = statusText === null ? DEFAULT_REDIRECT_STATUS : parseInteger(statusText, MIN_STATUS_CODE, MAX_STATUS_CODE);
  if (code === undefined || !REDIRECT_STATUSES.has(code)) {
    sendText(res, 400, `bad status ${quote(statusText ?? undefined)}: use /redirect?to=URL&status=S with S one of 301, 302, 303, 307, 308`);
    return;
  }
  if (to === null || !isRedirectTarget(to)) {
    sendText(
      res,
      400,
      `bad redirect target ${quote(to ?? undefined)}: use /redirect?to=T with T a path (/me) or an http(s) URL, visible ASCII only`,
    );
    return;
  }
  sendBody(res, code, TEXT_PLAIN, `redirecting to ${to}`, { location: to });
}

/** A path ("/x", not "//host" nor "/\host", which browsers read as another host) or an absolute http(s) URL. */
function isRedirectTarget(to: string): boolean {
  if (!VISIBLE_ASCII_PATTERN.test(to)) return false;
  if (to.startsWith('/')) return !to.startsWith('//') && !to.startsWith('/\\');
  return ABSOLUTE_HTTP_URL_PATTERN.test(to) && URL.canParse(to);
}

/** Answers 405 (and drains the body) unless the method is `method` (GET also allows HEAD). */
function allowMethod(req: IncomingMessage, res: ServerResponse, method: 'GET' | 'POST'): boolean {
  if (req.method === method || (method === 'GET' && req.method === 'HEAD')) return true;
  req.resume();
  const allow = method === 'GET' ? 'GET, HEAD' : method;
  sendJson(res, 405, { error: `method ${req.method ?? ''} not allowed: use ${allow}` }, { allow });
  return false;
}

/**
 * Reads a JSON body of up to MAX_JSON_BODY_BYTES, then calls `onBody` with it parsed; answers 413 when it is
 * longer, 400 when it is not JSON. Past the cap it keeps reading (so the client gets its 413, not a reset) but
 * keeps nothing.
 */
function readJsonBody(req: IncomingMessage, res: ServerResponse, onBody: (body: unknown) => void): void {
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    if (bodyBytes <= MAX_JSON_BODY_BYTES) {
      chunks.push(chunk);
    }
  });
  req.on('end', () => {
    if (bodyBytes > MAX_JSON_BODY_BYTES) {
      sendJson(res, 413, { error: `request body of ${bodyBytes} bytes exceeds the limit of ${MAX_JSON_BODY_BYTES} bytes` });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks, bodyBytes).toString('utf8'));
    } catch {
      sendJson(res, 400, { error: 'the request body is not JSON' });
      return;
    }
    try {
      onBody(body);
    } catch {
      failInternally(res);
    }
  });
}

/** The user of `Authorization: Bearer tok-U` (the scheme in any case), or undefined. */
function bearerUser(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^bearer +(\S+) *$/i.exec(authorization);
  const token = match?.[1];
  if (token === undefined || !token.startsWith(TOKEN_PREFIX)) return undefined;
  const username = token.slice(TOKEN_PREFIX.length);
  return USER_NAME_PATTERN.test(username) ? username : undefined;
}

/** The user of a `session=s-U` cookie in a Cookie header, or undefined. */
function sessionUser(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const equalsAt = pair.indexOf('=');
    if (equalsAt === -1 || pair.slice(0, equalsAt).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(equalsAt + 1).trim();
    if (!value.startsWith(SESSION_PREFIX)) continue;
    const username = value.slice(SESSION_PREFIX.length);
    if (USER_NAME_PATTERN.test(username)) return username;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** After an unexpected error in a handler: a 500, or a dropped connection if that is too late, never a crash. */
function failInternally(res: ServerResponse): void {
  try {
    if (res.headersSent) {
      res.destroy();
    } else {
      sendText(res, 500, 'internal error');
    }
  } catch {
    res.destroy();
  }
}

/** Responds 200 "ok" after `delayMs`, with one timer that is cleared if the response closes first. */
function okAfter(state: ServerState, res: ServerResponse, delayMs: number): void {
  if (delayMs <= 0) {
    sendText(res, 200, 'ok');
    return;
  }
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    sendText(res, 200, 'ok');
  }, delayMs);
  state.timers.add(timer);
  res.once('close', () => {
    clearTimeout(timer);
    state.timers.delete(timer);
  });
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

function sendText(res: ServerResponse, statusCode: number, text: string): void {
  sendBody(res, statusCode, TEXT_PLAIN, text);
}

function sendJson(res: ServerResponse, statusCode: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  sendBody(res, statusCode, APPLICATION_JSON, JSON.stringify(value), headers);
}

function sendBody(
  res: ServerResponse,
  statusCode: number,
  contentType: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.destroyed || res.writableEnded) {
    return;
  }
  res.writeHead(statusCode, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  // A null prototype, so a key like "__proto__" is just a key.
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of params) {
    const previous = query[key];
    if (previous === undefined) {
      query[key] = value;
    } else if (typeof previous === 'string') {
      query[key] = [previous, value];
    } else {
      previous.push(value);
    }
  }
  return query;
}

function parseInteger(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !INTEGER_PATTERN.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function parseDecimal(text: string): number | undefined {
  if (!DECIMAL_PATTERN.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Quotes user input for an error message, truncated so a long URL cannot bloat the response. */
function quote(text: string | undefined): string {
  if (text === undefined) {
    return '(missing)';
  }
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function ignore(): void {
  // Intentionally empty.
}
