import { describe, expect, it } from 'vitest';
import { checkTemplates } from '../../../src/scenario/check-templates.js';
import { locateIssues } from '../../../src/scenario/load-feeders.js';
import { parseScenario } from '../../../src/scenario/load-scenario.js';
import type { LoadSpec, RequestSpec, ScenarioData } from '../../../src/scenario/types.js';

const LOAD: LoadSpec = { profile: 'constant', users: 1, duration: '1s' };

function scenario(overrides: Partial<ScenarioData>): ScenarioData {
  return { target: 'http://127.0.0.1:8080', load: LOAD, ...overrides };
}

function withRequest(request: RequestSpec, overrides: Partial<ScenarioData> = {}): ScenarioData {
  return scenario({ requests: [request], ...overrides });
}

describe('checkTemplates', () => {
  it('accepts variables, feeder columns and captures made anywhere, including another flow', () => {
    const data = scenario({
      variables: { tenant: 'acme' },
      setup: [{ path: '/setup', capture: [{ as: 'adminToken', json: '$.token' }] }],
      before: [{ path: '/login', capture: [{ as: 'session', header: 'set-cookie' }] }, { think: '1s' }],
      flows: [
        { name: 'browse', steps: [{ path: '/items/{{ itemId }}?t={{ tenant }}', headers: { cookie: '{{ session }}' } }] },
        { name: 'buy', steps: [{ path: '/items', capture: [{ as: 'itemId', regex: 'id=(\\d+)' }] }] },
      ],
      defaults: { auth: { bearer: '{{ adminToken }}' } },
    });
    expect(checkTemplates(data, ['username'], {})).toEqual([]);
    expect(checkTemplates(withRequest({ path: '/u/{{ username }}' }), ['username'], {})).toEqual([]);
  });

  it('reports an unknown variable at the value, listing what is defined and suggesting a close name', () => {
    const data = withRequest(
      { path: '/users/{{ usr }}', headers: { 'x-user': '{{ user }}' }, capture: [{ as: 'token', json: '$.t' }] },
      { variables: { id: 1 } },
    );
    expect(checkTemplates(data, ['username'], {})).toEqual([
      { path: ['requests', 0, 'path'], at: 'value', message: 'unknown variable "usr" in template (defined: id, token, username)' },
      {
        path: ['requests', 0, 'headers', 'x-user'],
        at: 'value',
        message: 'unknown variable "user" in template (defined: id, token, username); did you mean "username"?',
      },
    ]);
    expect(checkTemplates(withRequest({ path: '/{{ tokn }}', capture: [{ as: 'token', status: true }] }), [], {})).toEqual([
      {
        path: ['requests', 0, 'path'],
        at: 'value',
        message: 'unknown variable "tokn" in template (defined: token); did you mean "token"?',
      },
    ]);
  });

  it('says where to define a variable when nothing is defined', () => {
    expect(checkTemplates(withRequest({ path: '/{{ id }}' }), [], {})).toEqual([
      {
        path: ['requests', 0, 'path'],
        at: 'value',
        message:
          'unknown variable "id" in template (none is defined: define it under variables, as a data-file column, or with a capture\'s as)',
      },
    ]);
  });

  it('looks in every templated place: url path and query, query values and lists, headers, body, json leaves, form, auth, defaults', () => {
    const data = withRequest(
      {
        url: 'http://example.test/a/{{ v1 }}?x={{ v2 }}',
        query: { q: '{{ v3 }}', list: ['ok', '{{ v4 }}'], n: 1 },
        headers: { h: '{{ v5 }}' },
        body: '{{ v6 }}',
        json: { a: [{ b: '{{ v7 }}' }], '{{ key }}': 1 },
        form: { f: '{{ v8 }}' },
        auth: { basic: { username: '{{ v9 }}', password: '{{ v10 }}' } },
      },
      { defaults: { headers: { d: '{{ v11 }}' }, query: { dq: '{{ v12 }}' }, auth: { bearer: '{{ v13 }}' } } },
    );
    const paths = checkTemplates(data, [], {}).map((issue) => issue.path.join('.'));
    expect(paths).toEqual([
      'defaults.headers.d',
      'defaults.query.dq',
      'defaults.auth.bearer',
      'requests.0.url',
      'requests.0.url',
      'requests.0.query.q',
      'requests.0.query.list.1',
      'requests.0.headers.h',
      'requests.0.body',
      'requests.0.json.a.0.b',
      'requests.0.form.f',
      'requests.0.auth.basic.username',
      'requests.0.auth.basic.password',
    ]);
  });

  it('refuses templates in the scheme or host of a url', () => {
    expect(checkTemplates(withRequest({ url: 'http://{{host}}:8080/x' }, { variables: { host: 'a' } }), [], {})).toEqual([
      {
        path: ['requests', 0, 'url'],
        at: 'value',
        message:
          'templates may appear only in the path and query of a url, not in its scheme or host (the host decides where connections go)',
      },
    ]);
  });

  it('reports templates that do not compile, and $env variables that are not set', () => {
    const data = withRequest({
      path: '/{{ $nope }}',
      headers: { a: '{{ id', b: '{{ $env.SECRET }}', c: '{{ $env.MISSING }}' },
      json: { n: '{{ $randomInt(9, 1) }}' },
    });
    expect(checkTemplates(data, [], { SECRET: 's' })).toEqual([
      {
        path: ['requests', 0, 'path'],
        at: 'value',
        message:
          "unknown built-in $nope (known: $uuid, $randomInt(min, max), $randomString(n), $pick('a', 'b'), $timestamp, $now, $env.NAME)",
      },
      { path: ['requests', 0, 'headers', 'a'], at: 'value', message: 'unclosed "{{" at offset 0: expected "}}"' },
      {
        path: ['requests', 0, 'headers', 'c'],
        at: 'value',
        message: 'environment variable MISSING is not set (read by {{ $env.MISSING }} at offset 0)',
      },
      { path: ['requests', 0, 'json', 'n'], at: 'value', message: 'bad arguments to $randomInt at offset 0: min (9) is above max (1)' },
    ]);
  });

  it('finds nothing in a scenario without templates', () => {
    expect(checkTemplates(withRequest({ path: '/', headers: { a: 'b' }, json: { x: 'y' } }), [], {})).toEqual([]);
  });

  it('gives paths that locate the value in the YAML source', () => {
    const text = [
      'target: http://127.0.0.1:8080',
      'flows:',
      '  - name: browse',
      '    steps:',
      '      - path: /items/{{ itmeId }}',
      '      - think: 1s',
      '      - path: /cart',
      '        capture:',
      '          - as: itemId',
      '            json: $.id',
      'load: { profile: constant, users: 1, duration: 1s }',
      '',
    ].join('\n');
    const scenario = parseScenario(text, 'scenario.yaml', { env: {}, baseDir: '/' });
    expect(locateIssues('scenario.yaml', text, checkTemplates(scenario.data, [], {}))).toEqual([
      {
        file: 'scenario.yaml',
        line: 5,
        column: 15,
        path: 'flows[0].steps[0].path',
        message: 'unknown variable "itmeId" in template (defined: itemId); did you mean "itemId"?',
      },
    ]);
  });
});
