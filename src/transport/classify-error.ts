import { ErrorCategoryId } from '../metrics/error-category.js';
import { REQUEST_ERRORS } from './request-errors.js';

/**
 * Maps an error from undici, Node's sockets, loadseed's own HTTP transport or a target function to its
 * category. undici errors carry stable `UND_ERR_*` codes, sockets carry errno codes (`ECONNREFUSED`), TLS
 * errors `ERR_TLS_*` or OpenSSL codes, llhttp parse errors `HPE_*`, loadseed's own `LS_*` codes
 * (request-errors.ts). A cold path: it runs once per failed request.
 */
export function classifyError(error: unknown): ErrorCategoryId {
  const code = stringField(error, 'code');
  const name = stringField(error, 'name');
  const message = stringField(error, 'message') ?? '';
  if (code !== undefined) {
    // undici's SocketError also reports responses it won't take: an upgrade or a 100 Continue the request did
    // not ask for, a response to no request. The server broke the protocol; the connection was not reset.
    if (code === 'UND_ERR_SOCKET' && UNDICI_PROTOCOL_SOCKET_ERRORS.has(message)) return ErrorCategoryId.protocol;
    const byCode = CATEGORY_BY_CODE.get(code);
    if (byCode !== undefined) return byCode;
    if (code.startsWith('HPE_')) return ErrorCategoryId.protocol;
    if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || CERTIFICATE_CODE.test(code)) return ErrorCategoryId.tls;
  }
  if (code === 'UND_ERR_SOCKET' || /other side closed|socket hang up/i.test(message)) return ErrorCategoryId.connection_reset;
  // undici 7 raises llhttp failures as HTTPParserError, often without a code.
  if (name === 'HTTPParserError') return ErrorCategoryId.protocol;
  if (name === 'TimeoutError') return ErrorCategoryId.timeout;
  if (name === 'AbortError') return ErrorCategoryId.aborted;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== error) {
    // fetch() wraps the real failure: TypeError('fetch failed', { cause }).
    const fromCause = classifyError(cause);
    if (fromCause !== ErrorCategoryId.other) return fromCause;
  }
  if (/certificate|self[- ]signed|ssl|tls/i.test(message)) return ErrorCategoryId.tls;
  return ErrorCategoryId.other;
}

const CATEGORY_BY_CODE: ReadonlyMap<string, ErrorCategoryId> = new Map<string, ErrorCategoryId>([
  ['ECONNREFUSED', ErrorCategoryId.connection_refused],
  ['ECONNRESET', ErrorCategoryId.connection_reset],
  ['EPIPE', ErrorCategoryId.connection_reset],
  ['ECONNABORTED', ErrorCategoryId.connection_reset],
  ['UND_ERR_SOCKET', ErrorCategoryId.connection_reset],
  ['UND_ERR_CLOSED', ErrorCategoryId.connection_reset],
  ['ETIMEDOUT', ErrorCategoryId.timeout],
  ['UND_ERR_CONNECT_TIMEOUT', ErrorCategoryId.timeout],
  ['UND_ERR_HEADERS_TIMEOUT', ErrorCategoryId.timeout],
  ['UND_ERR_BODY_TIMEOUT', ErrorCategoryId.timeout],
  ['ABORT_ERR', ErrorCategoryId.aborted],
  ['UND_ERR_ABORTED', ErrorCategoryId.aborted],
  ['UND_ERR_ABORT', ErrorCategoryId.aborted],
  ['UND_ERR_DESTROYED', ErrorCategoryId.aborted],
  ['ENOTFOUND', ErrorCategoryId.dns],
  ['EAI_AGAIN', ErrorCategoryId.dns],
  ['EAI_FAIL', ErrorCategoryId.dns],
  ['EAI_NONAME', ErrorCategoryId.dns],
  ['EAI_NODATA', ErrorCategoryId.dns],
  ['UND_ERR_INVALID_RETURN_VALUE', ErrorCategoryId.protocol],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', ErrorCategoryId.protocol],
  ['UND_ERR_HEADERS_OVERFLOW', ErrorCategoryId.protocol],
  ['UND_ERR_RES_EXCEEDED_MAX_SIZE', ErrorCategoryId.protocol],
  ['UND_ERR_INFO', ErrorCategoryId.protocol],
  ['UND_ERR_NOT_SUPPORTED', ErrorCategoryId.protocol],
  ['UND_ERR_PRX_TLS', ErrorCategoryId.tls],
  ['UND_ERR_INVALID_ARG', ErrorCategoryId.other],
  ['EPROTO', ErrorCategoryId.tls],
  // loadseed's own codes, each with its category where it is defined (request-errors.ts).
  ...Object.entries(REQUEST_ERRORS).map(([code, { category }]) => [code, ErrorCategoryId[category]] as const),
]);

/** The messages of undici's SocketError (`UND_ERR_SOCKET`) for a response it refuses, rather than a closed connection. */
const UNDICI_PROTOCOL_SOCKET_ERRORS: ReadonlySet<string> = new Set(['bad response', 'bad upgrade']);

/** OpenSSL's verification failures, as Node reports them in `code`. */
const CERTIFICATE_CODE = /CERT|^DEPTH_ZERO_SELF_SIGNED|^SELF_SIGNED|^UNABLE_TO_(GET|VERIFY)|^HOSTNAME_MISMATCH/;

function stringField(value: unknown, key: 'code' | 'name' | 'message'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
