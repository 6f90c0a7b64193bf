import { describe, expect, it } from 'vitest';
import {
  breakingPointLoad,
  maxCapacityDropFlag,
  refineFlag,
  searchModel,
  singleStepLoad,
  steppedLoad,
} from '../../../src/cli/find-limit-flags.js';
import { UsageError } from '../../../src/errors.js';
import type { LoadSpec } from '../../../src/scenario/types.js';

const BREAKING: LoadSpec = {
  profile: 'breaking_point',
  start_rate: 10,
  step_rate: 10,
  max_rate: 100,
  step_duration: '5s',
  max_users: 50,
  grace_period: '2s',
};

describe('breakingPointLoad', () => {
  it('takes a breaking_point profile as it is, each flag overriding its key', () => {
    expect(breakingPointLoad('s.yml', BREAKING, {})).toEqual(BREAKING);
    expect(breakingPointLoad('s.yml', BREAKING, { maxRate: '400', stepDuration: '2', maxUsers: '80' })).toEqual({
      ...BREAKING,
      max_rate: 400,
      step_duration: 2,
      max_users: 80,
    });
  });

  it('makes one from the four flags for another profile, keeping max_users, the warm-up duration and rate, the grace period', () => {
    const arrival: LoadSpec = { profile: 'arrival_rate', rate: 5, duration: '1m', max_users: 30, warmup: { duration: '3s', rate: 2 } };
    expect(breakingPointLoad('s.yml', arrival, { startRate: '20', stepRate: '20', maxRate: '200', stepDuration: '10s' })).toEqual({
      profile: 'breaking_point',
      start_rate: 20,
      step_rate: 20,
      max_rate: 200,
      step_duration: '10s',
      max_users: 30,
      warmup: { duration: '3s', rate: 2 },
    });
    // A closed-model warm-up's users mean nothing at a rate: its duration is kept.
    const constant: LoadSpec = { profile: 'constant', users: 3, duration: '10s', warmup: { duration: '2s', users: 3 } };
    expect(breakingPointLoad('s.yml', constant, { startRate: '1', stepRate: '1', maxRate: '3', stepDuration: '1s' }).warmup).toEqual({
      duration: '2s',
    });
  });

  it('refuses (UsageError: exit 2) what cannot run: missing flags, bad numbers, inverted rates, steps under 1 s, too many steps', () => {
    const constant: LoadSpec = { profile: 'constant', users: 3, duration: '10s' };
    const refusal = (load: LoadSpec, options: Parameters<typeof breakingPointLoad>[2]): string => {
      try {
        breakingPointLoad('s.yml', load, options);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(constant, { maxRate: '5' })).toContain('(missing: --start-rate, --step-rate, --step-duration)');
    expect(refusal(BREAKING, { startRate: '0' })).toContain('--start-rate "0": expected a rate in requests per second, above 0');
    expect(refusal(BREAKING, { stepRate: '1e9' })).toContain('--step-rate "1e9"');
    expect(refusal(BREAKING, { maxUsers: '2.5' })).toContain('--max-users "2.5": expected a whole number of users');
    expect(refusal(BREAKING, { startRate: '200' })).toContain('the max rate (100/s) is below the start rate (200/s)');
    expect(refusal(BREAKING, { stepDuration: 'soon' })).toContain('--step-duration "soon" is not a duration');
    expect(refusal(BREAKING, { stepDuration: '999ms' })).toContain('step_duration 999ms is shorter than 1s');
    expect(refusal(BREAKING, { stepRate: '0.001' })).toContain('90001 steps from 10/s to 100/s by 0.001/s: at most 10000');
  });
});

describe('steppedLoad: --users, the closed model', () => {
  const constant: LoadSpec = { profile: 'constant', users: 3, duration: '10s', warmup: { duration: '2s', users: 3 }, grace_period: '1s' };

  it('makes stages of jumps and holds from start:step:max, keeping the warm-up users and the grace period', () => {
    expect(steppedLoad('s.yml', constant, { users: '2:4:10', stepDuration: '5' })).toEqual({
      profile: 'stages',
      start_users: 2,
      stages: [
        { duration: 0, users: 2 },
        { duration: 5, users: 2 },
        { duration: 0, users: 6 },
        { duration: 5, users: 6 },
        { duration: 0, users: 10 },
        { duration: 5, users: 10 },
      ],
      warmup: { duration: '2s', users: 3 },
      grace_period: '1s',
    });
    expect(searchModel({ users: '1:1:2' })).toBe('users');
    expect(searchModel({})).toBe('rate');
    // A breaking_point's step_duration serves when --step-duration is absent; its rate warm-up is left at its duration.
    const stepped = steppedLoad('s.yml', { ...BREAKING, warmup: { duration: '3s', rate: 5 } }, { users: '1:1:2' });
    expect(stepped).toMatchObject({
      stages: [{ duration: 0 }, { duration: '5s' }, { duration: 0 }, { duration: '5s' }],
      warmup: { duration: '3s' },
    });
  });

  it('makes a refinement one step at a level, led in by a step at the level passed', () => {
    expect(singleStepLoad(BREAKING, 55, 50)).toEqual({
      ...BREAKING,
      start_rate: 55,
      step_rate: 55,
      max_rate: 55,
      warmup: { duration: '5s', rate: 50 },
    });
    const users = steppedLoad('s.yml', constant, { users: '2:4:10', stepDuration: '5s' });
    expect(singleStepLoad(users, 8, 6)).toEqual({
      profile: 'stages',
      start_users: 8,
      stages: [{ duration: '5s', users: 8 }],
      warmup: { duration: '5s', users: 6 },
      grace_period: '1s',
    });
  });

  it('reads --refine and --max-capacity-drop (default 10%, only with --baseline)', () => {
    expect(refineFlag(undefined)).toBeUndefined();
    expect(refineFlag('0')).toBe(0);
    expect(refineFlag('10')).toBe(10);
    expect(() => refineFlag('-1')).toThrow(UsageError);
    expect(maxCapacityDropFlag({})).toBe(0.1);
    expect(maxCapacityDropFlag({ baseline: 'b.json', maxCapacityDrop: '2.5%' })).toBe(0.025);
    expect(() => maxCapacityDropFlag({ maxCapacityDrop: '5%' })).toThrow('give --baseline earlier.json');
  });
});
