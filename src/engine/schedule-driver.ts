import { now } from '../time/clock.js';
import { clearLongTimeout, setLongTimeout } from '../time/long-timeout.js';
import type { LongTimeout } from '../time/long-timeout.js';

/** Offsets (ms from an origin) of successive events, Infinity once there are no more. */
export interface OffsetSource {
  nextOffsetMs(): number;
}

/**
 * Fires `onDue(intendedAt, firedAt)` for every offset of a source, with one timer for the whole schedule.
 * Offsets are against one absolute origin, so timer jitter never accumulates into drift; events that are
 * late fire in a burst with their *intended* times, never skipped. Below 1 ms of wait it yields to I/O
 * (setImmediate) rather than sleeping or firing early.
 */
export class ScheduleDriver {
  readonly #origin: number;
  readonly #source: OffsetSource;
  readonly #onDue: (intendedAt: number, firedAt: number) => void;
  #nextOffsetMs: number;
  #timeout: LongTimeout | undefined = undefined;
  #immediate: NodeJS.Immediate | undefined = undefined;
  #stopped = false;
  readonly #tick: () => void;

  constructor(origin: number, source: OffsetSource, onDue: (intendedAt: number, firedAt: number) => void) {
    this.#origin = origin;
    this.#source = source;
    this.#onDue = onDue;
    this.#nextOffsetMs = source.nextOffsetMs();
    this.#tick = () => {
      this.#timeout = undefined;
      this.#immediate = undefined;
      this.#run();
    };
  }

  start(): void {
    this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearLongTimeout(this.#timeout);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timeout = undefined;
    this.#immediate = undefined;
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
    if (waitMs >= 1) this.#timeout = setLongTimeout(this.#tick, waitMs);
    else this.#immediate = setImmediate(this.#tick);
  }
}
