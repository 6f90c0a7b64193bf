import { buildConnector, Pool } from 'undici';
import { tlsConnectOptionsOf } from './tls-settings.js';
import type { TlsSettings } from './tls-settings.js';

/** As the flow path's (http-exchange.ts). */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The connections a streamed step (`sse:`, `stream:`; flow/sse-step.ts) reads its responses on, to one origin,
 * for every user of a thread: an undici Pool over HTTP/1.1, pipelining 1 (a stream holds its connection to the
 * end), as many connections as streams at once, kept alive between streams that end normally. TLS as the flow
 * path's (transport/tls-settings.ts).
 */
export function createStreamPool(origin: string, tls: TlsSettings | undefined, connectTimeoutMs: number): Pool {
  const url = new URL(origin);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const tlsOptions = url.protocol === 'https:' ? tlsConnectOptionsOf(tls, hostname) : {};
  return new Pool(origin, {
    pipelining: 1,
    maxHeaderSize: MAX_HEADER_BYTES,
    // The step's idle timeout and deadline end a quiet stream; undici's own timers would only race them.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: buildConnector({ ...tlsOptions, timeout: connectTimeoutMs }),
  });
}
