import { createRequestTimings, FIRST_BYTE_AT, WRITTEN_AT } from '../metrics/request-timings.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import { now } from '../time/clock.js';
import type { ExchangeDone, ExchangeOptions, ExchangeResult, ExchangeSession, ExchangeTarget, OutgoingRequest } from './exchange.js';
import { IDEMPOTENT_METHODS } from './http-rules.js';
import { OriginConnection, originOf, READ_BUFFER_BYTES } from './origin-connection.js';
import type { ConnectionReply, ConnectionSettings, WireRequest } from './origin-connection.js';
import { requestError } from './request-errors.js';
import { DEFAULT_MAX_HEADER_BYTES } from './response-scanner.js';
import type { ResponseScanner, ResponseSink } from './response-scanner.js';
import { compileWire } from './socket-http-target.js';
import type { TlsSettings } from './tls-settings.js';

/** What every session of a target shares. */
interface ExchangeSettings extends ConnectionSettings {
  readonly tls: TlsSettings | undefined;
}

/**
 * A flow's HTTP/1.1 (http: and https:) on loadseed's raw sockets: the connection code of the static path
 * (origin-connection.ts: keep-alive, `keep_alive: false`, the re-send rule, connect timeout, timings, error
 * codes) and its ResponseScanner, which here also hands the head and the content to the session (a
 * ResponseSink): headers are parsed once the response is complete, the body is copied only up to
 * `keepBodyBytes` (counted whole). Each session (virtual user) has its own connection per origin, opened on
 * first use (or before t=0 by `preconnect`). Requests are rendered per exchange, so each is serialised once
 * (compileWire, as the static path does at plan time) and sent with one write.
 *
 * What it does not do, and undici (http-exchange.ts) does: HTTP/2 (`http.http2`). flow-target.ts picks.
 */
export class SocketExchangeTarget implements ExchangeTarget {
  readonly #settings: ExchangeSettings;
  readonly #sessions: SocketExchangeSession[] = [];

  constructor(options: ExchangeOptions) {
    this.#settings = {
      keepAlive: options.keepAlive,
      connectTimeoutMs: options.connectTimeoutMs,
      maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
      readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      tls: options.tls,
    };
  }

  createSession(): SocketExchangeSession {
    const session = new SocketExchangeSession(this.#settings);
    this.#sessions.push(session);
    return session;
  }

  async close(): Promise<void> {
    await Promise.all(this.#sessions.map((session) => session.close()));
  }
}

/** A session's connection to one origin, and the `host` header of the requests sent there. */
interface OriginEntry {
  readonly connection: OriginConnection;
  readonly host: string;
}

/**
 * One virtual user's HTTP/1.1: a connection per origin, one exchange in flight at a time. It is its
 * connections' reply and its scanners' sink: what they report goes to the exchange in flight.
 */
export class SocketExchangeSession implements ExchangeSession, ConnectionReply, ResponseSink {
  /**
   * The phases of the exchange in flight, written by its connection as on the static path: the connection's
   * (with its first request), the first byte's moment; the caller finishes the waiting and the download. A
   * redirect's hop restarts the waiting: the phases are the last hop's.
   */
  readonly timings: RequestTimings = createRequestTimings();
  readonly #settings: ExchangeSettings;
  readonly #origins = new Map<string, OriginEntry>();
  #current: OriginConnection | undefined = undefined;
  #done: ExchangeDone | undefined = undefined;
  #keepBodyBytes = 0;
  #keptBytes = 0;
  /** The head so far, as text (Latin-1: a byte a character, so pieces join wherever the reads split it). */
  #head = '';
  /** Copies of the kept content, in order. */
  readonly #body: Buffer[] = [];
  #closed = false;

  constructor(settings: ExchangeSettings) {
    this.#settings = settings;
  }

  exchange(request: OutgoingRequest, keepBodyBytes: number, _timeoutMs: number, done: ExchangeDone): void {
    if (this.#closed) {
      done(closedError(), undefined);
      return;
    }
    const invalid = invalidRequestLineOf(request.method, request.path);
    if (invalid !== undefined) {
      done(invalid, undefined);
      return;
    }
    let entry: OriginEntry;
    try {
      entry = this.#origin(request.origin);
    } catch (error) {
      done(error as Error, undefined); // an origin that is not a URL
      return;
    }
    const wire: WireRequest = {
      wire: compileWire(request, entry.host, this.#settings.keepAlive),
      noBody: request.method === 'HEAD',
      replayable: IDEMPOTENT_METHODS.has(request.method),
    };
    this.#done = done;
    this.#keepBodyBytes = keepBodyBytes > 0 ? keepBodyBytes : 0;
    this.#forget();
    this.#startHop();
    this.#current = entry.connection;
    entry.connection.send(wire, this, this);
  }

  abort(): number {
    const connection = this.#current;
    this.#current = undefined;
    if (this.#done === undefined) return 0;
    this.#done = undefined;
    this.#forget();
    return connection?.abort() ?? 0;
  }

  close(): Promise<void> {
    this.#closed = true;
    const done = this.#done;
    this.#done = undefined;
    this.#current = undefined;
    this.#forget();
    for (const entry of this.#origins.values()) entry.connection.close();
    this.#origins.clear();
    done?.(closedError(), undefined);
    return Promise.resolve();
  }

  async preconnect(originName: string, signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || signal?.aborted === true) return false;
    let entry: OriginEntry;
    try {
      entry = this.#origin(originName);
    } catch {
      return false;
    }
    const connection = entry.connection;
    const onAbort = (): void => connection.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await connection.preconnect();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** @internal ResponseSink: a piece of the head, decoded at once (the read buffer is shared). */
  head(buf: Uint8Array, start: number, end: number): void {
    if (end > start) this.#head += latin1Of(buf, start, end);
  }

  /** @internal ResponseSink: a piece of the content, copied up to `keepBodyBytes`. */
  content(buf: Uint8Array, start: number, end: number): void {
    const room = this.#keepBodyBytes - this.#keptBytes;
    if (room <= 0 || end <= start) return;
    const length = Math.min(end - start, room);
    this.#body.push(copyOf(buf, start, length));
    this.#keptBytes += length;
  }

  /** @internal ConnectionReply: the response is complete. */
  responseEnded(scanner: ResponseScanner, bytesOut: number): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    this.#current = undefined;
    const result: ExchangeResult = {
      status: scanner.status,
      headers: headersOf(this.#head),
      body: this.#keepBodyBytes === 0 ? undefined : joined(this.#body),
      bodyBytes: scanner.contentBytes,
      bytesIn: scanner.headerBytes + scanner.bodyBytes,
      bytesOut,
      protocol: 'http/1.1',
    };
    this.#forget();
    done(undefined, result);
  }

  /** @internal ConnectionReply: no response (refused, reset, closed, malformed). */
  responseFailed(error: unknown, _bytesIn: number, _bytesOut: number): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    this.#current = undefined;
    this.#forget();
    done(error as Error, undefined);
  }

  /**
   * A hop after the first of one request (a redirect: a response was read since the caller cleared the
   * timings) starts its own waiting now; the first hop's starts at the caller's send, so costs no clock read.
   */
  #startHop(): void {
    const timings = this.timings;
    if (timings[FIRST_BYTE_AT] !== 0) {
      timings[WRITTEN_AT] = now();
      timings[FIRST_BYTE_AT] = 0;
    }
  }

  #forget(): void {
    this.#head = '';
    this.#body.length = 0;
    this.#keptBytes = 0;
  }

  #origin(originName: string): OriginEntry {
    const existing = this.#origins.get(originName);
    if (existing !== undefined) return existing;
    const url = new URL(originName);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidRequest(`unsupported protocol ${url.protocol}`);
    const entry: OriginEntry = {
      connection: new OriginConnection(originOf(originName, this.#settings.tls), this.#settings, this.timings),
      host: url.host,
    };
    this.#origins.set(originName, entry);
    return entry;
  }
}

/** RFC 9110 §5.6.2 token: what a method is made of. */
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** As undici refuses: a space, a control character or anything beyond Latin-1 in the path. */
const INVALID_PATH_CHARACTER = /[^\x21-\xff]/;

/** Why a request line can't be written as it is (a hook may set method and URL), or undefined. */
function invalidRequestLineOf(method: string, path: string): Error | undefined {
  if (!METHOD_TOKEN.test(method)) return invalidRequest(`invalid method ${JSON.stringify(method.slice(0, 40))}: request not sent`);
  if (path.charCodeAt(0) !== SLASH || INVALID_PATH_CHARACTER.test(path)) return invalidRequest('invalid request path: request not sent');
  return undefined;
}

const SLASH = 47;

function invalidRequest(message: string): Error {
  return requestError('LS_INVALID_REQUEST', message);
}

function closedError(): Error {
  return requestError('LS_ABANDONED', 'the session was closed');
}

/** `buf[start..end)` as Latin-1 text. */
function latin1Of(buf: Uint8Array, start: number, end: number): string {
  return (Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)).toString('latin1', start, end);
}

/** A copy of `length` bytes of `buf` from `start` (measured: a third of Buffer.copyBytesFrom's cost). */
function copyOf(buf: Uint8Array, start: number, length: number): Buffer {
  const copy = Buffer.allocUnsafe(length);
  if (Buffer.isBuffer(buf)) buf.copy(copy, 0, start, start + length);
  else copy.set(buf.subarray(start, start + length));
  return copy;
}

/** One Buffer of the pieces: the piece itself when there is one. */
function joined(pieces: readonly Buffer[]): Buffer {
  if (pieces.length === 1) return pieces[0] as Buffer;
  return pieces.length === 0 ? EMPTY : Buffer.concat(pieces);
}

const EMPTY = Buffer.alloc(0);

/**
 * The final response's headers from the head's text (status lines and header sections, Latin-1; an interim
 * response's headers are not the final one's): names lower-case, values without leading spaces and tabs, a
 * repeated header an array, as undici gives them. The scanner has already refused a malformed head.
 */
function headersOf(text: string): Record<string, string | string[]> {
  let headers: Record<string, string | string[]> = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\r\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      if (text.startsWith('HTTP/', start)) {
        headers = {};
      } else {
        const colon = text.indexOf(':', start);
        addHeader(headers, text.slice(start, colon).toLowerCase(), trimmed(text, colon + 1, end));
      }
    }
    start = end + 2;
  }
  return headers;
}

function addHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const existing = headers[name];
  if (existing === undefined) headers[name] = value;
  else if (typeof existing === 'string') headers[name] = [existing, value];
  else existing.push(value);
}

/** `text[start..end)` without leading spaces and tabs; trailing ones are kept, as llhttp (undici) keeps them. */
function trimmed(text: string, start: number, end: number): string {
  let from = start;
  while (from < end && isOws(text.charCodeAt(from))) from++;
  return text.slice(from, end);
}

function isOws(code: number): boolean {
  return code === 32 || code === 9;
}
