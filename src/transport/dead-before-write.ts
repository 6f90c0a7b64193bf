/**
 * The error says the request never reached the server: the write itself found the connection already reset
 * or shut (EPIPE, or ECONNRESET from the `write` call), or the socket had ended before the write. The one
 * case where re-sending a request (an idempotent one, on a reused connection, nothing read) is safe: a close
 * or reset after the write may follow the server reading the request. Used by both
 * HTTP/1.1 transports (socket-http-target.ts, http-exchange.ts).
 */
export function isDeadBeforeWrite(error: unknown): boolean {
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (code === 'ERR_STREAM_WRITE_AFTER_END' || code === 'ERR_STREAM_DESTROYED') return true;
  return syscall === 'write' && (code === 'EPIPE' || code === 'ECONNRESET');
}
