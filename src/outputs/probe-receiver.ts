import { connect } from 'node:net';
import { reasonOf } from './delivery-queue.js';

/**
 * Whether a receiver accepts connections: a TCP connection opened and closed, `timeoutMs` at most. Resolves with
 * why not (`ECONNREFUSED`), or undefined when it does; never rejects. Nothing is sent.
 */
export function probeReceiver(url: URL, timeoutMs: number): Promise<string | undefined> {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error) => done(reasonOf(error)));
    socket.unref();
  });
}
