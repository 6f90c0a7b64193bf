import { describe, expect, it } from 'vitest';
import { ScenarioError, UsageError, formatIssue } from '../../../src/errors.js';
import { applyLoadOverrides, withLoadOverrides } from '../../../src/scenario/load-overrides.js';
import type { LoadSpec, Scenario } from '../../../src/scenario/types.js';

const constant: LoadSpec = { profile: 'constant', users: 5, duration: '1m', warmup: { duration: '5s', users: 2 }, grace_period: '2s' };
const ramp: LoadSpec = { profile: 'ramp', end_users: 50, ramp_duration: '1m' };
const stages: LoadSpec = { profile: 'stages', stages: [{ duration: '10s', users: 5 }] };
const arrival: LoadSpec = { profile: 'arrival_rate', rate: 10, duration: '30s', max_users: 40 };

describe('applyLoadOverrides', () => {
  it('makes a constant load from --users with --duration or --iterations, keeping the warm-up and grace period', () => {
    expect(applyLoadOverrides(ramp, { users: 3, duration: '2s' })).toEqual({ profile: 'constant', users: 3, duration: '2s' });
    expect(applyLoadOverrides(constant, { users: 3, iterations: 7 })).toEqual({
      profile: 'constant',
      users: 3,
      iterations: 7,
      warmup: { duration: '5s', users: 2 },
      grace_period: '2s',
    });
    // --duration with --iterations bounds the budget, as k6's shared iterations with a max duration.
    expect(applyLoadOverrides(arrival, { users: 2, iterations: 7, duration: '30s' })).toEqual({
      profile: 'constant',
      users: 2,
      iterations: 7,
      max_duration: '30s',
    });
  });

  it('makes an arrival rate from --rate with --duration (--users its max_users); --rate alone changes an arrival rate', () => {
    expect(applyLoadOverrides(constant, { rate: 20, duration: '1s' })).toEqual({
      profile: 'arrival_rate',
      rate: 20,
      duration: '1s',
      warmup: { duration: '5s' },
      grace_period: '2s',
    });
    expect(applyLoadOverrides(ramp, { rate: 20, duration: '1s', users: 9 })).toEqual({
      profile: 'arrival_rate',
      rate: 20,
      duration: '1s',
      max_users: 9,
    });
    expect(applyLoadOverrides(arrival, { rate: 50 })).toEqual({ ...arrival, rate: 50 });
    expect(() => applyLoadOverrides(constant, { rate: 50 })).toThrow(
      new UsageError('--rate alone changes an arrival_rate profile, and this load is constant: add --duration (say --duration 30s)'),
    );
    expect(() => applyLoadOverrides(constant, { rate: 50, duration: '1s', iterations: 3 })).toThrow(/give one of them/);
  });

  it('changes the one matching field for a single flag, and refuses what is ambiguous', () => {
    expect(applyLoadOverrides(constant, { users: 9 })).toEqual({ ...constant, users: 9 });
    expect(applyLoadOverrides(ramp, { users: 9 })).toEqual({ ...ramp, end_users: 9 });
    expect(applyLoadOverrides(arrival, { users: 9 })).toEqual({ ...arrival, max_users: 9 });
    expect(applyLoadOverrides(constant, { duration: '3s' })).toEqual({ ...constant, duration: '3s' });
    expect(applyLoadOverrides(arrival, { duration: '3s' })).toEqual({ ...arrival, duration: '3s' });
    const { duration: _, ...rest } = constant;
    expect(applyLoadOverrides(constant, { iterations: 4 })).toEqual({ ...rest, iterations: 4 });
    expect(applyLoadOverrides({ profile: 'constant', users: 4, iterations_per_user: 3 }, { duration: '2s' })).toEqual({
      profile: 'constant',
      users: 4,
      duration: '2s',
    });
    expect(() => applyLoadOverrides(stages, { users: 9 })).toThrow(/--users alone does not say which stage to change/);
    expect(() => applyLoadOverrides(ramp, { duration: '3s' })).toThrow(
      '--duration alone does not say how to change a ramp profile: add --users for a constant load, or --rate for an arrival rate',
    );
    expect(() => applyLoadOverrides(arrival, { iterations: 3 })).toThrow(/--iterations alone .* add --users for a constant load$/);
    expect(applyLoadOverrides(ramp, {})).toBe(ramp);
  });
});

describe('withLoadOverrides', () => {
  const scenario: Scenario = {
    file: 'api.yml',
    baseDir: '.',
    data: { requests: [{ url: 'http://127.0.0.1:1/' }], load: constant },
    envVarsUsed: [],
  };

  it('checks the overridden scenario as a file is, each problem located at its flag', () => {
    const problems = (overrides: Parameters<typeof withLoadOverrides>[1]): string[] => {
      try {
        withLoadOverrides(scenario, overrides);
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
        return (error as ScenarioError).issues.map(formatIssue);
      }
      return [];
    };
    expect(problems({ users: 0 })).toEqual(['--users  load.users  expected a whole number of users, at least 1 (got 0)']);
    expect(problems({ users: 2, iterations: 1.5 })).toEqual([
      '--iterations  load.iterations  expected a whole number of iterations, at least 1 (got 1.5)',
    ]);
    expect(problems({ rate: -1, duration: '1s' })).toEqual([
      '--rate  load.rate  expected a rate in iterations per second, greater than zero (got -1)',
    ]);
    expect(problems({ users: 3 })).toEqual([]);
    expect(withLoadOverrides(scenario, { users: 3 }).data.load).toEqual({ ...constant, users: 3 });
    expect(withLoadOverrides(scenario, {})).toBe(scenario);
  });

  it('changes the load of the scenario --scenario names, in a file with several, located at the flag', () => {
    const { load: _, requests: __, ...rest } = scenario.data;
    const plain: LoadSpec = { profile: 'constant', users: 5, duration: '1m' };
    const scenarios = {
      a: { requests: [{ url: 'http://127.0.0.1:1/' }], load: plain },
      b: { requests: [{ url: 'http://127.0.0.1:1/b' }], load: plain },
    };
    const several: Scenario = { ...scenario, data: { ...rest, scenarios } };
    const changed = withLoadOverrides(several, { users: 3, scenario: 'b' }).data.scenarios;
    expect(changed?.['b']?.load).toEqual({ ...plain, users: 3 });
    expect(changed?.['a']).toBe(scenarios.a);
    expect(() => withLoadOverrides(several, { users: 2 })).toThrow(
      new UsageError('api.yml has several scenarios (a, b): name the one the load flags change with --scenario NAME'),
    );
    expect(() => withLoadOverrides(several, { users: 2, scenario: 'c' })).toThrow(
      new UsageError('--scenario c: api.yml has no such scenario; its scenarios are a, b'),
    );
    expect(() => withLoadOverrides(several, { scenario: 'a' })).toThrow(
      new UsageError('--scenario names the scenario the load flags change: give --users, --duration, --rate or --iterations too'),
    );
    expect(() => withLoadOverrides(scenario, { users: 2, scenario: 'a' })).toThrow(
      new UsageError('--scenario a: api.yml has one load, not several scenarios; leave --scenario out'),
    );
    try {
      withLoadOverrides(several, { users: 0, scenario: 'a' });
      expect.unreachable();
    } catch (error) {
      expect((error as ScenarioError).issues.map(formatIssue)).toEqual([
        '--users  scenarios.a.load.users  expected a whole number of users, at least 1 (got 0)',
      ]);
    }
  });
});
