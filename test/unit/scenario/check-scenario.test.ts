import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../../src/scenario/check-scenario.js';
import type { LoadSpec, RequestSpec, ScenarioData } from '../../../src/scenario/types.js';

const CONSTANT: LoadSpec = { profile: 'constant', users: 5, duration: '30s' };

function scenario(overrides: Partial<ScenarioData> = {}): ScenarioData {
  return { target: 'http://127.0.0.1:8080', requests: [{ path: '/' }], load: CONSTANT, ...overrides };
}

function withRequest(request: RequestSpec): ScenarioData {
  return scenario({ requests: [request] });
}

describe('checkScenario', () => {
  it('finds nothing wrong in a minimal scenario', () => {
    expect(checkScenario(scenario())).toEqual([]);
  });

  it('refuses a URL that parses but cannot be sent as written: port 0, credentials in it', () => {
    expect(checkScenario(scenario({ target: 'http://127.0.0.1:0' }))).toEqual([
      { path: ['target'], at: 'value', message: 'port 0 names no server: give the port the target listens on' },
    ]);
    const credentials = 'credentials in a URL are not sent: use auth: {basic: {username, password}} (with ${ENV} for the password)';
    expect(checkScenario(scenario({ target: 'http://u:p@127.0.0.1:8080' }))).toEqual([
      { path: ['target'], at: 'value', message: credentials },
    ]);
    expect(checkScenario(withRequest({ url: 'http://user@127.0.0.1:8080/x' }))).toEqual([
      { path: ['requests', 0, 'url'], at: 'value', message: credentials },
    ]);
  });

  it('refuses a duration under 1 ms (it would round to nothing) and a request timeout over an hour', () => {
    expect(checkScenario(withRequest({ path: '/', timeout: '0.1ms' }))).toEqual([
      {
        path: ['requests', 0, 'timeout'],
        at: 'value',
        message: 'a duration shorter than 1ms rounds to nothing: give at least 1ms (got "0.1ms")',
      },
    ]);
    expect(checkScenario(scenario({ load: { profile: 'constant', users: 5, duration: 0.0001 } }))).toEqual([
      { path: ['load', 'duration'], at: 'value', message: 'a duration shorter than 1ms rounds to nothing: give at least 1ms (got 0.0001)' },
    ]);
    expect(checkScenario(scenario({ defaults: { timeout: 1e12 } }))).toEqual([
      { path: ['defaults', 'timeout'], at: 'value', message: 'longer than the 1h this allows (got 1000000000000)' },
    ]);
    expect(checkScenario(withRequest({ path: '/', timeout: '1h' }))).toEqual([]);
  });

  it('needs requests or flows, and not both', () => {
    expect(checkScenario({ target: 'http://a.test', load: CONSTANT })).toEqual([
      { path: [], at: 'key', message: 'a scenario needs requests (a list of requests) or flows (multi-step journeys)' },
    ]);
    expect(checkScenario(scenario({ flows: [{ name: 'browse', steps: [{ path: '/' }] }] }))).toEqual([
      { path: ['flows'], at: 'key', message: 'use either requests or flows, not both' },
    ]);
  });

  it('needs exactly one of path and url, and a target for a path', () => {
    expect(checkScenario(withRequest({ path: '/', url: 'http://a.test/' }))).toEqual([
      { path: ['requests', 0, 'url'], at: 'key', message: 'give either path or url, not both' },
    ]);
    expect(checkScenario(withRequest({ method: 'GET' }))).toEqual([
      { path: ['requests', 0], at: 'value', message: 'a request needs a path (resolved against target) or an absolute url' },
    ]);
    expect(checkScenario({ requests: [{ path: '/' }], load: CONSTANT })).toEqual([
      {
        path: ['requests', 0, 'path'],
        at: 'key',
        message: 'a path needs a target: add target: http://host:port at the top, or give an absolute url',
      },
    ]);
  });

  it('allows one body only, pointing at the second', () => {
    expect(checkScenario(withRequest({ path: '/', json: { a: 1 }, form: { b: 'c' } }))).toEqual([
      { path: ['requests', 0, 'form'], at: 'key', message: 'give only one body: json and form were both set' },
    ]);
  });

  it('refuses a think time whose max is below its min, in requests, flows and defaults', () => {
    const message = 'max must not be below min';
    expect(checkScenario(withRequest({ path: '/', think_time: { min: '2s', max: '500ms' } }))).toEqual([
      { path: ['requests', 0, 'think_time', 'max'], at: 'value', message },
    ]);
    expect(
      checkScenario({
        target: 'http://a.test',
        flows: [{ name: 'f', steps: [{ path: '/' }, { think: { min: 3, max: 1 } }] }],
        defaults: { think_time: { min: '1m', max: '59s' } },
        load: CONSTANT,
      }),
    ).toEqual([
      { path: ['flows', 0, 'steps', 1, 'think', 'max'], at: 'value', message },
      { path: ['defaults', 'think_time', 'max'], at: 'value', message },
    ]);
    expect(checkScenario(withRequest({ path: '/', think_time: { min: '1s', max: '1s' } }))).toEqual([]);
  });

  it('checks captures: one source, group only with regex, a valid regex', () => {
    expect(
      checkScenario(
        withRequest({
          path: '/',
          capture: [
            { as: 'a', json: '$.id', header: 'x-id' },
            { as: 'b', json: '$.id', group: 1 },
            { as: 'c', regex: 'id=(' },
          ],
        }),
      ),
    ).toEqual([
      { path: ['requests', 0, 'capture', 0], at: 'value', message: 'a capture takes exactly one of json, header, regex or status' },
      { path: ['requests', 0, 'capture', 1, 'group'], at: 'key', message: 'group applies to a regex capture' },
      {
        path: ['requests', 0, 'capture', 2, 'regex'],
        at: 'value',
        message: 'not a valid regular expression: Invalid regular expression: /id=(/: Unterminated group',
      },
    ]);
  });

  it('checks body_matches in expect and defaults.expect', () => {
    expect(checkScenario(scenario({ defaults: { expect: { body_matches: '[a-' } } }))).toEqual([
      {
        path: ['defaults', 'expect', 'body_matches'],
        at: 'value',
        message: 'not a valid regular expression: Invalid regular expression: /[a-/: Unterminated character class',
      },
    ]);
  });

  it('checks every JSONPath: captures and expect.json of requests, setup, before, flow steps and defaults', () => {
    const capture = [{ as: 'id', json: '$.a[' }];
    const expectJson = {
      json: [
        { path: '$.ok', equals: true },
        { path: '$[?(@.a==', equals: 1 },
      ],
    };
    const { requests: _, ...base } = scenario();
    const data: ScenarioData = {
      ...base,
      setup: [{ path: '/s', capture }],
      before: [{ path: '/b', expect: expectJson }],
      flows: [{ name: 'f', steps: [{ think: '1s' }, { path: '/x', capture, expect: expectJson }] }],
      defaults: { expect: { json: [{ path: '$[1:2:3:4]', equals: 1 }] } },
    };
    const bracket = 'not a valid JSONPath: "[" at character 4 is never closed';
    const filter = 'not a valid JSONPath: "(" at character 4 is never closed';
    expect(checkScenario(data)).toEqual([
      { path: ['setup', 0, 'capture', 0, 'json'], at: 'value', message: bracket },
      { path: ['before', 0, 'expect', 'json', 1, 'path'], at: 'value', message: filter },
      { path: ['flows', 0, 'steps', 1, 'expect', 'json', 1, 'path'], at: 'value', message: filter },
      { path: ['flows', 0, 'steps', 1, 'capture', 0, 'json'], at: 'value', message: bracket },
      {
        path: ['defaults', 'expect', 'json', 0, 'path'],
        at: 'value',
        message: 'not a valid JSONPath: a slice at character 2 has at most three parts: [start:end:step]',
      },
    ]);
  });

  it('parses the metric selectors of a prometheus monitor source', () => {
    const prometheus = (cpu_metric: string, memory_metric: string) => ({
      prometheus: { url: 'http://127.0.0.1:9100/metrics', cpu_metric, memory_metric },
    });
    const data = scenario({
      monitor: {
        sources: [prometheus('node_cpu_seconds_total{mode!="idle"}', 'node_memory_Active_bytes'), prometheus('bar{', 'm{1a="x"}')],
      },
    });
    expect(checkScenario(data)).toEqual([
      {
        path: ['monitor', 'sources', 1, 'prometheus', 'cpu_metric'],
        at: 'value',
        message: 'not a metric selector: "{" at character 4 is never closed',
      },
      {
        path: ['monitor', 'sources', 1, 'prometheus', 'memory_metric'],
        at: 'value',
        message:
          'not a metric selector: expected a label name (letters, digits and _, not starting with a digit) at character 3, found "1"',
      },
    ]);
  });

  it('needs a duration or an iterations budget for the constant profile, not both, and max_duration only with iterations', () => {
    expect(checkScenario(scenario({ load: { profile: 'constant', users: 5 } }))).toEqual([
      {
        path: ['load'],
        at: 'key',
        message: 'the constant profile needs a duration (e.g. duration: 30s), an iterations budget or iterations_per_user',
      },
    ]);
    expect(checkScenario(scenario({ load: { profile: 'constant', users: 5, duration: '1s', iterations: 10 } }))).toEqual([
      {
        path: ['load', 'iterations'],
        at: 'key',
        message: 'give one of duration, iterations or iterations_per_user, not duration and iterations',
      },
    ]);
    expect(checkScenario(scenario({ load: { profile: 'constant', users: 5, duration: '1s', iterations_per_user: 3 } }))).toEqual([
      {
        path: ['load', 'iterations_per_user'],
        at: 'key',
        message: 'give one of duration, iterations or iterations_per_user, not duration and iterations_per_user',
      },
    ]);
    expect(checkScenario(scenario({ load: { profile: 'constant', users: 5, iterations_per_user: 3, max_duration: '1m' } }))).toEqual([]);
    expect(checkScenario(scenario({ load: { profile: 'constant', users: 5, duration: '1s', max_duration: '1m' } }))).toEqual([
      { path: ['load', 'max_duration'], at: 'key', message: 'max_duration bounds an iterations budget; with a duration, leave it out' },
    ]);
  });

  it('refuses a ramp down, and accepts a flat ramp', () => {
    expect(checkScenario(scenario({ load: { profile: 'ramp', start_users: 20, end_users: 5, ramp_duration: '10s' } }))).toEqual([
      {
        path: ['load', 'end_users'],
        at: 'value',
        message: 'end_users (5) is below start_users (20): ramp only ramps up; use profile: stages to ramp down',
      },
    ]);
    expect(checkScenario(scenario({ load: { profile: 'ramp', start_users: 5, end_users: 5, ramp_duration: '10s' } }))).toEqual([]);
  });

  it('refuses stage profiles that would send nothing', () => {
    expect(checkScenario(scenario({ load: { profile: 'stages', stages: [{ duration: '10s', users: 0 }] } }))).toEqual([
      { path: ['load', 'stages'], at: 'value', message: 'every stage has 0 users: this profile would send nothing' },
    ]);
    expect(checkScenario(scenario({ load: { profile: 'stages', start_users: 3, stages: [{ duration: '10s', users: 0 }] } }))).toEqual([]);
    expect(checkScenario(scenario({ load: { profile: 'ramping_arrival_rate', stages: [{ duration: '10s', rate: 0 }] } }))).toEqual([
      { path: ['load', 'stages'], at: 'value', message: 'every stage has rate 0: this profile would send nothing' },
    ]);
  });

  it('refuses a breaking point whose max_rate is below start_rate', () => {
    expect(
      checkScenario(scenario({ load: { profile: 'breaking_point', start_rate: 100, step_rate: 10, max_rate: 50, step_duration: '30s' } })),
    ).toEqual([{ path: ['load', 'max_rate'], at: 'value', message: 'max_rate (50) is below start_rate (100)' }]);
  });

  it('matches the warmup to the model: rate for open profiles, users for closed ones', () => {
    expect(
      checkScenario(scenario({ load: { profile: 'arrival_rate', rate: 10, duration: '1m', warmup: { duration: '10s', users: 5 } } })),
    ).toEqual([{ path: ['load', 'warmup', 'users'], at: 'key', message: 'the arrival_rate profile warms up at a rate: use warmup.rate' }]);
    expect(checkScenario(scenario({ load: { ...CONSTANT, warmup: { duration: '10s', rate: 5 } } }))).toEqual([
      { path: ['load', 'warmup', 'rate'], at: 'key', message: 'the constant profile warms up with users: use warmup.users' },
    ]);
  });

  it('refuses thresholds for request names that do not exist', () => {
    const data = scenario({
      requests: [
        { name: 'home', path: '/' },
        { method: 'POST', path: '/login' },
      ],
      sla: {
        requests: { home: { p95_latency_ms: 100 }, 'POST /login': { p95_latency_ms: 100 }, hom: { p95_latency_ms: 1 }, checkout: {} },
      },
    });
    expect(checkScenario(data)).toEqual([
      { path: ['sla', 'requests', 'hom'], at: 'key', message: 'no request is named "hom"; did you mean "home"?' },
      {
        path: ['sla', 'requests', 'checkout'],
        at: 'key',
        message: 'no request is named "checkout"; requests are named "home", "POST /login"',
      },
    ]);
  });

  it('needs exactly one of process or prometheus in a monitor source', () => {
    expect(checkScenario(scenario({ monitor: { sources: [{ name: 'none' }, { process: { pid: 1 } }] } }))).toEqual([
      { path: ['monitor', 'sources', 0], at: 'value', message: 'a monitor source takes exactly one of process or prometheus' },
    ]);
  });
});
