import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, clearLongTimeout, setLongTimeout } from '../../../src/time/long-timeout.js';

/** Node fires a setTimeout whose delay is past 2³¹−1 ms at once: long delays are chained timers. */
describe('setLongTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires a delay past 2³¹−1 ms (600 h) at that delay, not at once', () => {
    const fired = vi.fn();
    const delayMs = 600 * 3_600_000;
    expect(delayMs).toBeGreaterThan(MAX_TIMER_DELAY_MS);
    setLongTimeout(fired, delayMs);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(delayMs - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * MAX_TIMER_DELAY_MS);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('fires a short delay as setTimeout does', () => {
    const fired = vi.fn();
    setLongTimeout(fired, 250);
    vi.advanceTimersByTime(249);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('is cancelled by clearLongTimeout in any link of the chain', () => {
    const fired = vi.fn();
    const timer = setLongTimeout(fired, 9999 * 3_600_000);
    vi.advanceTimersByTime(3 * MAX_TIMER_DELAY_MS + 5);
    clearLongTimeout(timer);
    vi.advanceTimersByTime(9999 * 3_600_000);
    expect(fired).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps unref() across the chain', () => {
    const timer = setLongTimeout(() => undefined, 3 * MAX_TIMER_DELAY_MS).unref();
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(vi.getTimerCount()).toBe(1);
    clearLongTimeout(timer);
    expect(vi.getTimerCount()).toBe(0);
  });
});
