import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '../../../src/plan/arrival-schedule.js';
import type { ArrivalProfile } from '../../../src/plan/arrival-schedule.js';
import { usersAt } from '../../../src/plan/profile.js';
import {
  owns,
  segmentsOf,
  segmentsWithin,
  segmentUserChanges,
  shareOf,
  StripedSchedule,
  usableSegments,
} from '../../../src/plan/segment.js';
import type { OffsetSequence } from '../../../src/plan/segment.js';
import { userChanges } from '../../../src/plan/user-schedule.js';
import type { UserChange, UsersProfile } from '../../../src/plan/user-schedule.js';

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** The users a change list wants at `t`: the last change at or before it. */
function usersFrom(changes: readonly UserChange[], t: number): number {
  let users = 0;
  for (const change of changes) if (change.atMs <= t) users = change.users;
  return users;
}

function drain(schedule: OffsetSequence, limit = 100_000): number[] {
  const offsets: number[] = [];
  for (let offset = schedule.nextOffsetMs(); offset !== Infinity && offsets.length < limit; offset = schedule.nextOffsetMs())
    offsets.push(offset);
  return offsets;
}

describe('shareOf', () => {
  it('splits every total 0..200 over 1..9 segments so the shares add up exactly and differ by at most one', () => {
    for (let count = 1; count <= 9; count++) {
      const segments = segmentsOf(count);
      for (let total = 0; total <= 200; total++) {
        const shares = segments.map((segment) => shareOf(total, segment));
        expect(sum(shares)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('stripes: thing k goes to segment k mod n, so a growing total adds to exactly one segment at a time', () => {
    const segments = segmentsOf(3);
    expect([10, 11, 12, 13].map((total) => segments.map((segment) => shareOf(total, segment)))).toEqual([
      [4, 3, 3],
      [4, 4, 3],
      [4, 4, 4],
      [5, 4, 4],
    ]);
    expect(segments.map((segment) => owns(7, segment))).toEqual([false, true, false]);
    // The remainder is never lost, unlike Math.floor(total / workers).
    expect(segmentsOf(4).map((segment) => shareOf(10, segment))).toEqual([3, 3, 2, 2]);
  });

  it('refuses a split into no segments or a fraction of one', () => {
    expect(() => segmentsOf(0)).toThrow(RangeError);
    expect(() => segmentsOf(1.5)).toThrow(RangeError);
  });
});

describe('segmentUserChanges', () => {
  const ramp: UsersProfile = {
    kind: 'ramping-users',
    startUsers: 1,
    stages: [
      { durationMs: 1000, target: 11 },
      { durationMs: 500, target: 11 },
      { durationMs: 700, target: 2 },
      { durationMs: 0, target: 7 },
      { durationMs: 300, target: 0 },
    ],
  };

  it('gives the segments together exactly the whole plan’s users at every moment of a ramp up, hold, down and jump', () => {
    const whole = userChanges(ramp);
    for (const count of [2, 3, 4]) {
      const parts = segmentsOf(count).map((segment) => segmentUserChanges(whole, segment));
      const moments = [...whole.map((change) => change.atMs), ...Array.from({ length: 251 }, (_, i) => i * 10 + 0.5)];
      for (const t of moments) expect(sum(parts.map((changes) => usersFrom(changes, t)))).toBe(usersFrom(whole, t));
      for (let t = 0.5; t < 2500; t += 10) expect(sum(parts.map((changes) => usersFrom(changes, t)))).toBe(usersAt(ramp, t));
    }
  });

  it('keeps only the changes that move the segment, each at the whole plan’s time', () => {
    const whole = userChanges({ kind: 'ramping-users', startUsers: 0, stages: [{ durationMs: 1000, target: 4 }] });
    const [first, second] = segmentsOf(2).map((segment) => segmentUserChanges(whole, segment));
    expect(first).toEqual([
      { atMs: 0, users: 0 },
      { atMs: 250, users: 1 },
      { atMs: 750, users: 2 },
    ]);
    expect(second).toEqual([
      { atMs: 0, users: 0 },
      { atMs: 500, users: 1 },
      { atMs: 1000, users: 2 },
    ]);
  });
});

describe('StripedSchedule', () => {
  const profiles: ArrivalProfile[] = [
    { kind: 'constant-arrival-rate', ratePerSec: 200, durationMs: 1000, maxUsers: 50 },
    {
      kind: 'ramping-arrival-rate',
      startRatePerSec: 0,
      stages: [
        { durationMs: 2000, target: 97 },
        { durationMs: 0, target: 13 },
        { durationMs: 1500, target: 13 },
      ],
      maxUsers: 10,
    },
  ];

  it('hands arrival k, at its own time, to segment k mod n: the union is exactly the whole schedule', () => {
    for (const profile of profiles) {
      const whole = drain(ArrivalSchedule.of(profile));
      for (const count of [1, 2, 3, 7]) {
        const parts = segmentsOf(count).map((segment) => drain(new StripedSchedule(ArrivalSchedule.of(profile), segment)));
        expect(sum(parts.map((part) => part.length))).toBe(whole.length);
        parts.forEach((part, index) => expect(part).toEqual(whole.filter((_, k) => k % count === index)));
      }
    }
  });

  it('gives 200/s for 1 s over 2 segments exactly 100 arrivals each, 10 ms apart and 5 ms out of step', () => {
    const [even, odd] = segmentsOf(2).map((segment) => drain(new StripedSchedule(ArrivalSchedule.of(profiles[0]!), segment)));
    expect(even).toHaveLength(100);
    expect(odd).toHaveLength(100);
    expect(even?.slice(0, 3)).toEqual([0, 10, 20]);
    expect(odd?.slice(0, 3)).toEqual([5, 15, 25]);
    expect(odd?.at(-1)).toBe(995);
  });

  it('ends for a segment with no arrival at all', () => {
    const tiny: ArrivalProfile = { kind: 'constant-arrival-rate', ratePerSec: 2, durationMs: 1000, maxUsers: 4 };
    expect(drain(new StripedSchedule(ArrivalSchedule.of(tiny), { index: 3, count: 4 }))).toEqual([]);
  });
});

describe('usableSegments', () => {
  it('uses at most one segment per user at the peak (closed) or per slot (open), and at least one', () => {
    expect(usableSegments({ kind: 'constant-users', users: 3, durationMs: 1 }, 8)).toBe(3);
    expect(usableSegments({ kind: 'constant-users', users: 30, durationMs: 1 }, 8)).toBe(8);
    expect(usableSegments({ kind: 'ramping-users', startUsers: 0, stages: [{ durationMs: 1, target: 5 }] }, 16)).toBe(5);
    expect(usableSegments({ kind: 'constant-arrival-rate', ratePerSec: 1000, durationMs: 1, maxUsers: 2 }, 4)).toBe(2);
    expect(usableSegments({ kind: 'ramping-users', startUsers: 0, stages: [] }, 4)).toBe(1);
  });
});

describe('segmentsWithin: worker threads inside a shard', () => {
  it('splits every shard exactly: shares add up to the shard’s, and all shards’ to the total, for many totals', () => {
    for (const shards of [1, 2, 3, 4, 7, 8]) {
      for (const parts of [1, 2, 3, 5]) {
        for (const total of [0, 1, 2, 7, 10, 99, 100, 101, 1_000, 12_345]) {
          let sum = 0;
          for (const shard of segmentsOf(shards)) {
            const within = segmentsWithin(shard, parts).reduce((acc, segment) => acc + shareOf(total, segment), 0);
            expect(within, `total ${total}, shard ${shard.index}/${shards}, ${parts} parts`).toBe(shareOf(total, shard));
            sum += within;
          }
          expect(sum).toBe(total);
        }
      }
    }
  });

  it('gives each thing to exactly one part of its shard', () => {
    const shard = { index: 2, count: 4 };
    const parts = segmentsWithin(shard, 3);
    for (let k = 0; k < 200; k++) {
      const owners = parts.filter((segment) => owns(k, segment)).length;
      expect(owners).toBe(owns(k, shard) ? 1 : 0);
    }
  });
});
