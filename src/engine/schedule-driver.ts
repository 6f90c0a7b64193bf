import { now } from '../time/clock.js';
import { clearLongTimeout, setLongTimeout } from '../time/long-timeout.js';
import type { LongTimeout } from '../time/long-timeout.js';

/** Node's timer resolution: the shortest sleep, and the most an event waits past its time for a timer. */
const MIN_SLEEP_MS = 1;

/** Offsets (ms from an origin) of successive events, Infinity once there are no more. */
export interface OffsetSource {
  nextOffsetMs(): number;
}

/**
 * Fires `onDue(intendedAt, firedAt)` for every offset of a source, with one timer for the whole schedule.
 * Offsets are against one absolute origin, so timer jitter never accumulates into drift; events that are
 * late fire in a burst with their *intended* times, never skipped. It never fires early and never spins: a
 * wait under 1 ms sleeps 1 ms (Node's timer resolution) and then fires what fell due in a burst. Spinning on
 * setImmediate instead kept a thread 100% busy at any rate above 1,000/s (it never let the event loop block),
 * for at most a millisecond less scheduler lag, which is recorded, and counted in the latency, either way.
 */
export class ScheduleDriver {
  readonly #origin: number;
  readonly #source: OffsetSource;
  readonly #onDue: (intendedAt: number, firedAt: number) => void;
  #nextOffsetMs: number;
  #timeout: LongTimeout | undefined = undefined;
  #stopped = false;
  readonly #tick: () => void;

  constructor(origin: number, source: OffsetSource, onDue: (intendedAt: number, firedAt: number) => void) {
    this.#origin = origin;
    this.#source = source;
    this.#onDue = onDue;
    this.#nextOffsetMs = source.nextOffsetMs();
    this.#tick = () => {
      this.#timeout = undefined;
      this.#run();
    };
  }

  start(): void {
    this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearLongTimeout(this.#timeout);
    this.#timeout = undefined;
  }

  #run(): void {
    if (this.#stopped) return;
    const firedAt = now();
    while (this.#origin + this.#nextOffsetMs <= firedAt) {
      this.#onDue(this.#origin + this.#nextOffsetMs, firedAt);
      if (this.#stopped) return;
      this.#nextOffsetMs = this.#source.nextOffsetMs();
    }
    if (this.#nextOffsetMs === Infinity) return;
    const waitMs = this.#origin + this.#nextOffsetMs - now();
    this.#timeout = setLongTimeout(this.#tick, Math.max(MIN_SLEEP_MS, waitMs));
  }
}
