import { describe, expect, it, vi } from 'vitest';
import { now } from '../../../src/time/clock.js';
import { ScheduleDriver } from '../../../src/engine/schedule-driver.js';

const sourceOf = (offsets: number[]) => {
  let index = 0;
  return { nextOffsetMs: () => offsets[index++] ?? Infinity };
};

describe('ScheduleDriver', () => {
  it('fires every offset against one origin, never early, with its intended time', async () => {
    const origin = now();
    const fired: { intendedAt: number; firedAt: number }[] = [];
    await new Promise<void>((resolve) => {
      const offsets = [0, 3, 10, 10, 25, 40];
      const driver = new ScheduleDriver(origin, sourceOf(offsets), (intendedAt, firedAt) => {
        fired.push({ intendedAt, firedAt });
        if (fired.length === offsets.length) resolve();
      });
      driver.start();
    });
    // Intended times are origin + offset (floating point: 10 may come back as 9.999999999999972).
    fired.forEach((f, index) => expect(f.intendedAt - origin).toBeCloseTo([0, 3, 10, 10, 25, 40][index]!, 6));
    // Never early. How late is the event loop's business (a busy machine): not bounded here.
    for (const { intendedAt, firedAt } of fired) expect(firedAt).toBeGreaterThanOrEqual(intendedAt);
  });

  it('fires late events at once, in order, with their intended times (a burst, never skipped)', () => {
    const origin = now() - 100;
    const intended: number[] = [];
    new ScheduleDriver(origin, sourceOf([0, 20, 40, 60, 80, 1e9]), (intendedAt) => intended.push(intendedAt - origin)).start();
    expect(intended).toEqual([0, 20, 40, 60, 80]);
  });

  it('stops: nothing fires after stop()', async () => {
    let count = 0;
    const driver = new ScheduleDriver(now(), sourceOf([5, 10, 15]), () => (count += 1));
    driver.start();
    driver.stop();
    // Timers fire in deadline order: one due after the last offset has fired after any the driver had left.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(count).toBe(0);
  });

  it('never spins: events under 1 ms apart (2,000/s) wait on a timer, not on setImmediate', async () => {
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    try {
      const offsets = Array.from({ length: 20 }, (_, index) => index * 0.5);
      const origin = now();
      const intended: number[] = [];
      await new Promise<void>((resolve) => {
        new ScheduleDriver(origin, sourceOf(offsets), (intendedAt, firedAt) => {
          expect(firedAt).toBeGreaterThanOrEqual(intendedAt);
          if (intended.push(intendedAt - origin) === offsets.length) resolve();
        }).start();
      });
      intended.forEach((offset, index) => expect(offset).toBeCloseTo(offsets[index]!, 6));
      expect(immediates).not.toHaveBeenCalled();
    } finally {
      immediates.mockRestore();
    }
  });
});
