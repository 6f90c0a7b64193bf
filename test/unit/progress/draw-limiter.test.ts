import { describe, expect, it } from 'vitest';
import { DrawLimiter } from '../../../src/progress/draw-limiter.js';

/** The times at which `limiter` lets a caller draw, asked at each of `times`. */
function drawsAt(limiter: DrawLimiter, times: readonly number[]): number[] {
  return times.filter((at) => limiter.tryDraw(at));
}

/** The most draws in any half-open window [t, t + windowMs). */
function busiestWindow(draws: readonly number[], windowMs: number): number {
  let most = 0;
  for (const [i, start] of draws.entries()) {
    let count = 0;
    for (let j = i; j < draws.length && draws[j]! < start + windowMs; j++) count++;
    most = Math.max(most, count);
  }
  return most;
}

describe('DrawLimiter', () => {
  it('allows 10 draws in any second when asked every millisecond, spread out rather than in a burst', () => {
    const times = Array.from({ length: 5000 }, (_, i) => i);
    const draws = drawsAt(DrawLimiter.perSecond(10), times);
    expect(busiestWindow(draws, 1000)).toBe(10);
    expect(draws).toHaveLength(50);
    expect(draws.slice(0, 11)).toEqual([0, 90, 180, 270, 360, 450, 540, 630, 720, 810, 1000]);
  });

  it('keeps every frame of a jittery 100 ms timer (99 ms and 101 ms apart) and still never exceeds 10 a second', () => {
    const times: number[] = [];
    for (let i = 0, at = 0; i < 100; i++, at += i % 2 === 0 ? 99 : 101) times.push(at);
    const draws = drawsAt(DrawLimiter.perSecond(10), times);
    expect(draws).toHaveLength(100);
    expect(busiestWindow(draws, 1000)).toBeLessThanOrEqual(10);
  });

  it('skips a frame rather than exceed 10 a second when ten gaps add up to less than a second', () => {
    const times = Array.from({ length: 12 }, (_, i) => i * 99.5);
    const draws = drawsAt(DrawLimiter.perSecond(10), times);
    expect(draws).toEqual(times.filter((_, i) => i !== 10));
    expect(busiestWindow(draws, 1000)).toBe(10);
  });

  it('every(5000): one draw per 5 s at most, the first at once', () => {
    const times = Array.from({ length: 31 }, (_, i) => i * 1000);
    expect(drawsAt(DrawLimiter.every(5000), times)).toEqual([0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000]);
  });

  it('refuses a limit below one draw', () => {
    expect(() => new DrawLimiter(0, 1000, 0)).toThrow(RangeError);
  });
});
