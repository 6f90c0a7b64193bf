/**
 * Decides whether a display may draw now: at most `maxDraws` in any window of `windowMs`, and at least
 * `minGapMs` between two draws (so a burst of calls cannot spend a window's draws at once). Times are
 * milliseconds on any monotonic clock. The window rule is what a "10 Hz" promise means; the gap, a little
 * under 1/10 s, lets a caller's timer jitter (setInterval(100) fires 99.2–101 ms apart) cost no frame.
 */
export class DrawLimiter {
  readonly #maxDraws: number;
  readonly #windowMs: number;
  readonly #minGapMs: number;
  /** The last `maxDraws` draw times, oldest first. */
  readonly #drawnAt: number[] = [];

  constructor(maxDraws: number, windowMs: number, minGapMs: number) {
    if (!(maxDraws >= 1)) throw new RangeError(`maxDraws must be at least 1, got ${maxDraws}`);
    this.#maxDraws = maxDraws;
    this.#windowMs = windowMs;
    this.#minGapMs = minGapMs;
  }

  /** At most `perSecond` draws in any second, spaced at least 90% of 1/perSecond apart. */
  static perSecond(perSecond: number): DrawLimiter {
    return new DrawLimiter(perSecond, 1000, (0.9 * 1000) / perSecond);
  }

  /** One draw per `intervalMs` at most. */
  static every(intervalMs: number): DrawLimiter {
    return new DrawLimiter(1, intervalMs, intervalMs);
  }

  /** True, and counted as a draw, when a draw at `at` keeps both rules; false otherwise. */
  tryDraw(at: number): boolean {
    const drawnAt = this.#drawnAt;
    const last = drawnAt[drawnAt.length - 1];
    if (last !== undefined && at - last < this.#minGapMs) return false;
    const oldest = drawnAt[0];
    if (drawnAt.length >= this.#maxDraws && oldest !== undefined && at - oldest < this.#windowMs) return false;
    drawnAt.push(at);
    if (drawnAt.length > this.#maxDraws) drawnAt.shift();
    return true;
  }
}
