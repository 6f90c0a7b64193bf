import { chmod, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Alias } from 'yaml';
import { ExitCode, ScenarioError } from '../../../src/errors.js';
import type { ScenarioIssue } from '../../../src/errors.js';
import type { Environment } from '../../../src/scenario/env.js';
import { loadScenario, MAX_SCENARIO_BYTES, parseScenario } from '../../../src/scenario/load-scenario.js';
import type { Scenario } from '../../../src/scenario/types.js';

const FILE = 'scenario.yaml';
const BASE_DIR = '/scenarios';

/** Lines of YAML, so that line numbers in the tests can be counted from the array index + 1. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function parse(text: string, env: Environment = {}): Scenario {
  return parseScenario(text, FILE, { env, baseDir: BASE_DIR });
}

function errorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but nothing was thrown');
}

function issuesOf(text: string, env: Environment = {}): readonly ScenarioIssue[] {
  return errorOf(() => parse(text, env)).issues;
}

/** One issue at `line:column` of FILE. */
function issue(line: number, column: number, path: string, message: string): ScenarioIssue {
  return { file: FILE, line, column, path, message };
}

const USERS_MESSAGE = 'expected a whole number of users, at least 1';
const DURATION_MESSAGE = 'expected a duration greater than zero, such as 250ms, 30s, 2m, 1h30m or a number of seconds';
const URL_MESSAGE = 'expected an absolute http:// or https:// URL, e.g. http://127.0.0.1:8080';
const LIMIT_MS_MESSAGE = 'expected a number of milliseconds greater than zero';
const EMPTY_MESSAGE = 'the file is empty: a scenario needs at least load and requests (loadseed init writes an example)';

/** target + one request on lines 1-3; load starts on line 4. */
const HEAD = ['target: http://127.0.0.1:8080', 'requests:', '  - path: /'] as const;

describe('parseScenario: valid scenarios', () => {
  it('parses a minimal scenario: target, requests and a constant load', () => {
    const scenario = parse(yaml(...HEAD, 'load:', '  profile: constant', '  users: 5', '  duration: 30s'));
    expect(scenario).toEqual({
      file: FILE,
      baseDir: BASE_DIR,
      data: {
        target: 'http://127.0.0.1:8080',
        requests: [{ path: '/' }],
        load: { profile: 'constant', users: 5, duration: '30s' },
      },
      envVarsUsed: [],
    });
  });

  it('reads an unquoted ${USERS:-10} as the number 10 and validates it as users', () => {
    const scenario = parse(yaml(...HEAD, 'load:', '  profile: constant', '  users: ${USERS:-10}', '  duration: 30s'));
    expect(scenario.data.load).toEqual({ profile: 'constant', users: 10, duration: '30s' });
    expect(scenario.envVarsUsed).toEqual([]);
  });

  it('takes a set variable over the default, and lists it in envVarsUsed once', () => {
    const scenario = parse(
      yaml(
        'target: ${TARGET}',
        'requests:',
        '  - path: /',
        '    headers:',
        '      authorization: "Bearer ${TOKEN}"',
        '      x-again: "${TOKEN}"',
        'load:',
        '  profile: constant',
        '  users: ${USERS:-10}',
        '  duration: ${DURATION:-5s}',
      ),
      { TARGET: 'http://api.test', TOKEN: 's3cret', USERS: '25' },
    );
    expect(scenario.data.target).toBe('http://api.test');
    expect(scenario.data.requests?.[0]?.headers).toEqual({ authorization: 'Bearer s3cret', 'x-again': 's3cret' });
    expect(scenario.data.load).toEqual({ profile: 'constant', users: 25, duration: '5s' });
    expect(scenario.envVarsUsed).toEqual(['TARGET', 'TOKEN', 'USERS']);
  });

  it('keeps a quoted substitution a string, so "${USERS:-10}" is not a number of users', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: "${USERS:-10}"', '  duration: 30s'))).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got "10")`),
    ]);
  });

  it('keeps $${ as a literal ${ in a value', () => {
    const scenario = parse(yaml(...HEAD, '    body: "$${not_a_var}"', 'load:', '  profile: constant', '  users: 1', '  duration: 1s'));
    expect(scenario.data.requests?.[0]?.body).toBe('${not_a_var}');
  });

  it.each([
    ['constant', ['  profile: constant', '  users: 50', '  duration: 1m'], { profile: 'constant', users: 50, duration: '1m' }],
    [
      'constant with iterations',
      ['  profile: constant', '  users: 4', '  iterations: 1000', '  max_duration: 2m'],
      { profile: 'constant', users: 4, iterations: 1000, max_duration: '2m' },
    ],
    [
      'ramp',
      ['  profile: ramp', '  start_users: 1', '  end_users: 100', '  ramp_duration: 2m', '  steady_duration: 30s'],
      { profile: 'ramp', start_users: 1, end_users: 100, ramp_duration: '2m', steady_duration: '30s' },
    ],
    [
      'stages',
      [
        '  profile: stages',
        '  stages:',
        '    - { duration: 30s, users: 10 }',
        '    - { duration: 1m, users: 50 }',
        '    - { duration: 30s, users: 0 }',
      ],
      {
        profile: 'stages',
        stages: [
          { duration: '30s', users: 10 },
          { duration: '1m', users: 50 },
          { duration: '30s', users: 0 },
        ],
      },
    ],
    [
      'arrival_rate',
      ['  profile: arrival_rate', '  rate: 200', '  duration: 1m', '  max_users: 500'],
      { profile: 'arrival_rate', rate: 200, duration: '1m', max_users: 500 },
    ],
    [
      'ramping_arrival_rate',
      [
        '  profile: ramping_arrival_rate',
        '  start_rate: 10',
        '  stages:',
        '    - { duration: 1m, rate: 100 }',
        '    - { duration: 30s, rate: 0 }',
      ],
      {
        profile: 'ramping_arrival_rate',
        start_rate: 10,
        stages: [
          { duration: '1m', rate: 100 },
          { duration: '30s', rate: 0 },
        ],
      },
    ],
    [
      'breaking_point',
      ['  profile: breaking_point', '  start_rate: 10', '  step_rate: 10', '  max_rate: 500', '  step_duration: 30s'],
      { profile: 'breaking_point', start_rate: 10, step_rate: 10, max_rate: 500, step_duration: '30s' },
    ],
  ] as const)('parses a valid %s profile', (_kind, loadLines, expected) => {
    expect(parse(yaml(...HEAD, 'load:', ...loadLines)).data.load).toEqual(expected);
  });

  it('accepts durations written as numbers of seconds', () => {
    expect(parse(yaml(...HEAD, 'load:', '  profile: constant', '  users: 1', '  duration: 1.5')).data.load).toEqual({
      profile: 'constant',
      users: 1,
      duration: 1.5,
    });
  });

  it('accepts per-request thresholds for a request by its name or by METHOD path', () => {
    const scenario = parse(
      yaml(
        ...HEAD,
        '    name: home',
        '  - method: POST',
        '    path: /login',
        'load: { profile: constant, users: 1, duration: 1s }',
        'sla:',
        '  p95_latency_ms: 300',
        '  requests:',
        '    home: { p99_latency_ms: 500 }',
        '    POST /login: { max_error_rate: 0.01 }',
      ),
    );
    expect(scenario.data.sla).toEqual({
      p95_latency_ms: 300,
      requests: { home: { p99_latency_ms: 500 }, 'POST /login': { max_error_rate: 0.01 } },
    });
  });
});

describe('parseScenario: YAML syntax errors', () => {
  it('points at the value of a nested mapping written on one line', () => {
    expect(issuesOf(yaml('target: http://127.0.0.1:8080', 'load: profile: constant'))).toEqual([
      issue(2, 7, '', 'YAML syntax error: Nested mappings are not allowed in compact mappings'),
    ]);
  });

  it('points at a tab used as indentation', () => {
    expect(issuesOf(yaml('target: http://127.0.0.1:8080', 'load:', '\tprofile: constant'))).toEqual([
      issue(3, 1, '', 'YAML syntax error: Tabs are not allowed as indentation'),
    ]);
  });

  it('points at the second of two equal keys', () => {
    expect(issuesOf(yaml('target: http://a.test', 'target: http://b.test', 'load: { profile: constant, users: 1, duration: 1s }'))).toEqual(
      [issue(2, 1, '', 'YAML syntax error: Map keys must be unique')],
    );
  });

  it('reports an unclosed flow sequence where the parser notices it: the start of the next line', () => {
    expect(issuesOf(yaml(...HEAD, '    method: [GET', 'load:', '  profile: constant'))).toEqual([
      issue(5, 1, '', 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'),
    ]);
  });

  it('refuses a second document in the file at its --- marker', () => {
    expect(issuesOf(yaml(...HEAD, 'load: { profile: constant, users: 1, duration: 1s }', '---', 'other: 1'))).toEqual([
      issue(5, 1, '', 'YAML syntax error: Source contains multiple documents; please use YAML.parseAllDocuments()'),
    ]);
  });

  it('formats the error message as file:line:column  path  message, with a stable code and exit code', () => {
    const error = errorOf(() => parse(yaml(...HEAD, 'load:', '  profile: constant', '  users: 0', '  duration: 1s')));
    expect(error.message).toBe(`${FILE}:6:10  load.users  ${USERS_MESSAGE} (got 0)`);
    expect(error.code).toBe('LS_SCENARIO_INVALID');
    expect(error.exitCode).toBe(ExitCode.InvalidInput);
    expect(error.file).toBe(FILE);
  });
});

describe('parseScenario: empty and non-mapping documents', () => {
  it('refuses empty text without a position', () => {
    expect(issuesOf('')).toEqual([{ file: FILE, path: '', message: EMPTY_MESSAGE }]);
  });

  it('refuses text with only comments as empty', () => {
    expect(issuesOf(yaml('# a scenario', '# still to be written'))).toEqual([{ file: FILE, path: '', message: EMPTY_MESSAGE }]);
  });

  it('refuses a list at the top level', () => {
    expect(issuesOf(yaml('# requests', '- path: /'))).toEqual([
      issue(2, 1, '', 'expected a mapping at the top level, with keys such as name, target, requests and load'),
    ]);
  });
});

describe('parseScenario: unknown keys', () => {
  it('suggests "users" for userz under load, and reports the required users as missing at the load key', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  userz: 5', '  duration: 10s'))).toEqual([
      issue(4, 1, 'load', 'missing required key "users"'),
      issue(6, 3, 'load.userz', 'unknown key "userz"; did you mean "users"?'),
    ]);
  });

  it('suggests "requests" for a top-level requets', () => {
    expect(
      issuesOf(
        yaml('target: http://127.0.0.1:8080', 'requets:', '  - path: /', 'load:', '  profile: constant', '  users: 5', '  duration: 10s'),
      ),
    ).toEqual([issue(2, 1, 'requets', 'unknown key "requets"; did you mean "requests"?')]);
  });

  it('suggests "path" for pth inside a request', () => {
    expect(
      issuesOf(yaml('target: http://127.0.0.1:8080', 'requests:', '  - pth: /', 'load: { profile: constant, users: 1, duration: 1s }')),
    ).toEqual([issue(3, 5, 'requests[0].pth', 'unknown key "pth"; did you mean "path"?')]);
  });

  it('suggests threshold names under sla and sla.requests', () => {
    expect(
      issuesOf(
        yaml(
          ...HEAD,
          '    name: home',
          'load: { profile: constant, users: 1, duration: 1s }',
          'sla:',
          '  p95_latncy_ms: 5',
          '  requests:',
          '    home:',
          '      max_eror_rate: 0.1',
        ),
      ),
    ).toEqual([
      issue(7, 3, 'sla.p95_latncy_ms', 'unknown key "p95_latncy_ms"; did you mean "p95_latency_ms"?'),
      issue(10, 7, 'sla.requests.home.max_eror_rate', 'unknown key "max_eror_rate"; did you mean "max_error_rate"?'),
    ]);
  });

  it('lists the valid keys when nothing is near, and a misspelt profile gets a suggestion', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constnt', '  users: 5'))).toEqual([
      issue(
        5,
        12,
        'load.profile',
        'expected one of constant, ramp, stages, arrival_rate, ramping_arrival_rate, breaking_point (got "constnt"); did you mean "constant"?',
      ),
      issue(6, 3, 'load.users', 'unknown key "users"; expected one of profile, warmup, grace_period'),
    ]);
  });
});

describe('parseScenario: keys named like Object.prototype members', () => {
  const NAMES = ['constructor', 'toString', '__proto__'] as const;
  const LOAD_KEYS = 'profile, warmup, grace_period, users, duration, iterations, iterations_per_user, max_duration';
  const THRESHOLD_KEYS =
    'max_avg_latency_ms, max_latency_ms, p50_latency_ms, p75_latency_ms, p90_latency_ms, p95_latency_ms, p99_latency_ms, p99.9_latency_ms, max_error_rate, min_rps, max_dropped_rate';

  /** Requests on lines 1-3 (one named home), load on line 4, `extra` from line 5. */
  const scenarioWith = (load: string, ...extra: string[]): string =>
    yaml(
      'target: http://127.0.0.1:8080',
      'requests:',
      '  - {name: home, path: /}',
      `load: {profile: constant, users: 1, duration: 1s${load}}`,
      ...extra,
    );

  for (const name of NAMES) {
    it(`refuses ${name} under load, sla and sla.requests.<name> as an unknown key`, () => {
      expect(issuesOf(scenarioWith(`, ${name}: 1`)).map((found) => [found.path, found.message])).toEqual([
        [`load.${name}`, `unknown key "${name}"; expected one of ${LOAD_KEYS}`],
      ]);
      expect(issuesOf(scenarioWith('', `sla: {${name}: 1}`))).toEqual([
        issue(5, 7, `sla.${name}`, `unknown key "${name}"; expected one of ${THRESHOLD_KEYS}, abort_on_fail, requests, tags, metrics`),
      ]);
      expect(issuesOf(scenarioWith('', `sla: {requests: {home: {${name}: 1}}}`))).toEqual([
        issue(5, 25, `sla.requests.home.${name}`, `unknown key "${name}"; expected one of ${THRESHOLD_KEYS}`),
      ]);
    });

    it(`refuses ${name} in other mappings: top level, a request, defaults, http, report, a stage, a misspelt profile`, () => {
      const paths = (text: string): string[] => issuesOf(text).map((found) => `${found.path}: ${found.message.split(';')[0] ?? ''}`);
      const unknown = (path: string): string => `${path}.${name}: unknown key "${name}"`;
      expect(paths(scenarioWith('', `${name}: 1`))).toEqual([`${name}: unknown key "${name}"`]);
      expect(paths(scenarioWith('').replace('path: /}', `path: /, ${name}: 1}`))).toEqual([unknown('requests[0]')]);
      expect(paths(scenarioWith('', `defaults: {${name}: 1}`))).toEqual([unknown('defaults')]);
      expect(paths(scenarioWith('', `http: {${name}: 1}`))).toEqual([unknown('http')]);
      expect(paths(scenarioWith('', `report: {${name}: 1}`))).toEqual([unknown('report')]);
      expect(
        paths(
          scenarioWith('').replace(
            '{profile: constant, users: 1, duration: 1s',
            `{profile: stages, stages: [{duration: 1s, users: 1, ${name}: 1}]`,
          ),
        ),
      ).toEqual([unknown('load.stages[0]')]);
      expect(
        paths(scenarioWith('').replace('profile: constant', 'profile: constnt').replace('users: 1, duration: 1s', `${name}: 1`)),
      ).toEqual([
        'load.profile: expected one of constant, ramp, stages, arrival_rate, ramping_arrival_rate, breaking_point (got "constnt")',
        unknown('load'),
      ]);
    });

    it(`accepts ${name} where any key is allowed: a request name, its sla.requests key, a variable, a header`, () => {
      const text = yaml(
        'target: http://127.0.0.1:8080',
        'variables: {' + name + ': 1}',
        'requests:',
        `  - {name: ${name}, path: /, headers: {${name}: x}}`,
        'load: {profile: constant, users: 1, duration: 1s}',
        `sla: {requests: {${name}: {max_error_rate: 0.5}}}`,
      );
      const data = parse(text).data;
      expect(Object.hasOwn(data.variables ?? {}, name)).toBe(true);
      expect(data.sla === false ? undefined : Object.keys(data.sla?.requests ?? {})).toEqual([name]);
    });
  }
});

describe('parseScenario: header values', () => {
  it('refuses CR, LF, NUL and non-Latin-1 in header values, located at the value, in requests, defaults and flow steps', () => {
    expect(
      issuesOf(
        yaml(
          'target: http://127.0.0.1:8080',
          'defaults: {headers: {x-d: "a\\nb"}}',
          'flows:',
          '  - name: f',
          '    steps: [{path: /, headers: {x-a: "foo\\r\\nbar", x-b: "a\\0b", x-c: "ü€", x-t: "Bearer {{ $uuid }}"}}]',
          'load: {profile: constant, users: 1, duration: 1s}',
        ),
      ),
    ).toEqual([
      issue(2, 27, 'defaults.headers.x-d', 'header values must not contain CR, LF or NUL (got "\\n" at character 2)'),
      issue(5, 38, 'flows[0].steps[0].headers.x-a', 'header values must not contain CR, LF or NUL (got "\\r" at character 4)'),
      issue(5, 57, 'flows[0].steps[0].headers.x-b', 'header values must not contain CR, LF or NUL (got "\\u0000" at character 2)'),
      issue(5, 70, 'flows[0].steps[0].headers.x-c', 'header values must be Latin-1 (got "€" at character 2)'),
    ]);
  });
});

describe('parseScenario: request names', () => {
  it('accepts a number as a request name, as its text, matching the same number as an sla.requests key', () => {
    const data = parse(
      yaml(
        'target: http://127.0.0.1:8080',
        'requests: [{name: 50, path: /}, {name: 1.50, path: /a}]',
        'load: {profile: constant, users: 1, duration: 1s}',
        'sla: {requests: {50: {max_error_rate: 0.1}, 1.50: {max_error_rate: 0.2}}}',
      ),
    ).data;
    expect(data.requests?.map((request) => request.name)).toEqual(['50', '1.5']);
    expect(data.sla === false ? undefined : Object.keys(data.sla?.requests ?? {}).sort()).toEqual(['1.5', '50']);
  });

  it('accepts a number as a flow step name', () => {
    const data = parse(
      yaml(
        'target: http://127.0.0.1:8080',
        'flows: [{name: f, steps: [{name: 7, path: /}]}]',
        'load: {profile: constant, users: 1, duration: 1s}',
      ),
    ).data;
    expect(data.flows?.[0]?.steps[0]).toEqual({ name: '7', path: '/' });
  });

  it('refuses true, an empty name and a mapping as a request name', () => {
    for (const [name, message] of [
      ['true', 'expected a string or a number (got true)'],
      ['""', 'must not be empty (got "")'],
      ['{a: 1}', 'expected a string or a number (got a mapping)'],
    ] as const) {
      expect(
        issuesOf(
          yaml(
            'target: http://127.0.0.1:8080',
            `requests: [{name: ${name}, path: /}]`,
            'load: {profile: constant, users: 1, duration: 1s}',
          ),
        ),
      ).toEqual([issue(2, 19, 'requests[0].name', message)]);
    }
  });
});

describe('parseScenario: wrong values', () => {
  it('says a whole number is expected for users: "fifty" and quotes it', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: "fifty"', '  duration: 10s'))).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got "fifty")`),
    ]);
  });

  it('refuses users: 0', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: 0', '  duration: 10s'))).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got 0)`),
    ]);
  });

  it('refuses users: -5', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: -5', '  duration: 10s'))).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got -5)`),
    ]);
  });

  it('refuses a fractional number of users', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: 1.5', '  duration: 10s'))).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got 1.5)`),
    ]);
  });

  it('refuses duration: 0s', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: 5', '  duration: 0s'))).toEqual([
      issue(7, 13, 'load.duration', `${DURATION_MESSAGE} (got "0s")`),
    ]);
  });

  it('refuses duration: 0 (seconds)', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: 5', '  duration: 0'))).toEqual([
      issue(7, 13, 'load.duration', `${DURATION_MESSAGE} (got 0)`),
    ]);
  });

  it('refuses duration: -3s', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: 5', '  duration: -3s'))).toEqual([
      issue(7, 13, 'load.duration', `${DURATION_MESSAGE} (got "-3s")`),
    ]);
  });

  it('quotes infinite and NaN numbers as such, not as null', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: .nan', '  duration: .inf'))).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got NaN)`),
      issue(7, 13, 'load.duration', `${DURATION_MESSAGE} (got Infinity)`),
    ]);
    expect(issuesOf(yaml(...HEAD, 'load: { profile: constant, users: 1, duration: 1s }', 'sla:', '  p95_latency_ms: 1e400'))).toEqual([
      issue(6, 19, 'sla.p95_latency_ms', `${LIMIT_MS_MESSAGE} (got Infinity)`),
    ]);
  });

  it('refuses end_users below start_users in a ramp, at the end_users value', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: ramp', '  start_users: 20', '  end_users: 5', '  ramp_duration: 10s'))).toEqual([
      issue(7, 14, 'load.end_users', 'end_users (5) is below start_users (20): ramp only ramps up; use profile: stages to ramp down'),
    ]);
  });

  it('refuses a target without a scheme', () => {
    expect(
      issuesOf(yaml('target: example.test', 'requests:', '  - path: /', 'load: { profile: constant, users: 1, duration: 1s }')),
    ).toEqual([issue(1, 9, 'target', `${URL_MESSAGE} (got "example.test")`)]);
  });

  it('refuses a target with an unsupported scheme', () => {
    expect(
      issuesOf(yaml('target: ftp://example.test/files', 'requests:', '  - path: /', 'load: { profile: constant, users: 1, duration: 1s }')),
    ).toEqual([issue(1, 9, 'target', `${URL_MESSAGE} (got "ftp://example.test/files")`)]);
  });

  it('refuses a request url without a scheme, at the url value', () => {
    expect(issuesOf(yaml('requests:', '  - url: example.test/health', 'load: { profile: constant, users: 1, duration: 1s }'))).toEqual([
      issue(2, 10, 'requests[0].url', `${URL_MESSAGE} (got "example.test/health")`),
    ]);
  });

  it('refuses a threshold that is not a number', () => {
    expect(issuesOf(yaml(...HEAD, 'load: { profile: constant, users: 1, duration: 1s }', 'sla:', '  p95_latency_ms: fast'))).toEqual([
      issue(6, 19, 'sla.p95_latency_ms', `${LIMIT_MS_MESSAGE} (got "fast")`),
    ]);
  });

  it('refuses a per-request threshold that is not a number', () => {
    expect(
      issuesOf(
        yaml(
          ...HEAD,
          '    name: home',
          'load: { profile: constant, users: 1, duration: 1s }',
          'sla:',
          '  requests:',
          '    home:',
          '      p95_latency_ms: fast',
        ),
      ),
    ).toEqual([issue(9, 23, 'sla.requests.home.p95_latency_ms', `${LIMIT_MS_MESSAGE} (got "fast")`)]);
  });

  it('refuses a threshold for a request name that does not exist, at the name, with a suggestion or the names there are', () => {
    expect(
      issuesOf(
        yaml(
          ...HEAD,
          '    name: home',
          '  - path: /login',
          '    name: login',
          'load: { profile: constant, users: 1, duration: 1s }',
          'sla:',
          '  requests:',
          '    hom:',
          '      p95_latency_ms: 200',
          '    checkout:',
          '      p95_latency_ms: 200',
        ),
      ),
    ).toEqual([
      issue(10, 5, 'sla.requests.hom', 'no request is named "hom"; did you mean "home"?'),
      issue(12, 5, 'sla.requests.checkout', 'no request is named "checkout"; requests are named "home", "login"'),
    ]);
  });
});

describe('parseScenario: environment variables', () => {
  it('names a missing variable without default, at the position of the value', () => {
    expect(issuesOf(yaml('target: ${TARGET}', 'requests:', '  - path: /', 'load: { profile: constant, users: 1, duration: 1s }'))).toEqual([
      issue(1, 9, 'target', 'environment variable TARGET is not set (write ${TARGET:-default} to give a default)'),
    ]);
  });

  it('names a missing variable inside a quoted header value, at the opening quote', () => {
    expect(
      issuesOf(
        yaml(...HEAD, '    headers:', '      authorization: "Bearer ${TOKEN}"', 'load: { profile: constant, users: 1, duration: 1s }'),
        { TOKEN: '' },
      ),
    ).toEqual([
      issue(
        5,
        22,
        'requests[0].headers.authorization',
        'environment variable TOKEN is not set (write ${TOKEN:-default} to give a default)',
      ),
    ]);
  });

  it('reports a variable missing twice in one value once', () => {
    expect(issuesOf(yaml(...HEAD, 'load: { profile: constant, users: 1, duration: 1s }', 'name: "${A}-${A}"'))).toEqual([
      issue(5, 7, 'name', 'environment variable A is not set (write ${A:-default} to give a default)'),
    ]);
  });

  it('locates a missing variable in a later list item and inside a flow collection', () => {
    expect(
      issuesOf(
        yaml(
          'target: http://127.0.0.1:8080',
          'requests: [{ path: / }, { path: "${Q}" }]',
          'load: { profile: constant, users: 1, duration: 1s }',
        ),
      ),
    ).toEqual([issue(2, 33, 'requests[1].path', 'environment variable Q is not set (write ${Q:-default} to give a default)')]);
  });

  it('reports malformed references at the value', () => {
    expect(
      issuesOf(yaml(...HEAD.slice(0, 2), '  - path: /${}', '  - path: /${1X}', 'load: { profile: constant, users: 1, duration: 1s }')),
    ).toEqual([
      issue(3, 11, 'requests[0].path', 'malformed reference ${}: expected ${NAME} or ${NAME:-default} ($${ for a literal ${)'),
      issue(4, 11, 'requests[1].path', 'malformed reference ${1X}: expected ${NAME} or ${NAME:-default} ($${ for a literal ${)'),
    ]);
  });

  it('validates a substituted value as what it becomes', () => {
    expect(issuesOf(yaml(...HEAD, 'load:', '  profile: constant', '  users: ${USERS}', '  duration: 1s'), { USERS: 'fifty' })).toEqual([
      issue(6, 10, 'load.users', `${USERS_MESSAGE} (got "fifty")`),
    ]);
  });

  it('types substituted plain values as YAML 1.2 would: 0x10 is 16, a signed hex number stays text', () => {
    const text = yaml(...HEAD, 'load:', '  profile: constant', '  users: ${USERS}', '  duration: 1s');
    expect(parse(text, { USERS: '0x10' }).data.load).toEqual({ profile: 'constant', users: 16, duration: '1s' });
    expect(issuesOf(text, { USERS: '-0x10' })).toEqual([issue(6, 10, 'load.users', `${USERS_MESSAGE} (got "-0x10")`)]);
  });
});

describe('parseScenario: YAML alias bomb', () => {
  /** "Billion laughs": 9 levels of 9 aliases each, 9^10 strings when expanded. */
  function aliasBomb(): string {
    const lines = [`lol0: &lol0 [${Array.from({ length: 9 }, () => '"lol"').join(', ')}]`];
    for (let level = 1; level <= 9; level++) {
      lines.push(`lol${level}: &lol${level} [${Array.from({ length: 9 }, () => `*lol${level - 1}`).join(', ')}]`);
    }
    return yaml(...HEAD, 'load: { profile: constant, users: 1, duration: 1s }', ...lines);
  }

  it('is refused before any alias is expanded, with a message about aliases', () => {
    // Quickly, counted in work rather than time: yaml expands an alias only through Alias#resolve (toJS);
    // the refusal comes from loadseed's own linear passes, before either is called once.
    const resolve = vi.spyOn(Alias.prototype, 'resolve');
    const toJSON = vi.spyOn(Alias.prototype, 'toJSON');
    try {
      const error = errorOf(() => parse(aliasBomb()));
      expect(error.issues).toEqual([
        issue(9, 14, '', 'refused: aliases expand too much (more than 1000 expansions at *lol3); a scenario never needs this many'),
      ]);
      expect(resolve).not.toHaveBeenCalled();
      expect(toJSON).not.toHaveBeenCalled();
    } finally {
      resolve.mockRestore();
      toJSON.mockRestore();
    }
    // The control: where aliases are expanded, the spy sees it (two aliases, resolved once each; the unknown
    // keys are refused only after).
    const resolveSmall = vi.spyOn(Alias.prototype, 'resolve');
    try {
      errorOf(() => parse(yaml(...HEAD, 'load: { profile: constant, users: 1, duration: 1s }', 'x-a: &a [1, 2]', 'x-b: [*a, *a]')));
      expect(resolveSmall).toHaveBeenCalledTimes(2);
    } finally {
      resolveSmall.mockRestore();
    }
  });

  it('refuses an undefined alias at the alias, not as an expansion', () => {
    expect(
      issuesOf(
        yaml('target: http://127.0.0.1:8080', 'requests: [{name: a, path: *nope}]', 'load: {profile: constant, users: 1, duration: 1s}'),
      ),
    ).toEqual([issue(2, 28, '', 'undefined alias *nope (an anchor &nope must come before it)')]);
  });

  it('refuses an alias before its anchor, each undefined alias once per use', () => {
    expect(issuesOf(yaml('x: &a 1', 'y: [*a, *b, *c]', 'z: &b 2'))).toEqual([
      issue(2, 9, '', 'undefined alias *b (an anchor &b must come before it)'),
      issue(2, 13, '', 'undefined alias *c (an anchor &c must come before it)'),
    ]);
  });

  it('still allows a few aliases', () => {
    const scenario = parse(
      yaml(
        ...HEAD,
        '    name: home',
        'load: { profile: constant, users: &n 5, duration: 1s }',
        'sla:',
        '  requests:',
        '    home: { p95_latency_ms: *n }',
      ),
    );
    expect(scenario.data.sla).toEqual({ requests: { home: { p95_latency_ms: 5 } } });
  });
});

describe('loadScenario', () => {
  const VALID = yaml(...HEAD, 'load:', '  profile: constant', '  users: 5', '  duration: 30s');
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loadseed-scenario-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadIssues(file: string, env: Environment = {}): Promise<readonly ScenarioIssue[]> {
    try {
      await loadScenario(file, { env, cwd: dir });
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      return (error as ScenarioError).issues;
    }
    throw new Error('expected a ScenarioError, but the scenario loaded');
  }

  it('loads a file relative to cwd, names it as given and resolves baseDir to its directory', async () => {
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'ok.yaml'), VALID);
    const scenario = await loadScenario('nested/ok.yaml', { env: {}, cwd: dir });
    expect(scenario.file).toBe('nested/ok.yaml');
    expect(scenario.baseDir).toBe(join(dir, 'nested'));
    expect(scenario.data.load).toEqual({ profile: 'constant', users: 5, duration: '30s' });
  });

  it('reads ${VAR} from the given env', async () => {
    await writeFile(join(dir, 'env.yaml'), yaml(...HEAD, 'load:', '  profile: constant', '  users: ${USERS:-10}', '  duration: 30s'));
    const scenario = await loadScenario('env.yaml', { env: { USERS: '3' }, cwd: dir });
    expect(scenario.data.load).toEqual({ profile: 'constant', users: 3, duration: '30s' });
    expect(scenario.envVarsUsed).toEqual(['USERS']);
  });

  it('skips a UTF-8 byte order mark', async () => {
    await writeFile(join(dir, 'bom.yaml'), `\uFEFF${VALID}`);
    expect((await loadScenario('bom.yaml', { env: {}, cwd: dir })).data.target).toBe('http://127.0.0.1:8080');
  });

  it('reports positions in the file', async () => {
    await writeFile(join(dir, 'zero-users.yaml'), yaml(...HEAD, 'load:', '  profile: constant', '  users: 0', '  duration: 30s'));
    expect(await loadIssues('zero-users.yaml')).toEqual([
      { file: 'zero-users.yaml', line: 6, column: 10, path: 'load.users', message: `${USERS_MESSAGE} (got 0)` },
    ]);
  });

  it('reports a missing file', async () => {
    expect(await loadIssues('missing.yaml')).toEqual([{ file: 'missing.yaml', path: '', message: 'no such file' }]);
  });

  it('reports a directory', async () => {
    await mkdir(join(dir, 'a-directory'));
    expect(await loadIssues('a-directory')).toEqual([{ file: 'a-directory', path: '', message: 'is a directory, not a scenario file' }]);
  });

  // Root reads a file whatever its mode, so this assertion cannot hold when the tests run as root (in a container, say).
  it.skipIf(process.getuid?.() === 0)('reports a file it may not read', async () => {
    const file = join(dir, 'unreadable.yaml');
    await writeFile(file, VALID);
    await chmod(file, 0o000);
    try {
      expect(await loadIssues('unreadable.yaml')).toEqual([
        { file: 'unreadable.yaml', path: '', message: 'cannot read the file (EACCES)' },
      ]);
    } finally {
      await chmod(file, 0o600);
    }
  });

  it('reports an empty file', async () => {
    await writeFile(join(dir, 'empty.yaml'), '');
    expect(await loadIssues('empty.yaml')).toEqual([{ file: 'empty.yaml', path: '', message: EMPTY_MESSAGE }]);
  });

  it('reports a file with only comments as empty', async () => {
    await writeFile(join(dir, 'comments.yaml'), yaml('# load: { profile: constant }', '', '# requests: []'));
    expect(await loadIssues('comments.yaml')).toEqual([{ file: 'comments.yaml', path: '', message: EMPTY_MESSAGE }]);
  });

  it('refuses a binary file by its first NUL byte', async () => {
    await writeFile(join(dir, 'binary.yaml'), Buffer.from([0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01]));
    expect(await loadIssues('binary.yaml')).toEqual([
      { file: 'binary.yaml', path: '', message: 'not a text file (a NUL byte at offset 4); a scenario is YAML text' },
    ]);
  });

  it('refuses invalid UTF-8', async () => {
    await writeFile(join(dir, 'latin1.yaml'), Buffer.from('name: caf\xe9\n', 'latin1'));
    expect(await loadIssues('latin1.yaml')).toEqual([
      { file: 'latin1.yaml', path: '', message: 'not a text file (invalid UTF-8); a scenario is YAML text in UTF-8' },
    ]);
  });

  it('refuses a file above the size limit before reading it', async () => {
    await writeFile(join(dir, 'huge.yaml'), '');
    await truncate(join(dir, 'huge.yaml'), MAX_SCENARIO_BYTES + 1);
    expect(await loadIssues('huge.yaml')).toEqual([
      { file: 'huge.yaml', path: '', message: 'the file is 4194305 bytes; a scenario may be at most 4194304 bytes (4 MiB)' },
    ]);
  });
});
