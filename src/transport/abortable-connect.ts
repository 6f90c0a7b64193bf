import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/**
 * Opens a connection with undici's connector (TCP, TLS where it applies) and reports the socket, or undefined
 * on failure, exactly once. When `signal` aborts first (SIGINT/SIGTERM during pre-connect), the pending socket
 * is destroyed and undefined reported at once: a target slow to accept must not hold an interrupted run for a
 * connect timeout. A socket that completes after the abort anyway is destroyed, never handed on.
 */
export function abortableConnect(
  connect: buildConnector.connector,
  options: buildConnector.Options,
  signal: AbortSignal | undefined,
  done: (socket: Socket | undefined) => void,
): void {
  if (signal?.aborted === true) {
    done(undefined);
    return;
  }
  let settled = false;
  let pending: Socket | undefined;
  const onAbort = (): void => {
    if (settled) return;
    settled = true;
    pending?.destroy();
    done(undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  // undici's connector returns the socket it opens (its type says void).
  const returned: unknown = connect({ ...options }, (error, socket) => {
    signal?.removeEventListener('abort', onAbort);
    if (settled) {
      socket?.destroy();
      return;
    }
    settled = true;
    done(error !== null || socket === null ? undefined : socket);
  });
  if (returned !== null && typeof returned === 'object' && 'destroy' in returned) pending = returned as Socket;
}
