import type { RequestTimings } from '../metrics/request-timings.js';
import type { TlsSettings } from './tls-settings.js';

/** One request of a dynamic exchange, fully resolved (templates rendered, cookies and auth added). */
export interface OutgoingRequest {
  readonly method: string;
  /** `scheme://host[:port]`, as `URL.origin` gives it. */
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
  /**
   * Flat `[name, value, name, value…]`, names lower-case. Framing headers (`content-length`,
   * `transfer-encoding`, `connection`, `keep-alive`) are the transport's and are left out, as on the static path.
   */
  readonly headers: readonly string[];
  readonly body?: Buffer;
}

/** Which protocol carried the exchange, by ALPN: `h2` only with `http2: true` and a server that chose it. */
export type ExchangeProtocol = 'http/1.1' | 'h2';

export interface ExchangeResult {
  readonly status: number;
  /** Lower-case names; a repeated header (set-cookie) is an array. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The first `keepBodyBytes` bytes of the body (possibly empty); undefined when `keepBodyBytes` was 0. */
  readonly body: Buffer | undefined;
  /** The whole body's size, kept or not. */
  readonly bodyBytes: number;
  /** Approximate bytes received: status line, headers, body. */
  readonly bytesIn: number;
  /** Approximate bytes sent: request line, headers, body. */
  readonly bytesOut: number;
  readonly protocol: ExchangeProtocol;
}

export interface ExchangeOptions {
  /** false: every request asks for its connection to be closed (`http.keep_alive: false`; HTTP/1.1 only). */
  readonly keepAlive: boolean;
  /** Backstop for opening a connection (TCP and TLS). */
  readonly connectTimeoutMs: number;
  /** Certificates and verification for https: origins. Default: verify against Node's roots. */
  readonly tls?: TlsSettings;
  /** Offer HTTP/2 by ALPN on https: origins (`http.http2`); the server decides. */
  readonly http2: boolean;
}

/** Called once per exchange that was not aborted: an error (the client's, unchanged) or a result. */
export type ExchangeDone = (error: Error | undefined, result: ExchangeResult | undefined) => void;

/**
 * A flow's HTTP client: one session per virtual user. Two implement it: SocketExchangeTarget (HTTP/1.1 on
 * loadseed's raw sockets, socket-exchange.ts) and HttpExchangeTarget (undici, for HTTP/2: http-exchange.ts).
 */
export interface ExchangeTarget {
  createSession(): ExchangeSession;
  /** Closes every session's connections; exchanges still in flight fail (their callbacks are called). */
  close(): Promise<void>;
}

/**
 * One virtual user's HTTP: its own connection per origin, one exchange in flight at a time.
 *
 * `exchange` reports to `done` exactly once, possibly synchronously, unless `abort()` is called first: then
 * never. Bodies are counted; only the first `keepBodyBytes` are kept. `timeoutMs` is the request's deadline,
 * which the caller enforces (by `abort()`): a client may only back it up.
 */
export interface ExchangeSession {
  /** The phases of the exchange in flight (metrics/request-timings.ts). */
  readonly timings: RequestTimings;
  exchange(request: OutgoingRequest, keepBodyBytes: number, timeoutMs: number, done: ExchangeDone): void;
  /** Gives up the exchange in flight, if any: its callback is never called. Returns the bytes it sent (0 if none). */
  abort(): number;
  /** Closes the session's connections. An exchange in flight fails; later exchanges fail at once. */
  close(): Promise<void>;
  /**
   * Opens a connection to `originName` before t=0 (TCP, and TLS where it applies) without sending anything;
   * the session's first request there takes it. Resolves false on failure (the run itself will count it) and
   * at once when `signal` aborts.
   */
  preconnect(originName: string, signal?: AbortSignal): Promise<boolean>;
}
