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
 * Bad parameters give 400 with a plain-text reason; anything else gives 404.
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
  'not found; routes: / /delay/:ms /status/:code /json /bytes/:n /echo /flaky?rate=R /latency?mean=MS&p99=MS';

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
  readonly sockets: Set<Socket>;
}

export async function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  const requestedHost = options.host ?? DEFAULT_HOST;
  const requestedPort = options.port ?? 0;
  const state: ServerState = {
    requestCount: 0,
    closed: false,
    timers: new Set(),
    sockets: new Set(),
  };

  const server = createServer(
    { noDelay: true, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      state.requestCount += 1;
      handleRequest(state, req, res);
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

function sendBody(res: ServerResponse, statusCode: number, contentType: string, body: string): void {
  if (res.destroyed || res.writableEnded) {
    return;
  }
  res.writeHead(statusCode, {
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
