import { clearLongTimeout, setLongTimeout } from './long-timeout.js';
import type { LongTimeout } from './long-timeout.js';

/** The last stretch of a wait is spent yielding to I/O (setImmediate), not sleeping: a timer may fire a few ms late. */
const PRECISE_TAIL_MS = 15;

/**
 * Resolves at `atEpochMs` on the wall clock (`Date.now()`, which NTP keeps in step across hosts), within a
 * millisecond on an idle event loop: one timer to just before, then a short wait that yields to I/O between
 * looks at the clock (a long wait looks again, so a clock stepped meanwhile is followed). Resolves true when
 * the moment came (at once when it is past), false when `signal` aborted first. Every timer is cleared.
 */
export function waitUntilEpoch(atEpochMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    let timer: LongTimeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const settle = (reached: boolean): void => {
      clearLongTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      signal?.removeEventListener('abort', onAbort);
      resolve(reached);
    };
    const onAbort = (): void => settle(false);
    const look = (): void => {
      timer = undefined;
      immediate = undefined;
      const leftMs = atEpochMs - Date.now();
      if (leftMs <= 0) settle(true);
      else if (leftMs > PRECISE_TAIL_MS) timer = setLongTimeout(look, Math.min(leftMs - PRECISE_TAIL_MS, MAX_LOOK_MS));
      else immediate = setImmediate(look);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    look();
  });
}

/** A long wait looks at the wall clock at least this often. */
const MAX_LOOK_MS = 60_000;
