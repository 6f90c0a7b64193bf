import type { Socket } from 'node:net';
import { buildConnector, Client, errors } from 'undici';
import type { Dispatcher } from 'undici';
import { ignore } from '../ignore.js';
import { createRequestTimings, NOT_MEASURED, TimingIndex } from '../metrics/request-timings.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import { now, toMicros } from '../time/clock.js';
import { isDeadBeforeWrite } from './dead-before-write.js';
import { FRAMING_HEADERS, IDEMPOTENT_METHODS } from './http-rules.js';
import { PreconnectStash } from './preconnect-stash.js';
import { ABANDONED } from './request-errors.js';
import { protocolError } from './response-scanner.js';
import { tlsConnectOptionsOf } from './tls-settings.js';
import type {
  ExchangeDone,
  ExchangeOptions,
  ExchangeProtocol,
  ExchangeResult,
  ExchangeSession,
  ExchangeTarget,
  OutgoingRequest,
} from './exchange.js';

/** undici's own timeouts are coarse (≈0.5–1 s ticks): they only back up loadseed's deadline. */
const UNDICI_BACKSTOP_MS = 1_000;
const MAX_TIMER_MS = 2_000_000_000;
/** As the socket transport: status line and headers beyond this are an error. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The dynamic HTTP path (user journeys: templated requests, captures, checks, cookies, redirects, HTTP/2):
 * one exchange at a time per virtual user, on undici at the dispatch level. Each session (virtual user) has
 * its own `Client` per origin, created on first use, with pipelining 1: its own keep-alive connection, as on
 * the static undici path (bench/undici/http-target.ts, where Client-per-connection dispatch measured faster than Pool).
 */
export class HttpExchangeTarget implements ExchangeTarget {
  readonly #options: ExchangeOptions;
  readonly #sessions: HttpExchangeSession[] = [];

  constructor(options: ExchangeOptions) {
    this.#options = options;
  }

  createSession(): HttpExchangeSession {
    const session = new HttpExchangeSession(this.#options);
    this.#sessions.push(session);
    return session;
  }

  /** Closes every session's connections; exchanges still in flight fail (their callbacks are called). */
  async close(): Promise<void> {
    await Promise.all(this.#sessions.map((session) => session.close()));
  }
}

/** One origin's Client in a session, its latest connection, and the protocol that connection negotiated. */
interface OriginClient {
  readonly name: string;
  readonly client: Client;
  protocol: ExchangeProtocol;
  /** The connection undici opened last (undefined before the first). */
  socket: Socket | undefined;
  /** Opens a connection to the origin (TCP, and TLS where it applies), as undici would. */
  readonly connect: buildConnector.connector;
  readonly connectOptions: buildConnector.Options;
  /** A connection opened before t=0 (`preconnect`), handed to undici for its first request. */
  readonly stash: PreconnectStash;
  /** The latest connection's phases (µs), measured and not yet given to a request: the next request takes them. */
  fresh: boolean;
  dnsUs: number;
  connectUs: number;
  tlsUs: number;
}

/**
 * One virtual user's HTTP: a Client per origin, one exchange in flight at a time, reused handlers.
 *
 * `exchange` reports to `done` exactly once, possibly synchronously (a request undici refuses outright, such
 * as an invalid path; header values are checked before, by flow-target.ts), unless `abort()` is called first:
 * then never. Errors are undici's or Node's, unchanged (classify-error.ts maps their codes), but for the odd
 * replies ExchangeHandler counts as the socket path does. Bodies are counted; only the first `keepBodyBytes`
 * are kept.
 *
 * As on the static path (socket-http-target.ts), an idempotent request that went out on a kept-alive
 * connection is sent once more, on a new connection, only when nothing of a response was read and the write
 * itself found the connection dead (dead-before-write.ts): the server never got it. A close ("other side
 * closed", UND_ERR_SOCKET) or a reset after the write is the request's failure, counted once and never sent
 * again: the server may have read it. undici's Client (no retry interceptor, pipelining 1) re-sends nothing
 * it has written: only requests still queued, never written, go on its next connection.
 */
export class HttpExchangeSession implements ExchangeSession {
  /**
   * The phases of the exchange in flight (metrics/request-timings.ts): a new connection's DNS, TCP connect and
   * TLS (timed around undici's connector: its 'lookup', 'connect' and the connector's callback) with the first
   * request sent on it; waiting from `onRequestStart` (undici writes the request) to `onResponseStart` (the
   * status line and headers parsed: a little after the first byte), download from there to `onResponseEnd`.
   * With HTTP/2 the first request on a connection takes its phases as well.
   */
  readonly timings: RequestTimings = createRequestTimings();
  readonly #options: ExchangeOptions;
  readonly #clients = new Map<string, OriginClient>();
  readonly #free: ExchangeHandler[] = [];
  #current: ExchangeHandler | undefined = undefined;
  #closed = false;

  constructor(options: ExchangeOptions) {
    this.#options = options;
  }

  exchange(request: OutgoingRequest, keepBodyBytes: number, timeoutMs: number, done: ExchangeDone): void {
    if (this.#closed) {
      done(new errors.ClientDestroyedError(), undefined);
      return;
    }
    let origin: OriginClient;
    try {
      origin = this.#client(request.origin);
    } catch (error) {
      done(error as Error, undefined); // an origin undici cannot use (not http: or https:, malformed)
      return;
    }
    const keepAlive = this.#options.keepAlive;
    const backstopMs = Math.min(timeoutMs, MAX_TIMER_MS) + UNDICI_BACKSTOP_MS;
    const headers = withoutFraming(request.headers);
    const options: Dispatcher.DispatchOptions = {
      method: request.method,
      path: request.path,
      headers: headers as string[],
      body: request.body ?? null,
      reset: !keepAlive,
      headersTimeout: backstopMs,
      bodyTimeout: backstopMs,
    };
    // Pipelining 1, one exchange at a time: an open connection now is the one this request will go out on.
    const socket = origin.socket;
    const reusedSocket = socket !== undefined && !socket.destroyed && IDEMPOTENT_METHODS.has(request.method) ? socket : undefined;
    const handler = (this.#free.pop() ?? new ExchangeHandler(this)).arm(
      done,
      keepBodyBytes,
      requestBytes(request, headers, keepAlive),
      origin,
      options,
      reusedSocket,
    );
    this.#current = handler;
    origin.client.dispatch(options, handler);
  }

  /** Gives up the exchange in flight, if any: its callback is never called. Returns the bytes it sent (0 if none). */
  abort(): number {
    const handler = this.#current;
    if (handler === undefined) return 0;
    this.#current = undefined;
    const bytesOut = handler.sentBytes;
    handler.abandon();
    return bytesOut;
  }

  /** Closes the session's connections. An exchange in flight fails; later exchanges fail at once. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    for (const origin of clients) origin.stash.drop();
    await Promise.all(clients.map((origin) => origin.client.destroy()));
  }

  /**
   * Opens a connection to `originName` before t=0 (TCP, and TLS where it applies) without sending anything;
   * the session's first request there takes it. Resolves false on failure (the run itself will count it) and
   * at once when `signal` aborts.
   */
  preconnect(originName: string, signal?: AbortSignal): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    let origin: OriginClient;
    try {
      origin = this.#client(originName);
    } catch {
      return Promise.resolve(false);
    }
    return origin.stash.fill(origin.connect, origin.connectOptions, signal);
  }

  /** @internal The handler is done: undici will not call it again. */
  release(handler: ExchangeHandler): void {
    if (this.#current === handler) this.#current = undefined;
    this.#free.push(handler);
  }

  /**
   * @internal The origin's Client can't be used again: a new one is made for the next exchange. undici 7
   * leaves a Client whose connection failed with ERR_TLS_CERT_ALTNAME_INVALID counting the failed request as
   * running (handleConnectError rejects it without taking it off the queue), so with pipelining 1 it never
   * dispatches another: every later exchange would wait for loadseed's deadline and count as a timeout.
   */
  discard(origin: OriginClient): void {
    if (this.#clients.get(origin.name) === origin) this.#clients.delete(origin.name);
    // Not from inside undici's error handling: on the next turn.
    setImmediate(destroyQuietly, origin.client);
  }

  #client(originName: string): OriginClient {
    const existing = this.#clients.get(originName);
    if (existing !== undefined) return existing;
    const options = this.#options;
    const url = new URL(originName);
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const allowH2 = options.http2 && url.protocol === 'https:';
    const tlsOptions = url.protocol === 'https:' ? tlsConnectOptionsOf(options.tls, hostname) : {};
    const connect = timedConnector(buildConnector({ ...tlsOptions, timeout: options.connectTimeoutMs, allowH2 }), () => origin);
    const client = new Client(originName, {
      pipelining: 1,
      allowH2,
      maxHeaderSize: MAX_HEADER_BYTES,
      connect: (connectOptions, callback) => {
        const stashed = origin.stash.take();
        if (stashed !== undefined) {
          origin.protocol = (stashed as Socket & { alpnProtocol?: unknown }).alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
          origin.socket = stashed;
          process.nextTick(callback, null, stashed);
          return;
        }
        connect(connectOptions, (error, socket) => {
          if (error === null && socket !== null) {
            origin.protocol = (socket as Socket & { alpnProtocol?: unknown }).alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
            origin.socket = socket;
            callback(null, socket);
          } else {
            callback(error ?? new Error('connect failed'), null);
          }
        });
      },
    });
    const origin: OriginClient = {
      name: originName,
      client,
      protocol: 'http/1.1',
      socket: undefined,
      connect,
      connectOptions: { hostname, host: url.host, protocol: url.protocol, port: url.port },
      stash: new PreconnectStash(),
      fresh: false,
      dnsUs: NOT_MEASURED,
      connectUs: NOT_MEASURED,
      tlsUs: NOT_MEASURED,
    };
    this.#clients.set(originName, origin);
    return origin;
  }
}

/**
 * A reusable undici dispatch handler for one exchange at a time (the non-deprecated handler API). As
 * bench/undici/response-handler.ts: an abandoned handler reports nowhere, and returns to its session only when undici is
 * done with it, so a late callback can never reach the next exchange.
 *
 * Odd replies are counted as the socket path counts them (README, "Error categories"): a status outside
 * 100–599 or a 101 is a protocol failure (LS_PROTOCOL), and a 204 or 304 whose content-length announced a
 * body undici did not read is the success it is (RFC 9112 §6.3). One difference is left: undici's HTTP/1.1
 * client fails a 100 Continue nobody asked for before any handler sees it (client-h1.js; nodejs/undici#197).
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  readonly #session: HttpExchangeSession;
  readonly #chunks: Buffer[] = [];
  #done: ExchangeDone | undefined = undefined;
  #controller: Dispatcher.DispatchController | undefined = undefined;
  #abandoned = false;
  #origin: OriginClient | undefined = undefined;
  #keepBodyBytes = 0;
  #keptBytes = 0;
  #status = 0;
  #headers: Readonly<Record<string, string | readonly string[]>> = NO_HEADERS;
  #bodyBytes = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  /** What was dispatched: sent again as is by a retry. */
  #options: Dispatcher.DispatchOptions | undefined = undefined;
  /** The kept-alive connection an idempotent request went out on (undefined: a new one, or not idempotent). */
  #reusedSocket: Socket | undefined = undefined;
  /** undici has taken the request (it may have been written). */
  #started = false;
  /** Sent once more already, or waiting to be. */
  #retried = false;
  /** When undici started writing the request, and when the response's head came (0: not yet). */
  #writtenAt = 0;
  #firstByteAt = 0;
  readonly #retry = (): void => this.#dispatchAgain();

  constructor(session: HttpExchangeSession) {
    this.#session = session;
  }

  arm(
    done: ExchangeDone,
    keepBodyBytes: number,
    bytesOut: number,
    origin: OriginClient,
    options: Dispatcher.DispatchOptions,
    reusedSocket: Socket | undefined,
  ): this {
    this.#done = done;
    this.#controller = undefined;
    this.#abandoned = false;
    this.#origin = origin;
    this.#options = options;
    this.#reusedSocket = reusedSocket;
    this.#started = false;
    this.#retried = false;
    this.#keepBodyBytes = keepBodyBytes > 0 ? keepBodyBytes : 0;
    this.#keptBytes = 0;
    this.#status = 0;
    this.#headers = NO_HEADERS;
    this.#bodyBytes = 0;
    this.#bytesIn = 0;
    this.#bytesOut = bytesOut;
    this.#writtenAt = 0;
    this.#firstByteAt = 0;
    return this;
  }

  /** Bytes sent so far: none unless undici has written the request to a connection. */
  get sentBytes(): number {
    return this.#started ? this.#bytesOut : 0;
  }

  abandon(): void {
    this.#done = undefined;
    if (this.#abandoned) return;
    this.#abandoned = true;
    this.#chunks.length = 0;
    this.#controller?.abort(ABANDONED);
  }

  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.#controller = controller;
    this.#started = true;
    if (this.#abandoned) {
      controller.abort(ABANDONED);
      return;
    }
    const origin = this.#origin;
    const timings = this.#session.timings;
    if (origin?.fresh === true) {
      origin.fresh = false;
      timings[TimingIndex.dns] = origin.dnsUs;
      timings[TimingIndex.connect] = origin.connectUs;
      timings[TimingIndex.tls] = origin.tlsUs;
    }
    this.#writtenAt = now();
    this.#firstByteAt = 0;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    // 1xx come first; the final status and headers win.
    this.#status = statusCode;
    if (this.#firstByteAt === 0 && this.#writtenAt > 0 && !this.#abandoned) {
      this.#firstByteAt = now();
      this.#session.timings[TimingIndex.ttfb] = toMicros(this.#firstByteAt - this.#writtenAt);
    }
    // What the socket path refuses, refused alike (undici counts 600-999 as statuses and trips on its own
    // assertions for a status under 100 or a 101 nobody asked for): a protocol failure.
    if (statusCode < 100 || statusCode > 599) {
      controller.abort(protocolError('malformed status code'));
      return;
    }
    if (statusCode === 101) {
      controller.abort(protocolError('unexpected 101 switching protocols'));
      return;
    }
    this.#headers = headers as Record<string, string | readonly string[]>;
    // Status line and headers, approximately as on the wire: "HTTP/1.1 200 OK\r\n", "name: value\r\n", "\r\n".
    let bytes = 15 + (statusMessage?.length ?? 0) + 2;
    const raw = controller.rawHeaders;
    if (Array.isArray(raw)) {
      for (let i = 0; i < raw.length; i++) bytes += (raw[i] as { length: number }).length + 2;
    }
    this.#bytesIn += bytes;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const length = chunk.length;
    this.#bodyBytes += length;
    this.#bytesIn += length;
    const room = this.#keepBodyBytes - this.#keptBytes;
    if (room <= 0 || this.#abandoned) return;
    const kept = length <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(kept);
    this.#keptBytes += kept.length;
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, _trailers: unknown): void {
    const done = this.#done;
    if (this.#firstByteAt > 0 && !this.#abandoned) this.#session.timings[TimingIndex.download] = toMicros(now() - this.#firstByteAt);
    const chunks = this.#chunks;
    // A copy: the result outlives undici's read buffers.
    const body = this.#keepBodyBytes === 0 ? undefined : Buffer.concat(chunks, this.#keptBytes);
    chunks.length = 0;
    const result: ExchangeResult = {
      status: this.#status,
      headers: this.#headers,
      body,
      bodyBytes: this.#bodyBytes,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      protocol: this.#origin?.protocol ?? 'http/1.1',
    };
    this.#finish();
    done?.(undefined, result);
  }

  onResponseError(controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const origin = this.#origin;
    const code = (error as { code?: unknown }).code;
    if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && (this.#status === 204 || this.#status === 304)) {
      // RFC 9112 §6.3: a 204 or 304 ends at its blank line whatever its content-length says; undici holds it
      // to that length and fails it (closing the connection: whatever follows is not read as a response).
      this.onResponseEnd(controller as Dispatcher.DispatchController, undefined);
      return;
    }
    if (this.#mayRetry(error)) {
      // Not from inside undici's error handling (it is failing this request's connection): on the next turn.
      this.#retried = true;
      this.#controller = undefined;
      setImmediate(this.#retry);
      return;
    }
    const done = this.#done;
    this.#chunks.length = 0;
    this.#finish();
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' && origin !== undefined) this.#session.discard(origin);
    done?.(error, undefined);
  }

  /**
   * An idempotent request's write on a kept-alive connection found it dead (no byte of a response, no other
   * connection opened since): the server never got the request. Cold path.
   */
  #mayRetry(error: Error): boolean {
    const socket = this.#reusedSocket;
    return (
      socket !== undefined &&
      !this.#retried &&
      !this.#abandoned &&
      this.#status === 0 &&
      this.#bytesIn === 0 &&
      isDeadBeforeWrite(error) &&
      this.#origin?.socket === socket
    );
  }

  #dispatchAgain(): void {
    const origin = this.#origin;
    const options = this.#options;
    if (this.#abandoned || origin === undefined || options === undefined) {
      // Given up meanwhile: undici holds nothing of this handler any more.
      this.#chunks.length = 0;
      this.#finish();
      return;
    }
    this.#bytesOut += this.#bytesOut; // both attempts went on the wire
    origin.client.dispatch(options, this);
  }

  #finish(): void {
    this.#done = undefined;
    this.#controller = undefined;
    this.#origin = undefined;
    this.#options = undefined;
    this.#reusedSocket = undefined;
    this.#headers = NO_HEADERS;
    this.#session.release(this);
  }
}

const NO_HEADERS: Readonly<Record<string, string | readonly string[]>> = Object.freeze({});

/**
 * undici's connector, timed: when the name was looked up (host names only), the TCP connection made and (https)
 * the TLS handshake done, as the origin's fresh phases. undici's connector returns the socket it opens (its
 * type says void), and so does this one. A cold path: once per connection.
 */
function timedConnector(connect: buildConnector.connector, originOf: () => OriginClient): buildConnector.connector {
  return (options, callback) => {
    const openedAt = now();
    let lookedUpAt = 0;
    let tcpConnectedAt = 0;
    const timed: buildConnector.Callback = (...args) => {
      if (args[0] === null) {
        const connectedAt = now();
        const tls = options.protocol === 'https:';
        const tcpAt = tls && tcpConnectedAt > 0 ? tcpConnectedAt : connectedAt;
        const origin = originOf();
        origin.dnsUs = lookedUpAt > 0 ? toMicros(lookedUpAt - openedAt) : NOT_MEASURED;
        origin.connectUs = toMicros(tcpAt - (lookedUpAt > 0 ? lookedUpAt : openedAt));
        origin.tlsUs = tls ? toMicros(connectedAt - tcpAt) : NOT_MEASURED;
        origin.fresh = true;
      }
      callback(...args);
    };
    const socket = (connect as (...args: Parameters<buildConnector.connector>) => Socket | undefined)(options, timed);
    socket?.once('lookup', () => {
      lookedUpAt = now();
    });
    socket?.once('connect', () => {
      tcpConnectedAt = now();
    });
    // Handed on as undici's connector does: abortableConnect destroys a pending socket on SIGINT/SIGTERM.
    return socket;
  };
}

function destroyQuietly(client: Client): void {
  client.destroy().catch(ignore);
}

/** The headers without framing ones (the transport's); the same array when there are none, as usual. */
function withoutFraming(headers: readonly string[]): readonly string[] {
  let i = 0;
  while (i < headers.length && !FRAMING_HEADERS.has(headers[i] as string)) i += 2;
  if (i >= headers.length) return headers;
  const kept: string[] = [];
  for (let j = 0; j + 1 < headers.length; j += 2) {
    const name = headers[j] as string;
    if (!FRAMING_HEADERS.has(name)) kept.push(name, headers[j + 1] as string);
  }
  return kept;
}

/** Approximate request bytes on the wire (as HTTP/1.1): request line, host, headers, framing, body. */
function requestBytes(request: OutgoingRequest, headers: readonly string[], keepAlive: boolean): number {
  const bodyBytes = request.body?.length ?? 0;
  // "METHOD path HTTP/1.1\r\n" and "host: h\r\n"
  let bytes = request.method.length + request.path.length + 12 + 8 + (request.origin.length - request.origin.indexOf('//') - 2);
  for (let i = 0; i + 1 < headers.length; i += 2) bytes += (headers[i] as string).length + (headers[i + 1] as string).length + 4;
  if (bodyBytes > 0) bytes += 18 + String(bodyBytes).length; // "content-length: n\r\n"
  bytes += keepAlive ? 24 : 19; // "connection: keep-alive\r\n" or "connection: close\r\n"
  return bytes + 2 + bodyBytes;
}
