import { describe, expect, it } from 'vitest';
import { usersAt } from '../../../src/plan/profile.js';
import type { LoadProfile } from '../../../src/plan/profile.js';
import { userChanges } from '../../../src/plan/user-schedule.js';
import type { UsersProfile } from '../../../src/plan/user-schedule.js';

describe('userChanges', () => {
  it('holds a constant number of users from 0', () => {
    expect(userChanges({ kind: 'constant-users', users: 25, durationMs: 1000 })).toEqual([{ atMs: 0, users: 25 }]);
  });

  it('adds users at the exact times a ramp crosses each whole user: 0 → 10 over 1 s', () => {
    const changes = userChanges({ kind: 'ramping-users', startUsers: 0, stages: [{ durationMs: 1000, target: 10 }] });
    expect(changes).toEqual([{ atMs: 0, users: 0 }, ...Array.from({ length: 10 }, (_, i) => ({ atMs: (i + 1) * 100, users: i + 1 }))]);
  });

  it('ramps up, holds and ramps down; a removal happens as the target drops below a whole user', () => {
    const profile: UsersProfile = {
      kind: 'ramping-users',
      startUsers: 2,
      stages: [
        { durationMs: 1000, target: 4 },
        { durationMs: 500, target: 4 },
        { durationMs: 300, target: 1 },
      ],
    };
    expect(userChanges(profile)).toEqual([
      { atMs: 0, users: 2 },
      { atMs: 500, users: 3 },
      { atMs: 1000, users: 4 },
      { atMs: 1500, users: 3 },
      { atMs: 1600, users: 2 },
      { atMs: 1700, users: 1 },
    ]);
  });

  it('jumps at once for a zero-length stage', () => {
    const changes = userChanges({
      kind: 'ramping-users',
      startUsers: 1,
      stages: [
        { durationMs: 0, target: 5 },
        { durationMs: 1000, target: 5 },
      ],
    });
    expect(changes).toEqual([{ atMs: 0, users: 5 }]);
  });

  it('agrees with usersAt between changes', () => {
    const profile: LoadProfile = {
      kind: 'ramping-users',
      startUsers: 0,
      stages: [
        { durationMs: 1300, target: 7.5 },
        { durationMs: 200, target: 7.5 },
        { durationMs: 900, target: 0 },
      ],
    };
    const changes = userChanges(profile);
    for (let elapsedMs = 0; elapsedMs < 2400; elapsedMs += 7) {
      const current = [...changes].reverse().find((change) => change.atMs <= elapsedMs);
      const exactChange = changes.some((change) => Math.abs(change.atMs - elapsedMs) < 1e-6);
      if (!exactChange) expect(current?.users, `at ${elapsedMs} ms`).toBe(usersAt(profile, elapsedMs));
    }
  });
});
