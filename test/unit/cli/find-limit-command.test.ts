import { describe, expect, it } from 'vitest';
import { breakingPointLoad } from '../../../src/cli/find-limit-flags.js';
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
