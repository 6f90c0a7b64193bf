import { describe, expect, it } from 'vitest';
import { ScenarioError, formatIssue } from '../../../src/errors.js';
import { quickScenario } from '../../../src/scenario/quick-scenario.js';
import type { QuickRun } from '../../../src/scenario/quick-scenario.js';

const problems = (run: QuickRun): string[] => {
  try {
    quickScenario(run);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues.map(formatIssue);
  }
  return [];
};

describe('quickScenario', () => {
  it('runs 10 users for 10 s by default, one GET of the URL, with the default SLA', () => {
    expect(quickScenario({ url: 'http://127.0.0.1:3000/api?x=1', load: {} })).toEqual({
      file: 'http://127.0.0.1:3000/api?x=1',
      data: {
        name: '127.0.0.1:3000/api',
        requests: [{ name: 'GET /api?x=1', method: 'GET', url: 'http://127.0.0.1:3000/api?x=1' }],
        load: { profile: 'constant', users: 10, duration: '10s' },
      },
    });
  });

  it('takes the method, headers, a JSON body (typed), the load flags and the thresholds', () => {
    const { data } = quickScenario({
      url: 'http://127.0.0.1:3000/items',
      method: 'post',
      headers: ['x-api-key: k1', 'Accept:text/plain'],
      body: '{"a": 1}',
      load: { rate: 200 },
      p95Ms: 200,
      p99Ms: 500,
      maxErrorRate: 0.01,
    });
    expect(data.requests?.[0]).toEqual({
      name: 'POST /items',
      method: 'POST',
      url: 'http://127.0.0.1:3000/items',
      headers: { 'x-api-key': 'k1', Accept: 'text/plain', 'content-type': 'application/json' },
      body: '{"a": 1}',
    });
    expect(data.load).toEqual({ profile: 'arrival_rate', rate: 200, duration: '10s' });
    expect(data.sla).toEqual({ p95_latency_ms: 200, p99_latency_ms: 500, max_error_rate: 0.01 });
    expect(quickScenario({ url: 'http://h/', body: 'a=1', load: { users: 50 } }).data).toMatchObject({
      requests: [{ body: 'a=1', method: 'GET' }],
      load: { profile: 'constant', users: 50, duration: '10s' },
    });
    expect(quickScenario({ url: 'http://h/', load: { users: 2, iterations: 10 } }).data.load).toEqual({
      profile: 'constant',
      users: 2,
      iterations: 10,
    });
  });

  it('locates each problem at the flag (or the URL) that gave the value', () => {
    expect(problems({ url: 'http://h/', load: { users: 0 } })).toEqual([
      '--users  load.users  expected a whole number of users, at least 1 (got 0)',
    ]);
    expect(problems({ url: 'http://h/', method: 'fetch', load: {}, maxErrorRate: 2 })).toEqual([
      '--method  requests[0].method  expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (got "FETCH"); did you mean "PATCH"?',
      '--max-error-rate  sla.max_error_rate  expected a fraction between 0 and 1 (0.01 means 1%) (got 2)',
    ]);
    expect(() => quickScenario({ url: 'http://', load: {} })).toThrow('http://: not a URL (expected http://host:port/path or https://…)');
    expect(() => quickScenario({ url: 'ftp://h/', load: {} })).toThrow('ftp://h/: only http:// and https:// URLs can be run');
    expect(() => quickScenario({ url: 'http://h/', headers: ['no colon'], load: {} })).toThrow(
      '-H: expected "name: value", not "no colon"',
    );
  });
});
