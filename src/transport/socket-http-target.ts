import { isIP, connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ignore } from '../ignore.js';
import { createRequestTimings, FIRST_BYTE_AT, NOT_MEASURED, TimingIndex, WRITTEN_AT } from '../metrics/request-timings.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import { now, toMicros } from '../time/clock.js';
import type { PlannedRequest } from '../plan/build-plan.js';
import { isDeadBeforeWrite } from './dead-before-write.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, FRAMING_HEADERS, IDEMPOTENT_METHODS } from './http-rules.js';
import { invalidHeaderOf } from './invalid-header.js';
import { requestError } from './request-errors.js';
import { DEFAULT_MAX_HEADER_BYTES, protocolError, ResponseScanner } from './response-scanner.js';
import type { StepReply, StepSession, StepTarget } from './step-target.js';
import { STATUS_COLUMNS, successTableOf } from './success-table.js';
import { tlsConnectOptionsOf } from './tls-settings.js';
import type { TlsConnectOptions, TlsSettings } from './tls-settings.js';

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

/** Plain TCP sockets read into one buffer per target (Node's `onread`): responses are scanned, never kept. */
const READ_BUFFER_BYTES = 64 * 1024;

/** A request compiled once: everything `send` needs, the bytes to write included. */
interface CompiledRequest {
  readonly originIndex: number;
  /** Request line, headers and body: sent with one write. */
  readonly wire: Buffer;
  /** Offset of this request's row in the success table. */
  readonly successRow: number;
  /** HEAD: the response has no body whatever its headers say. */
  readonly noBody: boolean;
  /** An idempotent method: may be sent again, once, when a reused connection turns out to be closed. */
  readonly replayable: boolean;
  /** Set when the request cannot be sent (a header that can't go on the wire): every send fails with it. */
  readonly invalid: Error | undefined;
}

interface Origin {
  /** What to connect to: a name or an address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** The host is a name, looked up on every connect (not an IP address): the connection has a DNS phase. */
  readonly lookup: boolean;
  /** https: what every `tls.connect` to this origin adds to host and port (verification, SNI, certificates). */
  readonly tlsOptions: TlsConnectOptions | undefined;
}

/** What every connection of a target shares. */
interface Shared {
  readonly successTable: Uint8Array;
  readonly keepAlive: boolean;
  readonly connectTimeoutMs: number;
  readonly maxHeaderBytes: number;
  /**
   * Where every plain-TCP socket of the target reads to. One is enough: each read is scanned to the end in
   * its callback, before any other read can happen.
   */
  readonly readBuffer: Buffer;
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

/** One virtual user's side: a connection per origin, and which of them has the request in flight. */
export class SocketHttpSession implements StepSession {
  /** The phases of the request in flight, written by its connection (one request at a time per session). */
  readonly timings: RequestTimings = createRequestTimings();
  readonly #requests: readonly CompiledRequest[];
  readonly #connections: readonly OriginConnection[];
  #current: OriginConnection | undefined = undefined;

  constructor(requests: readonly CompiledRequest[], origins: readonly Origin[], shared: Shared) {
    this.#requests = requests;
    this.#connections = origins.map((origin) => new OriginConnection(origin, shared, this.timings));
  }

  send(requestIndex: number, reply: StepReply): void {
    const request = this.#requests[requestIndex] as CompiledRequest;
    const connection = this.#connections[request.originIndex] as OriginConnection;
    this.#current = connection;
    connection.send(request, reply);
  }

  abort(): number {
    const connection = this.#current;
    if (connection === undefined) return 0;
    this.#current = undefined;
    return connection.abort();
  }

  preconnect(): Promise<boolean>[] {
    return this.#connections.map((connection) => connection.preconnect());
  }

  close(): void {
    for (const connection of this.#connections) connection.close();
  }
}

/**
 * One session's connection to one origin: at most one socket at a time, at most one request in flight.
 * The listeners (and the `onread` callback) are bound once per OriginConnection and given to each socket it
 * opens; a socket given up has its listeners removed (and a no-op 'error' listener added) before it is
 * destroyed, so nothing from an old socket can reach the request of a new one (a destroyed socket reads no
 * more, so its `onread` callback is never called again).
 */
class OriginConnection {
  readonly #origin: Origin;
  readonly #shared: Shared;
  readonly #scanner: ResponseScanner;
  readonly #connectEvent: 'connect' | 'secureConnect';
  #socket: Socket | undefined = undefined;
  /** The socket is connected (TLS: handshake done): what is written to it is sent. */
  #connected = false;
  /** The request in flight reports here; undefined when idle. */
  #reply: StepReply | undefined = undefined;
  #request: CompiledRequest = NO_REQUEST;
  /** Bytes of the request in flight written to connected sockets. */
  #bytesOut = 0;
  /** Bytes written while the socket was still connecting: sent once it connects. */
  #pendingBytes = 0;
  /** Bytes received for the request in flight. */
  #bytesIn = 0;
  /** The request in flight went out on a socket that was open before it (kept alive or pre-connected). */
  #reusedSocket = false;
  #retried = false;
  /** prepare() waits on this. */
  #ready: ((opened: boolean) => void) | undefined = undefined;
  /** The session's timings, which the request in flight's phases go to (see request-timings.ts). */
  readonly #timings: RequestTimings;
  /** When the socket was opened, its name looked up (0: not yet, or no lookup), its TCP connected (TLS only). */
  #openedAt = 0;
  #lookedUpAt = 0;
  #tcpConnectedAt = 0;
  /** The socket's connection phases (µs), measured and not yet given to a request: its first request takes them. */
  #fresh = false;
  #dnsUs = NOT_MEASURED;
  #connectUs = NOT_MEASURED;
  #tlsUs = NOT_MEASURED;

  constructor(origin: Origin, shared: Shared, timings: RequestTimings) {
    this.#origin = origin;
    this.#shared = shared;
    this.#timings = timings;
    this.#scanner = new ResponseScanner(shared.maxHeaderBytes);
    this.#connectEvent = origin.tls ? 'secureConnect' : 'connect';
  }

  send(request: CompiledRequest, reply: StepReply): void {
    if (request.invalid !== undefined) {
      reply.stepFailed(request.invalid, 0, 0);
      return;
    }
    this.#reply = reply;
    this.#request = request;
    this.#bytesIn = 0;
    this.#retried = false;
    this.#scanner.begin(request.noBody);
    let socket = this.#socket;
    if (socket !== undefined && !socket.writable) {
      this.#drop(); // found closed before anything was written on it: not reused
      socket = undefined;
    }
    this.#reusedSocket = socket !== undefined;
    if (socket === undefined) socket = this.#open();
    const bytes = request.wire.length;
    if (this.#connected) {
      this.#bytesOut = bytes;
      this.#pendingBytes = 0;
      if (this.#fresh) this.#takeConnectionPhases(); // pre-connected: its first request
    } else {
      this.#bytesOut = 0;
      this.#pendingBytes = bytes;
    }
    socket.write(request.wire);
  }

  /** Gives up the request in flight (its outcome is never reported) and the socket it was on. */
  abort(): number {
    if (this.#reply === undefined) return 0;
    this.#reply = undefined;
    const bytesOut = this.#bytesOut;
    this.#drop();
    return bytesOut;
  }

  preconnect(): Promise<boolean> {
    if (this.#socket !== undefined) return Promise.resolve(this.#connected);
    return new Promise((resolve) => {
      this.#ready = resolve;
      this.#open();
    });
  }

  close(): void {
    this.#reply = undefined;
    this.#drop();
  }

  #open(): Socket {
    const origin = this.#origin;
    let socket: Socket;
    this.#openedAt = now();
    this.#lookedUpAt = 0;
    this.#tcpConnectedAt = 0;
    this.#fresh = false;
    if (origin.tls) {
      socket = tlsConnect({ ...origin.tlsOptions, host: origin.host, port: origin.port, ALPNProtocols: ['http/1.1'] });
      socket.on('data', this.#onData);
      socket.on('connect', this.#onTcpConnect);
    } else {
      socket = netConnect({ host: origin.host, port: origin.port, onread: { buffer: this.#shared.readBuffer, callback: this.#onRead } });
    }
    if (origin.lookup) socket.on('lookup', this.#onLookup);
    socket.setNoDelay(true);
    socket.setTimeout(this.#shared.connectTimeoutMs);
    socket.on(this.#connectEvent, this.#onConnect);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.on('timeout', this.#onTimeout);
    this.#socket = socket;
    this.#connected = false;
    return socket;
  }

  /** Gives up the socket, if any: no event of it reaches this connection again. */
  #drop(): void {
    const socket = this.#socket;
    if (socket !== undefined) {
      this.#socket = undefined;
      this.#connected = false;
      socket.removeListener(this.#connectEvent, this.#onConnect);
      if (this.#origin.tls) {
        socket.removeListener('data', this.#onData);
        socket.removeListener('connect', this.#onTcpConnect);
      }
      if (this.#origin.lookup) socket.removeListener('lookup', this.#onLookup);
      socket.removeListener('end', this.#onEnd);
      socket.removeListener('error', this.#onError);
      socket.removeListener('close', this.#onClose);
      socket.removeListener('timeout', this.#onTimeout);
      socket.on('error', ignore);
      socket.destroy();
    }
    const ready = this.#ready;
    if (ready !== undefined) {
      this.#ready = undefined;
      ready(false);
    }
  }

  /** The name was looked up (with several addresses, Node reports each: the first counts). */
  readonly #onLookup = (): void => {
    if (this.#lookedUpAt === 0) this.#lookedUpAt = now();
  };

  /** TLS: the TCP connection is up; the handshake starts. */
  readonly #onTcpConnect = (): void => {
    this.#tcpConnectedAt = now();
  };

  readonly #onConnect = (): void => {
    const connectedAt = now();
    const lookedUpAt = this.#lookedUpAt;
    const tcpConnectedAt = this.#origin.tls && this.#tcpConnectedAt > 0 ? this.#tcpConnectedAt : connectedAt;
    this.#dnsUs = lookedUpAt > 0 ? toMicros(lookedUpAt - this.#openedAt) : NOT_MEASURED;
    this.#connectUs = toMicros(tcpConnectedAt - (lookedUpAt > 0 ? lookedUpAt : this.#openedAt));
    this.#tlsUs = this.#origin.tls ? toMicros(connectedAt - tcpConnectedAt) : NOT_MEASURED;
    this.#fresh = true;
    if (this.#reply !== undefined) {
      // The request written while connecting goes out now.
      this.#takeConnectionPhases();
      this.#timings[WRITTEN_AT] = connectedAt;
    }
    this.#connected = true;
    this.#socket?.setTimeout(0);
    this.#bytesOut += this.#pendingBytes;
    this.#pendingBytes = 0;
    const ready = this.#ready;
    if (ready !== undefined) {
      this.#ready = undefined;
      ready(true);
    }
  };

  /** Plain TCP: `bytes` bytes were read into `buffer` (the target's shared read buffer). */
  readonly #onRead = (bytes: number, buffer: Uint8Array): boolean => {
    this.#received(buffer, bytes);
    return true;
  };

  /** TLS: a chunk of decrypted data. */
  readonly #onData = (chunk: Buffer): void => {
    this.#received(chunk, chunk.length);
  };

  #received(buffer: Uint8Array, bytes: number): void {
    const reply = this.#reply;
    if (reply === undefined) {
      this.#drop(); // bytes nobody asked for: this connection can't be trusted with the next request
      return;
    }
    if (this.#bytesIn === 0) this.#timings[FIRST_BYTE_AT] = now();
    this.#bytesIn += bytes;
    const scanner = this.#scanner;
    const end = scanner.feed(buffer, 0, bytes);
    if (end < 0) {
      this.#fail(protocolError(scanner.errorReason));
      return;
    }
    if (!scanner.complete) return;
    // Anything after the response was not asked for: the connection is not reused then either.
    if (!scanner.keepAlive || !this.#shared.keepAlive || end !== bytes) this.#drop();
    this.#succeed(reply);
  }

  readonly #onEnd = (): void => {
    const reply = this.#reply;
    if (reply === undefined) {
      this.#drop(); // the server closed an idle connection: the next send opens a new one
      return;
    }
    if (this.#scanner.end()) {
      this.#drop(); // a body delimited by the close
      this.#succeed(reply);
    } else {
      this.#fail(connectionClosedError()); // the server may have read the request: never sent again
    }
  };

  readonly #onError = (error: Error): void => {
    if (this.#reply === undefined) {
      this.#drop();
      return;
    }
    if (this.#mayRetry() && isDeadBeforeWrite(error)) this.#retry();
    else this.#fail(error);
  };

  readonly #onClose = (): void => {
    // Reached only if neither 'end' nor 'error' came first.
    this.#onEnd();
  };

  readonly #onTimeout = (): void => {
    // Armed only while connecting.
    this.#onError(connectTimeoutError());
  };

  #succeed(reply: StepReply): void {
    const scanner = this.#scanner;
    const status = scanner.status;
    const success = this.#shared.successTable[this.#request.successRow + (status < STATUS_COLUMNS ? status : 0)] === 1;
    this.#reply = undefined;
    reply.stepEnded(status, success, scanner.headerBytes + scanner.bodyBytes, this.#bytesOut);
  }

  #fail(error: unknown): void {
    const reply = this.#reply;
    this.#reply = undefined;
    const bytesIn = this.#bytesIn;
    const bytesOut = this.#bytesOut;
    this.#drop();
    reply?.stepFailed(error, bytesIn, bytesOut);
  }

  /** The connection's phases go with the request in flight: once per connection. */
  #takeConnectionPhases(): void {
    const timings = this.#timings;
    timings[TimingIndex.dns] = this.#dnsUs;
    timings[TimingIndex.connect] = this.#connectUs;
    timings[TimingIndex.tls] = this.#tlsUs;
    this.#fresh = false;
  }

  /** Nothing came back on a socket that was open before the request, which may be sent again (see isDeadBeforeWrite). */
  #mayRetry(): boolean {
    return this.#reusedSocket && !this.#retried && this.#bytesIn === 0 && this.#request.replayable;
  }

  #retry(): void {
    this.#drop();
    this.#retried = true;
    this.#reusedSocket = false;
    this.#scanner.begin(this.#request.noBody);
    const socket = this.#open();
    this.#pendingBytes = this.#request.wire.length; // #bytesOut keeps the first attempt's
    socket.write(this.#request.wire);
  }
}

const NO_REQUEST: CompiledRequest = {
  originIndex: 0,
  wire: Buffer.alloc(0),
  successRow: 0,
  noBody: false,
  replayable: false,
  invalid: undefined,
};

/** Methods whose requests carry content: without a body they still say `content-length: 0` (as undici does). */
const CONTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

function originOf(origin: string, tlsSettings: TlsSettings | undefined): Origin {
  const url = new URL(origin);
  const tls = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    host,
    port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
    tls,
    lookup: isIP(host) === 0,
    tlsOptions: tls ? tlsConnectOptionsOf(tlsSettings, host) : undefined,
  };
}

/**
 * The request on the wire: request line, `host` (unless the plan sets its own), the planned headers,
 * `content-length` when there is a body (or the method carries one), `connection`, then the body.
 */
export function compileWire(request: PlannedRequest, host: string, keepAlive: boolean): Buffer {
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

function connectionClosedError(): Error {
  return requestError('LS_CONNECTION_CLOSED');
}

function connectTimeoutError(): Error {
  return requestError('LS_CONNECT_TIMEOUT');
}
