import type { ErrorCategory } from '../metrics/error-category.js';

/**
 * Every `LS_*` code a failed request can carry, defined once with its category (in the style of undici's
 * lib/core/errors.js, as a table). classify-error.ts reads the categories from here, and a test checks that
 * every `LS_*` code written anywhere in src/ is either here or a LoadseedError's (src/errors.ts: bad input,
 * not a failed request).
 */
export const REQUEST_ERRORS = {
  /** The server closed the connection before the response ended (the socket transport). */
  LS_CONNECTION_CLOSED: { category: 'connection_reset', message: 'connection closed before the response ended (other side closed)' },
  /** Opening the connection took longer than its connect timeout (the socket transport). */
  LS_CONNECT_TIMEOUT: { category: 'timeout', message: 'connect timed out' },
  /** A malformed response: the reason is the scanner's (response-scanner.ts). */
  LS_PROTOCOL: { category: 'protocol', message: 'malformed response' },
  /**
   * A header value rendered from `{{ }}` with CR, LF, NUL or beyond Latin-1 (invalid-header.ts): refused
   * before anything was written, the target was never asked. No category of its own.
   */
  LS_INVALID_HEADER: { category: 'other', message: 'invalid header value' },
  /**
   * A method or path that can't be written in a request line (a hook may set them: a space, a control
   * character): refused before anything was written (the flow's socket client, socket-exchange.ts).
   */
  LS_INVALID_REQUEST: { category: 'other', message: 'invalid method or path' },
  /** A template variable with no value for this user (flow-target.ts): nothing was sent. */
  LS_MISSING_VARIABLE: { category: 'other', message: 'missing variable' },
  /** A code hook (`hooks:`, flow/hook-runner.ts) threw or rejected: the message is the hook's own. */
  LS_SCRIPT: { category: 'script', message: 'a code hook failed' },
  /** A `ws:` step's expect saw no matching message within its time (flow/ws-step.ts). */
  LS_WS_EXPECT_TIMEOUT: { category: 'timeout', message: 'no matching WebSocket message in time' },
  /**
   * The WebSocket session ended before its steps did: the server closed it (1000, 1001) or the connection
   * was lost without a close frame (1006).
   */
  LS_WS_CLOSED: { category: 'connection_reset', message: 'WebSocket closed before the session ended' },
  /** The server broke the WebSocket protocol: a bad handshake or frame, or a close with an error code (1002, 1011, 4xxx…). */
  LS_WS_PROTOCOL: { category: 'protocol', message: 'WebSocket protocol error' },
  /** A gRPC call's deadline (its step's timeout) passed before its status (transport/grpc-failure.ts). */
  LS_GRPC_DEADLINE: { category: 'timeout', message: 'gRPC deadline exceeded' },
  /** No connection to the gRPC server: grpc-js's UNAVAILABLE with its connect error (refused, unreachable). */
  LS_GRPC_REFUSED: { category: 'connection_refused', message: 'gRPC server not reachable' },
  /** The gRPC connection or stream was dropped or reset before the call's status. */
  LS_GRPC_RESET: { category: 'connection_reset', message: 'gRPC connection dropped before the status' },
  /** A gRPC step's message, once rendered, is not one its request type encodes: nothing was sent. */
  LS_GRPC_MESSAGE: { category: 'other', message: 'gRPC message cannot be encoded' },
  /** A streamed step (`sse:`, `stream:`) waited `idle_timeout` for the head or the next event (chunk) in vain: a stalled stream. */
  LS_STREAM_IDLE: { category: 'timeout', message: 'no event within the idle timeout (stalled stream)' },
  /** An `sse:` step's response, with an expected status, was not a text/event-stream. */
  LS_NOT_EVENT_STREAM: { category: 'protocol', message: 'the response is not a text/event-stream' },
  /**
   * loadseed stopped waiting for the exchange (the run or the user ended): never recorded, a handler that was
   * abandoned reports nowhere; `aborted` should it ever be classified.
   */
  LS_ABANDONED: { category: 'aborted', message: 'request abandoned by loadseed' },
} as const satisfies Record<`LS_${string}`, { readonly category: ErrorCategory; readonly message: string }>;

export type RequestErrorCode = keyof typeof REQUEST_ERRORS;

/** An Error with one of the codes above; `message` defaults to the code's own. */
export function requestError(
  code: RequestErrorCode,
  message: string = REQUEST_ERRORS[code].message,
): Error & { readonly code: RequestErrorCode } {
  return Object.assign(new Error(message), { code });
}

/** The one error an abandoned exchange is aborted with: frozen, shared, never reported. */
export const ABANDONED: Error = Object.freeze(requestError('LS_ABANDONED'));
