import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { ignore } from '../ignore.js';
import { now } from '../time/clock.js';
import { abortableConnect } from './abortable-connect.js';

/** A pre-opened connection older than this is not handed over (the server may be about to close it). */
const STASH_MAX_AGE_MS = 2_000;

/**
 * One connection to an origin opened before t=0 (`preconnect`), kept until undici's Client asks its connector
 * for one: its first request then does not pay for the handshake inside the measured run.
 */
export class PreconnectStash {
  #socket: Socket | undefined;
  #keptAt = 0;

  /** Opens a connection with `connect` and keeps it, closing any older one. Resolves false on failure or abort. */
  fill(connect: buildConnector.connector, options: buildConnector.Options, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      abortableConnect(connect, options, signal, (socket) => {
        if (socket === undefined) {
          resolve(false);
          return;
        }
        this.drop();
        // Kept but not yet anyone's: an error before take() only closes it.
        socket.on('error', ignore);
        socket.once('close', () => {
          if (this.#socket === socket) this.#socket = undefined;
        });
        this.#socket = socket;
        this.#keptAt = now();
        resolve(true);
      });
    });
  }

  /** The kept connection, if still usable (open, young); it is the caller's from then on. */
  take(): Socket | undefined {
    const socket = this.#socket;
    if (socket === undefined) return undefined;
    this.#socket = undefined;
    socket.off('error', ignore);
    if (socket.destroyed || socket.readyState !== 'open' || now() - this.#keptAt > STASH_MAX_AGE_MS) {
      socket.destroy();
      return undefined;
    }
    return socket;
  }

  /** Closes the kept connection, if any. */
  drop(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    socket.destroy();
  }
}
