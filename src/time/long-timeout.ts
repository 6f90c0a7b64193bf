/** The longest delay Node's setTimeout honours: past it, the timer fires at once (after 1 ms). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A delay longer than one timer can hold, as a chain of timers; `unref()` holds for every link. */
class ChainedTimeout {
  #timer: ReturnType<typeof setTimeout>;
  #remainingMs: number;
  #referenced = true;
  readonly #callback: () => void;

  constructor(callback: () => void, delayMs: number) {
    this.#callback = callback;
    this.#remainingMs = delayMs;
    this.#timer = this.#arm();
  }

  unref(): this {
    this.#referenced = false;
    this.#timer.unref();
    return this;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }

  #arm(): ReturnType<typeof setTimeout> {
    const stepMs = Math.min(this.#remainingMs, MAX_TIMER_DELAY_MS);
    this.#remainingMs -= stepMs;
    const timer = setTimeout(() => {
      if (this.#remainingMs > 0) this.#timer = this.#arm();
      else this.#callback();
    }, stepMs);
    if (!this.#referenced) timer.unref();
    return timer;
  }
}

export type LongTimeout = ReturnType<typeof setTimeout> | ChainedTimeout;

/**
 * setTimeout for any delay (a duration a user wrote: `600h`, `--max-duration 9999h`): up to 2³¹−1 ms it is
 * one plain timer (nothing more on the hot path), beyond that a chain of them. Cancel with clearLongTimeout.
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  return delayMs > MAX_TIMER_DELAY_MS ? new ChainedTimeout(callback, delayMs) : setTimeout(callback, delayMs);
}

export function clearLongTimeout(timer: LongTimeout | undefined): void {
  if (timer instanceof ChainedTimeout) timer.clear();
  else clearTimeout(timer);
}
