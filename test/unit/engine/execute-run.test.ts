import { describe, expect, it } from 'vitest';
import { preconnectCount, warmupProfileOf } from '../../../src/engine/execute-run.js';

describe('warmupProfileOf', () => {
  it('warms a closed profile with its first users (at least 1), or the given users', () => {
    const ramp = { kind: 'ramping-users', startUsers: 0, stages: [{ durationMs: 1000, target: 50 }] } as const;
    expect(warmupProfileOf(ramp, { durationMs: 5000 })).toEqual({ kind: 'constant-users', users: 1, durationMs: 5000 });
    expect(warmupProfileOf({ kind: 'constant-users', users: 8, durationMs: 1 }, { durationMs: 200, users: 3 })).toEqual({
      kind: 'constant-users',
      users: 3,
      durationMs: 200,
    });
  });

  it('warms an open profile at its first rate (at least 1/s), or the given rate, with its max users', () => {
    const profile = {
      kind: 'ramping-arrival-rate',
      startRatePerSec: 20,
      stages: [{ durationMs: 1000, target: 100 }],
      maxUsers: 40,
    } as const;
    expect(warmupProfileOf(profile, { durationMs: 3000 })).toEqual({
      kind: 'constant-arrival-rate',
      ratePerSec: 20,
      durationMs: 3000,
      maxUsers: 40,
    });
    expect(warmupProfileOf(profile, { durationMs: 3000, ratePerSec: 5 })).toMatchObject({ ratePerSec: 5 });
  });
});

describe('preconnectCount', () => {
  it('opens a connection for each user present at t=0 (closed model)', () => {
    expect(preconnectCount({ kind: 'constant-users', users: 25, durationMs: 1 })).toBe(25);
    expect(preconnectCount({ kind: 'ramping-users', startUsers: 0, stages: [{ durationMs: 1, target: 9 }] })).toBe(1);
  });

  it('opens enough for the first rate if each iteration took 100 ms, within max users (open model)', () => {
    expect(preconnectCount({ kind: 'constant-arrival-rate', ratePerSec: 200, durationMs: 1, maxUsers: 50 })).toBe(20);
    expect(preconnectCount({ kind: 'constant-arrival-rate', ratePerSec: 5000, durationMs: 1, maxUsers: 50 })).toBe(50);
    expect(preconnectCount({ kind: 'ramping-arrival-rate', startRatePerSec: 0, stages: [], maxUsers: 50 })).toBe(1);
  });
});
