import { createRequestTimings } from '../metrics/request-timings.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import type { PlannedRequest } from '../plan/build-plan.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, FRAMING_HEADERS, IDEMPOTENT_METHODS } from './http-rules.js';
import { invalidHeaderOf } from './invalid-header.js';
import { OriginConnection, originOf, READ_BUFFER_BYTES } from './origin-connection.js';
import type { ConnectionReply, ConnectionSettings, Origin, WireRequest } from './origin-connection.js';
import { DEFAULT_MAX_HEADER_BYTES } from './response-scanner.js';
import type { ResponseScanner } from './response-scanner.js';
import type { StepReply, StepSession, StepTarget } from './step-target.js';
import { STATUS_COLUMNS, successTableOf } from './success-table.js';
import type { TlsSettings } from './tls-settings.js';

export interface SocketHttpTargetOptions {
  /** false: every request asks for its connection to be closed (`http.keep_alive: false`). Default true. */
  readonly keepAlive?: boolean;
  /** Backstop for opening a connection (TCP, and TLS where it applies); loadseed's deadline usually fires first. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Status line and headers of a response beyond this are a protocol error. Default 64 KiB. */
  readonly maxHeaderBytes?: number;
  /** Certificates and verification for https: origins (`http.tls`). Default: verify against Node's roots. */
  readonly tls?: TlsSettings;
}

/** A request compiled once: everything `send` needs, the bytes to write included. */
interface CompiledRequest extends WireRequest {
  readonly originIndex: number;
  /** Offset of this request's row in the success table. */
  readonly successRow: number;
  /** Set when the request cannot be sent (a header that can't go on the wire): every send fails with it. */
  readonly invalid: Error | undefined;
}

/** What every connection of a target shares, and the statuses each request expects. */
interface Shared extends ConnectionSettings {
  readonly successTable: Uint8Array;
}

/**
 * HTTP/1.1 (http: and https:) on raw sockets: each virtual user (session) has its own connection per origin,
 * opened lazily (or before t=0 by `prepare`), kept alive and reused, one request at a time. Requests are
 * compiled once into a single Buffer each, so a send is one `socket.write`; responses go through a
 * ResponseScanner that reads the status and the framing and counts bytes. Plain TCP sockets read with Node's
 * `onread` into one buffer shared by the whole target (no stream machinery, no Buffer per read; TLS sockets
 * use a 'data' listener). Nothing is allocated per request beyond what Node allocates for a write.
 *
 * Timings (metrics/request-timings.ts), on the engine's clock, into the session's `timings`: a connection's
 * DNS lookup ('lookup', host names only), TCP connect ('connect') and TLS handshake ('secureConnect') go with
 * the first request sent on it. For the waiting and the download it notes the moment of the first byte read
 * (and, on a connecting socket, of the connect, when Node flushes the request): the caller, which takes the
 * clock at the send and at the end anyway, finishes them (`finishRequestTimings`). One clock read per request.
 *
 * Connection life: a connection whose server closed it while idle (or that said `connection: close`, or is
 * HTTP/1.0 without keep-alive, or sent bytes nobody asked for) is dropped, and the next send opens a new one;
 * so is a kept-alive socket found no longer writable when a request is about to go out on it.
 *
 * Re-sending (see `isDeadBeforeWrite`): an idempotent request is sent once more, on a new connection, only if
 * it went out on a reused connection, nothing of a response was read, and the failure is the write itself
 * finding the connection dead (EPIPE or ECONNRESET raised by the write, a write after the socket ended): the
 * request then never reached the server. A connection closed (FIN) or reset after the request was written is
 * never a reason to send it again, since the server may have read it and chosen not to answer: it is
 * `connection_reset` (LS_CONNECTION_CLOSED or the socket's ECONNRESET), counted once, as the server counted
 * one request. A malformed response is `protocol` (LS_PROTOCOL), and connect failures keep their errno
 * (ECONNREFUSED, ENOTFOUND, TLS codes) or LS_CONNECT_TIMEOUT.
 */
export class SocketHttpTarget implements StepTarget {
  readonly #requests: readonly CompiledRequest[];
  readonly #origins: readonly Origin[];
  readonly #shared: Shared;
  readonly #sessions: SocketHttpSession[] = [];

  constructor(requests: readonly PlannedRequest[], options: SocketHttpTargetOptions = {}) {
    const keepAlive = options.keepAlive ?? true;
    this.#shared = {
      successTable: successTableOf(requests),
      keepAlive,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    };
    const originNames = [...new Set(requests.map((request) => request.origin))];
    this.#origins = originNames.map((origin) => originOf(origin, options.tls));
    this.#requests = requests.map((request, index) => {
      const hostHeader = new URL(request.origin).host;
      const invalid = invalidHeaderOf(request.headers);
      return {
        originIndex: originNames.indexOf(request.origin),
        wire: invalid === undefined ? compileWire(request, hostHeader, keepAlive) : Buffer.alloc(0),
        successRow: index * STATUS_COLUMNS,
        noBody: request.method === 'HEAD',
        replayable: IDEMPOTENT_METHODS.has(request.method),
        invalid,
      };
    });
  }

  createSession(_userIndex: number): SocketHttpSession {
    const session = new SocketHttpSession(this.#requests, this.#origins, this.#shared);
    this.#sessions.push(session);
    return session;
  }

  /**
   * Opens each session's connection to each origin before t=0 (TCP, and TLS where it applies) without
   * sending anything. Failures are ignored here: the run itself will count them. Resolves with the number
   * of connections opened. On `signal`'s abort every session is closed: its pending socket is destroyed and
   * its connect resolves as not opened, so prepare() resolves at once.
   */
  async prepare(sessions: readonly StepSession[], signal?: AbortSignal): Promise<number> {
    if (signal?.aborted === true) return 0;
    const mine = sessions.filter((session): session is SocketHttpSession => session instanceof SocketHttpSession);
    const onAbort = (): void => {
      for (const session of mine) session.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const opened = await Promise.all(mine.flatMap((session) => session.preconnect()));
      return opened.filter(Boolean).length;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): Promise<void> {
    for (const session of this.#sessions) session.close();
    return Promise.resolve();
  }
}

/**
 * One virtual user's side: a connection per origin, and which of them has the request in flight. It is its
 * connections' reply (one request at a time): a response's status is judged against the request's table.
 */
export class SocketHttpSession implements StepSession, ConnectionReply {
  /** The phases of the request in flight, written by its connection (one request at a time per session). */
  readonly timings: RequestTimings = createRequestTimings();
  readonly #requests: readonly CompiledRequest[];
  readonly #connections: readonly OriginConnection[];
  readonly #successTable: Uint8Array;
  #current: OriginConnection | undefined = undefined;
  #reply: StepReply | undefined = undefined;
  #successRow = 0;

  constructor(requests: readonly CompiledRequest[], origins: readonly Origin[], shared: Shared) {
    this.#requests = requests;
    this.#successTable = shared.successTable;
    this.#connections = origins.map((origin) => new OriginConnection(origin, shared, this.timings));
  }

  send(requestIndex: number, reply: StepReply): void {
    const request = this.#requests[requestIndex] as CompiledRequest;
    if (request.invalid !== undefined) {
      reply.stepFailed(request.invalid, 0, 0);
      return;
    }
    const connection = this.#connections[request.originIndex] as OriginConnection;
    this.#current = connection;
    this.#reply = reply;
    this.#successRow = request.successRow;
    connection.send(request, this);
  }

  abort(): number {
    const connection = this.#current;
    if (connection === undefined) return 0;
    this.#current = undefined;
    this.#reply = undefined;
    return connection.abort();
  }

  /** @internal ConnectionReply: the response of the request in flight. */
  responseEnded(scanner: ResponseScanner, bytesOut: number): void {
    const reply = this.#reply;
    if (reply === undefined) return;
    this.#reply = undefined;
    const status = scanner.status;
    const success = this.#successTable[this.#successRow + (status < STATUS_COLUMNS ? status : 0)] === 1;
    reply.stepEnded(status, success, scanner.headerBytes + scanner.bodyBytes, bytesOut);
  }

  /** @internal ConnectionReply: the request in flight got no response. */
  responseFailed(error: unknown, bytesIn: number, bytesOut: number): void {
    const reply = this.#reply;
    if (reply === undefined) return;
    this.#reply = undefined;
    reply.stepFailed(error, bytesIn, bytesOut);
  }

  preconnect(): Promise<boolean>[] {
    return this.#connections.map((connection) => connection.preconnect());
  }

  close(): void {
    for (const connection of this.#connections) connection.close();
  }
}

/** What of a request goes on the wire (a planned request, or a flow's rendered one). */
export interface WireFields {
  readonly method: string;
  readonly path: string;
  /** Flat `[name, value, …]`, names lower-case; framing headers are left out of the wire. */
  readonly headers: readonly string[];
  readonly body?: Buffer;
}

/** Methods whose requests carry content: without a body they still say `content-length: 0` (as undici does). */
const CONTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The request on the wire: request line, `host` (unless the plan sets its own), the planned headers,
 * `content-length` when there is a body (or the method carries one), `connection`, then the body.
 */
export function compileWire(request: WireFields, host: string, keepAlive: boolean): Buffer {
  let headers = '';
  let hasHost = false;
  for (let i = 0; i + 1 < request.headers.length; i += 2) {
    const name = request.headers[i] as string;
    if (FRAMING_HEADERS.has(name)) continue;
    if (name === 'host') hasHost = true;
    headers += `${name}: ${request.headers[i + 1] as string}\r\n`;
  }
  const body = request.body;
  let head = `${request.method} ${request.path} HTTP/1.1\r\n${hasHost ? '' : `host: ${host}\r\n`}${headers}`;
  if (body !== undefined || CONTENT_METHODS.has(request.method)) head += `content-length: ${body?.length ?? 0}\r\n`;
  head += keepAlive ? 'connection: keep-alive\r\n\r\n' : 'connection: close\r\n\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return body === undefined || body.length === 0 ? headBytes : Buffer.concat([headBytes, body]);
}
