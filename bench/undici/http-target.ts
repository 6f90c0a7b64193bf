import { buildConnector, Client } from 'undici';
import type { Dispatcher } from 'undici';
import type { PlannedRequest } from '../../src/plan/build-plan.js';
import { ResponseHandler } from './response-handler.js';
import type { HandlerOwner } from './response-handler.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../src/transport/http-rules.js';
import { PreconnectStash } from '../../src/transport/preconnect-stash.js';
import type { StepReply, StepSession, StepTarget } from '../../src/transport/step-target.js';
import { STATUS_COLUMNS, successTableOf } from '../../src/transport/success-table.js';
import { tlsConnectOptionsOf } from '../../src/transport/tls-settings.js';
import type { TlsSettings } from '../../src/transport/tls-settings.js';

export interface HttpTargetOptions {
  /** false: every request asks for its connection to be closed (`http.keep_alive: false`). Default true. */
  readonly keepAlive?: boolean;
  /** Backstop for opening a connection; loadseed's own deadline usually fires first. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Certificates and verification for https: origins (`http.tls`). Default: verify against Node's roots. */
  readonly tls?: TlsSettings;
}

/** undici's own timeouts are coarse (≈0.5–1 s ticks): they only back up loadseed's deadline. */
const UNDICI_BACKSTOP_MS = 1_000;

interface CompiledRequest {
  readonly originIndex: number;
  readonly options: Dispatcher.DispatchOptions;
  readonly successRow: number;
  readonly bytesOut: number;
}

interface Origin {
  readonly url: URL;
  readonly connect: buildConnector.connector;
  readonly connectOptions: buildConnector.Options;
  /** undici's header/body timeouts for this origin: the longest request deadline plus a margin. */
  readonly backstopMs: number;
}

/**
 * HTTP through undici at the dispatch level: each virtual user (session) has its own `Client` per origin,
 * i.e. its own keep-alive connection with pipelining 1, and dispatches with reused handlers. Requests are
 * compiled once: dispatch options, flat headers, body bytes, a status → success table.
 *
 * Measured with bench/transport-probe.mjs: Client-per-connection dispatch ≥ Pool dispatch > request(), and
 * Pool falls behind as connections grow (it scans its clients on every dispatch).
 */
export class HttpTarget implements StepTarget {
  readonly #requests: readonly CompiledRequest[];
  readonly #origins: readonly Origin[];
  readonly #successTable: Uint8Array;
  readonly #sessions: HttpSession[] = [];

  constructor(requests: readonly PlannedRequest[], options: HttpTargetOptions = {}) {
    const keepAlive = options.keepAlive ?? true;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const originNames = [...new Set(requests.map((request) => request.origin))];
    this.#origins = originNames.map((origin) => {
      const url = new URL(origin);
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const longestTimeoutMs = Math.max(...requests.filter((r) => r.origin === origin).map((r) => r.timeoutMs));
      const tlsOptions = url.protocol === 'https:' ? tlsConnectOptionsOf(options.tls, hostname) : {};
      return {
        url,
        connect: buildConnector({ ...tlsOptions, timeout: connectTimeoutMs, allowH2: false }),
        connectOptions: {
          hostname,
          host: url.host,
          protocol: url.protocol,
          port: url.port,
        },
        backstopMs: Math.min(longestTimeoutMs, 2_000_000_000) + UNDICI_BACKSTOP_MS,
      };
    });
    this.#successTable = successTableOf(requests);
    this.#requests = requests.map((request, index) => {
      const row = index * STATUS_COLUMNS;
      const originIndex = originNames.indexOf(request.origin);
      const backstopMs = (this.#origins[originIndex] as Origin).backstopMs;
      const options: Dispatcher.DispatchOptions = {
        method: request.method,
        path: request.path,
        headers: [...request.headers],
        body: request.body ?? null,
        reset: !keepAlive,
        headersTimeout: backstopMs,
        bodyTimeout: backstopMs,
      };
      return { originIndex, options, successRow: row, bytesOut: requestBytes(request, keepAlive) };
    });
  }

  createSession(_userIndex: number): HttpSession {
    const session = new HttpSession(this.#requests, this.#origins, this.#successTable);
    this.#sessions.push(session);
    return session;
  }

  /**
   * Opens one connection per session and origin before t=0 (TCP, and TLS where it applies) without sending
   * any request; each session's Client picks its socket up on first use. Failures are ignored here: the run
   * itself will count them. Resolves with the number of connections opened.
   */
  async prepare(sessions: readonly StepSession[], signal?: AbortSignal): Promise<number> {
    const opened = await Promise.all(
      sessions.flatMap((session) =>
        session instanceof HttpSession ? this.#origins.map((_, originIndex) => session.preconnect(originIndex, signal)) : [],
      ),
    );
    return opened.filter(Boolean).length;
  }

  async close(): Promise<void> {
    await Promise.all(this.#sessions.map((session) => session.close()));
  }
}

/** One virtual user's side of HTTP: a Client per origin (lazily), pre-opened sockets, a free list of handlers. */
export class HttpSession implements StepSession, HandlerOwner {
  readonly #requests: readonly CompiledRequest[];
  readonly #origins: readonly Origin[];
  readonly #successTable: Uint8Array;
  readonly #clients: (Client | undefined)[];
  readonly #stash: readonly PreconnectStash[];
  readonly #free: ResponseHandler[] = [];
  #current: ResponseHandler | undefined = undefined;

  constructor(requests: readonly CompiledRequest[], origins: readonly Origin[], successTable: Uint8Array) {
    this.#requests = requests;
    this.#origins = origins;
    this.#successTable = successTable;
    this.#clients = origins.map(() => undefined);
    this.#stash = origins.map(() => new PreconnectStash());
  }

  send(requestIndex: number, reply: StepReply): void {
    const request = this.#requests[requestIndex] as CompiledRequest;
    const handler = (this.#free.pop() ?? new ResponseHandler(this, this.#successTable)).arm(reply, request.successRow, request.bytesOut);
    this.#current = handler;
    this.#client(request.originIndex).dispatch(request.options, handler);
  }

  abort(): number {
    const handler = this.#current;
    if (handler === undefined) return 0;
    this.#current = undefined;
    const bytesOut = handler.sentBytes;
    handler.abandon();
    return bytesOut;
  }

  release(handler: ResponseHandler): void {
    if (this.#current === handler) this.#current = undefined;
    handler.reply = undefined;
    handler.controller = undefined;
    this.#free.push(handler);
  }

  /** Opens a socket to the origin and keeps it for this session's Client. Resolves false on failure. */
  preconnect(originIndex: number, signal?: AbortSignal): Promise<boolean> {
    const origin = this.#origins[originIndex] as Origin;
    return (this.#stash[originIndex] as PreconnectStash).fill(origin.connect, origin.connectOptions, signal);
  }

  async close(): Promise<void> {
    for (const stash of this.#stash) stash.drop();
    await Promise.all(this.#clients.flatMap((client) => (client === undefined ? [] : [client.destroy()])));
  }

  #client(originIndex: number): Client {
    const existing = this.#clients[originIndex];
    if (existing !== undefined) return existing;
    const origin = this.#origins[originIndex] as Origin;
    const client = new Client(origin.url.origin, {
      pipelining: 1,
      allowH2: false,
      headersTimeout: origin.backstopMs,
      bodyTimeout: origin.backstopMs,
      connect: (options, callback) => {
        const socket = (this.#stash[originIndex] as PreconnectStash).take();
        if (socket === undefined) origin.connect(options, callback);
        else process.nextTick(callback, null, socket);
      },
    });
    this.#clients[originIndex] = client;
    return client;
  }
}

/** Approximate request bytes on the wire: request line, host, headers, framing, body. */
function requestBytes(request: PlannedRequest, keepAlive: boolean): number {
  const bodyBytes = request.body?.length ?? 0;
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${new URL(request.origin).host}\r\n`;
  for (let i = 0; i + 1 < request.headers.length; i += 2) head += `${request.headers[i]}: ${request.headers[i + 1]}\r\n`;
  if (bodyBytes > 0) head += `content-length: ${bodyBytes}\r\n`;
  head += keepAlive ? 'connection: keep-alive\r\n\r\n' : 'connection: close\r\n\r\n';
  return Buffer.byteLength(head) + bodyBytes;
}
