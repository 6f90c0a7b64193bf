import { isIP, connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ignore } from '../ignore.js';
import { FIRST_BYTE_AT, NOT_MEASURED, TimingIndex, WRITTEN_AT } from '../metrics/request-timings.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import { now, toMicros } from '../time/clock.js';
import { isDeadBeforeWrite } from './dead-before-write.js';
import { requestError } from './request-errors.js';
import { protocolError, ResponseScanner } from './response-scanner.js';
import type { ResponseSink } from './response-scanner.js';
import { tlsConnectOptionsOf } from './tls-settings.js';
import type { TlsConnectOptions, TlsSettings } from './tls-settings.js';

/** A request ready for the wire: what a connection needs to send it, and to send it again. */
export interface WireRequest {
  /** Request line, headers and body: sent with one write. */
  readonly wire: Buffer;
  /** HEAD: the response has no body whatever its headers say. */
  readonly noBody: boolean;
  /** An idempotent method: may be sent again, once, when a reused connection turns out to be closed. */
  readonly replayable: boolean;
}

/** Where a connection reports the outcome of the request in flight: once, unless it is aborted. */
export interface ConnectionReply {
  /** The response is complete: `scanner` holds its status and byte counts until the connection's next send. */
  responseEnded(scanner: ResponseScanner, bytesOut: number): void;
  /** No response: refused, reset, closed, malformed, timed out while connecting. */
  responseFailed(error: unknown, bytesIn: number, bytesOut: number): void;
}

/** One origin as a connection reaches it. */
export interface Origin {
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
export interface ConnectionSettings {
  /** false: the connection is dropped after each response (`http.keep_alive: false`). */
  readonly keepAlive: boolean;
  readonly connectTimeoutMs: number;
  readonly maxHeaderBytes: number;
  /**
   * Where every plain-TCP socket of the target reads to. One is enough: each read is scanned to the end in
   * its callback, before any other read can happen.
   */
  readonly readBuffer: Buffer;
}

/** Plain TCP sockets read into one buffer per target (Node's `onread`): responses are scanned, never kept. */
export const READ_BUFFER_BYTES = 64 * 1024;

/**
 * One session's connection to one origin: at most one socket at a time, at most one request in flight.
 * The listeners (and the `onread` callback) are bound once per OriginConnection and given to each socket it
 * opens; a socket given up has its listeners removed (and a no-op 'error' listener added) before it is
 * destroyed, so nothing from an old socket can reach the request of a new one (a destroyed socket reads no
 * more, so its `onread` callback is never called again).
 */
export class OriginConnection {
  readonly #origin: Origin;
  readonly #shared: ConnectionSettings;
  readonly #scanner: ResponseScanner;
  readonly #connectEvent: 'connect' | 'secureConnect';
  #socket: Socket | undefined = undefined;
  /** The socket is connected (TLS: handshake done): what is written to it is sent. */
  #connected = false;
  /** The request in flight reports here; undefined when idle. */
  #reply: ConnectionReply | undefined = undefined;
  #request: WireRequest = NO_REQUEST;
  /** Where the scanner hands the response's head and content (a flow's exchange); undefined: counted only. */
  #sink: ResponseSink | undefined = undefined;
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

  constructor(origin: Origin, shared: ConnectionSettings, timings: RequestTimings) {
    this.#origin = origin;
    this.#shared = shared;
    this.#timings = timings;
    this.#scanner = new ResponseScanner(shared.maxHeaderBytes);
    this.#connectEvent = origin.tls ? 'secureConnect' : 'connect';
  }

  /** Sends `request` (on the open socket, or on a new one) and reports its outcome to `reply` once, unless aborted. */
  send(request: WireRequest, reply: ConnectionReply, sink?: ResponseSink): void {
    this.#reply = reply;
    this.#request = request;
    this.#sink = sink;
    this.#bytesIn = 0;
    this.#retried = false;
    this.#scanner.begin(request.noBody, sink);
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
    this.#sink = undefined;
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
    this.#sink = undefined;
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

  #succeed(reply: ConnectionReply): void {
    this.#reply = undefined;
    this.#sink = undefined;
    reply.responseEnded(this.#scanner, this.#bytesOut);
  }

  #fail(error: unknown): void {
    const reply = this.#reply;
    this.#reply = undefined;
    const bytesIn = this.#bytesIn;
    const bytesOut = this.#bytesOut;
    this.#sink = undefined;
    this.#drop();
    reply?.responseFailed(error, bytesIn, bytesOut);
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
    this.#scanner.begin(this.#request.noBody, this.#sink);
    const socket = this.#open();
    this.#pendingBytes = this.#request.wire.length; // #bytesOut keeps the first attempt's
    socket.write(this.#request.wire);
  }
}

const NO_REQUEST: WireRequest = { wire: Buffer.alloc(0), noBody: false, replayable: false };

export function originOf(origin: string, tlsSettings: TlsSettings | undefined): Origin {
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

function connectionClosedError(): Error {
  return requestError('LS_CONNECTION_CLOSED');
}

function connectTimeoutError(): Error {
  return requestError('LS_CONNECT_TIMEOUT');
}
