import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '../../../src/plan/arrival-schedule.js';
import type { Stage } from '../../../src/plan/profile.js';

function offsets(schedule: ArrivalSchedule, limit = 100_000): number[] {
  const result: number[] = [];
  for (let offset = schedule.nextOffsetMs(); offset !== Infinity && result.length < limit; offset = schedule.nextOffsetMs()) {
    result.push(offset);
  }
  return result;
}

const round = (values: number[]): number[] => values.map((value) => Math.round(value * 100) / 100);

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly from 0: 200/s for 1 s is 200 arrivals, 5 ms apart, the last at 995 ms', () => {
    const all = offsets(ArrivalSchedule.of({ kind: 'constant-arrival-rate', ratePerSec: 200, durationMs: 1000, maxUsers: 10 }));
    expect(all).toHaveLength(200);
    expect(all.slice(0, 4)).toEqual([0, 5, 10, 15]);
    expect(all[199]).toBeCloseTo(995, 9);
    expect(all.every((offset, i) => Math.abs(offset - i * 5) < 1e-9)).toBe(true);
  });

  it('places a ramp where the area under the rate reaches each arrival: 0 → 10/s over 2 s', () => {
    const all = offsets(
      ArrivalSchedule.of({ kind: 'ramping-arrival-rate', startRatePerSec: 0, stages: [{ durationMs: 2000, target: 10 }], maxUsers: 10 }),
    );
    // area(t) = t² / 400000 (t in ms) reaches n at t = √(400000 n).
    expect(round(all)).toEqual([0, 632.46, 894.43, 1095.45, 1264.91, 1414.21, 1549.19, 1673.32, 1788.85, 1897.37]);
  });

  it('keeps fractional periods exact with no drift: 3/s for 10 s is 30 arrivals at n/3 s', () => {
    const all = offsets(new ArrivalSchedule(3, [{ durationMs: 10_000, target: 3 }]));
    expect(all).toHaveLength(30);
    expect(all[29]).toBeCloseTo((29 * 1000) / 3, 9);
  });

  it('follows steps (breaking point): 10/s for 1 s, then 20/s for 1 s', () => {
    const stages: Stage[] = [
      { durationMs: 0, target: 10 },
      { durationMs: 1000, target: 10 },
      { durationMs: 0, target: 20 },
      { durationMs: 1000, target: 20 },
    ];
    const all = offsets(new ArrivalSchedule(10, stages));
    expect(all).toHaveLength(30);
    expect(round(all.slice(8, 13))).toEqual([800, 900, 1000, 1050, 1100]);
    expect(all[29]).toBeCloseTo(1950, 9);
    expect(ArrivalSchedule.countOf(10, stages)).toBe(30);
  });

  it('decreasing ramps and zero rates: 10 → 0/s over 1 s is 5 arrivals, none while the rate is 0', () => {
    const all = offsets(
      new ArrivalSchedule(10, [
        { durationMs: 1000, target: 0 },
        { durationMs: 5000, target: 0 },
      ]),
    );
    // area(t) = t/100 − t²/200000 reaches n at t = 1000 − √(10⁶ − 200000 n).
    expect(round(all)).toEqual([0, 105.57, 225.4, 367.54, 552.79]);
    expect(ArrivalSchedule.countOf(10, [{ durationMs: 1000, target: 0 }])).toBe(5);
  });

  it('counts arrivals like it schedules them', () => {
    const stages: Stage[] = [
      { durationMs: 1500, target: 40 },
      { durationMs: 700, target: 7 },
    ];
    expect(offsets(new ArrivalSchedule(3, stages))).toHaveLength(ArrivalSchedule.countOf(3, stages));
  });
});
