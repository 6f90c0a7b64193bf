import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/transport/classify-error.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import type { ErrorCategory } from '../../../src/metrics/error-category.js';

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const named = (name: string, message = name): Error => Object.assign(new Error(message), { name });
const category = (error: unknown): ErrorCategory => ERROR_CATEGORIES[classifyError(error)];

describe('classifyError', () => {
  it.each([
    [withCode('ECONNREFUSED'), 'connection_refused'],
    [withCode('ECONNRESET'), 'connection_reset'],
    [withCode('EPIPE'), 'connection_reset'],
    [withCode('UND_ERR_SOCKET', 'other side closed'), 'connection_reset'],
    [new Error('other side closed'), 'connection_reset'],
    [withCode('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
    [withCode('UND_ERR_BODY_TIMEOUT'), 'timeout'],
    [withCode('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
    [withCode('ETIMEDOUT'), 'timeout'],
    [named('TimeoutError'), 'timeout'],
    [withCode('ENOTFOUND'), 'dns'],
    [withCode('EAI_AGAIN'), 'dns'],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [withCode('CERT_HAS_EXPIRED'), 'tls'],
    [withCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls'],
    [new Error('self-signed certificate in certificate chain'), 'tls'],
    [withCode('HPE_INVALID_CONSTANT'), 'protocol'],
    [named('HTTPParserError', 'Response does not match the HTTP/1.1 protocol'), 'protocol'],
    [withCode('UND_ERR_INVALID_RETURN_VALUE'), 'protocol'],
    [withCode('LS_PROTOCOL', 'malformed HTTP response: bad chunk size'), 'protocol'],
    [withCode('LS_CONNECTION_CLOSED', 'connection closed before the response ended'), 'connection_reset'],
    [withCode('LS_CONNECT_TIMEOUT', 'connect timed out'), 'timeout'],
    [withCode('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'protocol'],
    [withCode('UND_ERR_ABORTED'), 'aborted'],
    [named('AbortError'), 'aborted'],
    [Object.assign(new TypeError('fetch failed'), { cause: withCode('ECONNREFUSED') }), 'connection_refused'],
    [new Error('something else'), 'other'],
    ['a string', 'other'],
    [undefined, 'other'],
  ] as const)('%s → %s', (error, expected) => {
    expect(category(error)).toBe(expected);
  });
});
