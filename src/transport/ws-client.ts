import { WebSocket } from 'ws';
import { requestError } from './request-errors.js';
import { tlsConnectOptionsOf } from './tls-settings.js';
import type { TlsSettings } from './tls-settings.js';

/** What a WebSocket connection is opened with, once per runner. */
export interface WsClientOptions {
  readonly tls?: TlsSettings;
  /** The opening handshake (connect, TLS, the 101) must end within this. */
  readonly connectTimeoutMs: number;
}

/** The message `ws` gives its handshake timeout (it carries no code). */
const HANDSHAKE_TIMEOUT = 'Opening handshake has timed out';

/**
 * Opens a WebSocket client to `url` (ws:// or wss://) with the upgrade request's `headers`. TLS as the HTTP
 * transports do it (tls-settings.ts): the scenario's CA added to Node's roots, its client certificate,
 * verification on unless `insecure`, SNI from `serverName` or the host. No compression offered, no redirect
 * followed: one connection, what the test measures.
 */
export function openWebSocket(url: string, headers: Readonly<Record<string, string>>, options: WsClientOptions): WebSocket {
  const secure = url.startsWith('wss:');
  const tls = secure ? tlsConnectOptionsOf(options.tls, hostOf(url)) : {};
  return new WebSocket(url, {
    headers,
    handshakeTimeout: options.connectTimeoutMs,
    perMessageDeflate: false,
    followRedirects: false,
    ...tls,
  });
}

/**
 * An error `ws` emitted, as a failed step's error: system errors (refused, reset, DNS, TLS) keep their codes,
 * which classify-error.ts knows; the handshake timeout is `LS_CONNECT_TIMEOUT`; anything else `ws` raises (a bad
 * handshake reply, an invalid frame: `WS_ERR_*` or no code) is `LS_WS_PROTOCOL`.
 */
export function wsErrorOf(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && !code.startsWith('WS_ERR_')) return error;
  if (message === HANDSHAKE_TIMEOUT) return requestError('LS_CONNECT_TIMEOUT', 'WebSocket handshake timed out');
  return requestError('LS_WS_PROTOCOL', `WebSocket protocol error: ${message}`);
}

/** The host of a URL as TLS wants it: an IPv6 address without its brackets. */
function hostOf(url: string): string {
  const hostname = new URL(url).hostname;
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}
