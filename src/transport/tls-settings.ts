import { isIP } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';
import type { ConnectionOptions, SecureContext } from 'node:tls';

/**
 * A scenario's `http.tls`, read once (see scenario/load-tls-files.ts): PEM bytes, not paths. Shared by every
 * transport that opens TLS connections.
 */
export interface TlsSettings {
  /** Extra trusted CA certificates (PEM), in addition to Node's bundled roots. */
  readonly ca?: Buffer;
  /** Client certificate (PEM), sent when the server asks for one; always given together with `key`. */
  readonly cert?: Buffer;
  /** The client certificate's private key (PEM). */
  readonly key?: Buffer;
  /** Skip certificate verification (`http.tls.insecure`). */
  readonly insecure: boolean;
  /** SNI, and the name the server's certificate must match, when it differs from the URL's host. */
  readonly serverName?: string;
}

/** The part of `tls.connect`'s options that TLS settings decide; host, port and ALPN are the caller's. */
export type TlsConnectOptions = Pick<ConnectionOptions, 'rejectUnauthorized' | 'servername' | 'secureContext'>;

/** One secure context per settings object: building one parses every root certificate, so never per connection. */
const contexts = new WeakMap<TlsSettings, SecureContext>();

/**
 * What `tls.connect` needs for `host` (a name or an address, IPv6 without brackets) under `settings`:
 *
 * - verification is on unless `insecure` (left to Node's default, so `NODE_TLS_REJECT_UNAUTHORIZED=0` still
 *   turns it off, as for any Node program);
 * - `ca` is added to Node's bundled roots (`tls.rootCertificates`), so public CAs keep working;
 * - `cert` + `key` are offered as the client certificate;
 * - SNI (and the name checked against the certificate) is `serverName`, else `host` unless it is an IP
 *   address (SNI carries names only; an address is checked against the certificate's IP SANs).
 *   A `serverName` that is itself an address is not sent as SNI either.
 *
 * With `ca`, `cert` or `key` the options carry a `secureContext` built once per settings object; without any
 * of them Node's shared default context is used. Cheap enough to call per connection; caller-owned result.
 */
export function tlsConnectOptionsOf(settings: TlsSettings | undefined, host: string): TlsConnectOptions {
  const options: TlsConnectOptions = {};
  if (settings?.insecure === true) options.rejectUnauthorized = false;
  const servername = settings?.serverName ?? host;
  if (isIP(servername) === 0) options.servername = servername;
  if (settings !== undefined && (settings.ca !== undefined || settings.cert !== undefined || settings.key !== undefined)) {
    options.secureContext = secureContextOf(settings);
  }
  return options;
}

function secureContextOf(settings: TlsSettings): SecureContext {
  let context = contexts.get(settings);
  if (context === undefined) {
    const options: Parameters<typeof createSecureContext>[0] = {};
    if (settings.ca !== undefined) options.ca = [...rootCertificates, settings.ca];
    if (settings.cert !== undefined) options.cert = settings.cert;
    if (settings.key !== undefined) options.key = settings.key;
    context = createSecureContext(options);
    contexts.set(settings, context);
  }
  return context;
}
