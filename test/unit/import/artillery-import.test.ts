import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode, ScenarioError, formatIssue } from '../../../src/errors.js';
import { importArtillery } from '../../../src/import/artillery-import.js';
import { convertTemplates } from '../../../src/import/artillery-templates.js';
import type { TemplateContext } from '../../../src/import/artillery-templates.js';
import { loadImported } from '../../helpers/imported-scenario.js';

const FIXTURE = fileURLToPath(new URL('../../integration/import/fixtures/shop.artillery.yml', import.meta.url));

/** Lines of YAML, so that line numbers can be counted from the array index + 1. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function script(...flow: string[]): string {
  return yaml('config:', '  target: https://api.example.com/', 'scenarios:', '  - flow:', ...flow.map((line) => `      ${line}`));
}

function firstIssue(text: string): string {
  try {
    importArtillery(text, { file: 'load.yml' });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).exitCode).toBe(ExitCode.InvalidInput);
    return formatIssue((error as ScenarioError).issues[0] as never);
  }
  throw new Error('expected a ScenarioError');
}

describe('importArtillery', () => {
  it('maps the fixture: target, defaults, variables, payload, flows by weight, load, thresholds', async () => {
    const text = await readFile(FIXTURE, 'utf8');
    const result = importArtillery(text, { file: 'shop.artillery.yml' });
    expect(result.scenario).toEqual({
      target: '${TARGET_URL:-http://localhost:3000}',
      defaults: { headers: { 'x-api-key': '${X_API_KEY}', accept: 'application/json' }, timeout: '5s' },
      variables: { sku: 'sku-1' },
      data: [{ file: 'users.csv', format: 'csv', when_exhausted: 'cycle', columns: ['username', 'password'] }],
      flows: [
        {
          name: 'shopper',
          weight: 3,
          steps: [
            {
              method: 'POST',
              path: '/login',
              json: { username: '{{ username }}', password: '{{ password }}' },
              capture: [{ as: 'token', json: '$.token' }],
              expect: { status: 200 },
            },
            {
              path: '/items/{{ sku }}',
              headers: { authorization: 'Bearer {{ token }}' },
              query: { n: '{{ $randomInt(1, 5) }}' },
              expect: { status: 200 },
            },
            { think: '10ms' },
            {
              loop: {
                count: 2,
                steps: [{ method: 'POST', path: '/cart', headers: { authorization: 'Bearer {{ token }}' }, json: { sku: '{{ sku }}' } }],
              },
            },
          ],
        },
        { name: 'browser', weight: 1, steps: [{ path: '/items', headers: { authorization: 'Basic ${AUTHORIZATION_BASIC}' } }] },
      ],
      load: { profile: 'arrival_rate', rate: 12, duration: '1s' },
      sla: { p95_latency_ms: 5000, max_error_rate: 0.01 },
    });
    expect(result.env).toEqual(['X_API_KEY', 'AUTHORIZATION_BASIC']);
    expect(result.notes).toEqual([
      'secret: ${X_API_KEY} stands for the x-api-key header in config.defaults.headers.x-api-key',
      'secret: ${AUTHORIZATION_BASIC} stands for the Basic credential of the authorization header in scenarios[1].flow[0].get.headers.authorization',
      'config.processor: JavaScript processors are not run: their functions and hooks are left out',
      'config.variables.sku: a list of 2 values; the first is used (loadseed variables are static)',
      'config.payload: users.csv is read relative to the scenario file, as Artillery reads it relative to the script',
      'scenarios[0].flow[0].post.expect[1]: the contentType check is not mapped',
      'scenarios[0].flow[4]: function not mapped: left out',
      'scenarios[0].flow[5]: log not mapped: left out',
      'scenarios[1].flow[0].get.beforeRequest: not mapped',
      'scenarios[2] "chat": the ws engine is not mapped: left out',
      'config.phases[0] "steady": a phase\'s name is not kept',
    ]);
    // No secret of the script in what is written.
    const { text: written } = await loadImported(result, { format: 'artillery', files: { 'users.csv': 'ann,a1\nbob,b2\n' } });
    expect(written).not.toContain('artillery-secret-key-123');
    expect(written).not.toContain('dXNlcjpwYXNz');
  });

  it('maps phases: ramps, counts, pauses and rate jumps as ramping_arrival_rate stages', async () => {
    const text = yaml(
      'config:',
      '  target: http://127.0.0.1:3000',
      '  phases:',
      '    - {duration: 10, arrivalRate: 1, rampTo: 5, maxVusers: 50}',
      '    - {duration: 2m, arrivalCount: 60}',
      '    - {pause: 5}',
      '    - {duration: 0.5, arrivalRate: 4}',
      'scenarios: [{flow: [{get: {url: /}}]}]',
    );
    expect(importArtillery(text, { file: 'load.yml' }).scenario['load']).toEqual({
      profile: 'ramping_arrival_rate',
      start_rate: 1,
      stages: [
        { duration: '10s', rate: 5 },
        { duration: '1ms', rate: 0.5 },
        { duration: '2m', rate: 0.5 },
        { duration: '1ms', rate: 0 },
        { duration: '5s', rate: 0 },
        { duration: '1ms', rate: 4 },
        { duration: '500ms', rate: 4 },
      ],
      max_users: 50,
    });
    await loadImported(importArtillery(text, { file: 'load.yml' }), { format: 'artillery' });
  });

  it('maps captures, checks, auth, forms, bodies, absolute URLs and loops over lists; notes the rest', async () => {
    const text = script(
      '- post:',
      '    url: https://auth.example.com/token',
      '    auth: {user: admin, pass: s3cret-pass}',
      '    form: {grant_type: client_credentials, client_secret: abcdef123456}',
      '    capture:',
      '      - {header: x-request-id, as: rid}',
      '      - {regexp: "id=(\\\\d+)", group: 1, as: id}',
      '      - {xpath: "//a", as: link}',
      '    expect:',
      '      - {statusCode: [200, 201]}',
      '      - {matchesRegexp: "ok"}',
      '      - {headerEquals: [x-kind, token]}',
      '      - {hasProperty: data}',
      '- put: {url: "items/{{ id }}", body: "rid={{ rid }} at {{ $timestamp }} by {{ $processEnvironment.USER_NAME }} {{ $loopElement }}"}',
      '- loop: [{get: {url: /a}}]',
      '  over: [x, y, z]',
      '- loop: [{get: {url: /b}}]',
      '  over: items',
      '- loop: [{get: {url: /c}}]',
      '- get: {url: "/d/{{ fromProcessor }}"}',
      '- think: "{{ pause }}"',
      '- loop: [{get: {url: /e}}]',
      '  count: "{{ n }}"',
    );
    const result = importArtillery(text, { file: 'load.yml' });
    const flows = result.scenario['flows'] as { steps: unknown[] }[];
    expect(flows[0]?.steps).toEqual([
      {
        method: 'POST',
        url: 'https://auth.example.com/token',
        auth: { basic: { username: 'admin', password: '${PASSWORD}' } },
        form: { grant_type: 'client_credentials', client_secret: '${CLIENT_SECRET}' },
        capture: [
          { as: 'rid', header: 'x-request-id' },
          { as: 'id', regex: 'id=(\\d+)', group: 1 },
        ],
        expect: { status: [200, 201], body_matches: 'ok', headers: { 'x-kind': 'token' } },
      },
      { method: 'PUT', path: '/items/{{ id }}', body: 'rid={{ rid }} at {{ $timestamp }} by ${USER_NAME} ' },
      { loop: { count: 3, steps: [{ path: '/a' }] } },
      { path: '/d/{{ fromProcessor }}' },
    ]);
    expect(result.scenario['variables']).toEqual({ fromProcessor: '' });
    expect(result.env).toEqual(['PASSWORD', 'CLIENT_SECRET', 'USER_NAME']);
    expect(result.notes).toEqual(
      expect.arrayContaining([
        'scenarios[0].flow[0].post.capture[2]: only json, header and regexp captures are mapped: left out',
        'scenarios[0].flow[0].post.capture[2].xpath: not mapped',
        'scenarios[0].flow[0].post.expect[3]: the hasProperty check is not mapped',
        'scenarios[0].flow[1].put.body: the template {{ $loopElement }} has no loadseed equivalent: removed',
        'scenarios[0].flow[2].over: 3 passes; $loopElement is not available in loadseed',
        'scenarios[0].flow[3]: a loop over a variable or while a function holds is not mapped: left out',
        'scenarios[0].flow[4]: a loop without a count (endless in Artillery) is not mapped: left out',
        'variables.fromProcessor: read by a template but set by nothing the script says (a processor function?): declared empty',
        'scenarios[0].flow[6].think: a pause read from a variable is not mapped: left out',
        'scenarios[0].flow[7]: a loop of count "{{ n }}" is not mapped: left out',
      ]),
    );
    const { text: written } = await loadImported(result, { format: 'artillery' });
    expect(written).not.toContain('s3cret-pass');
    expect(written).not.toContain('abcdef123456');
  });

  it('refuses what is not an Artillery script, or has no HTTP scenario, located', () => {
    expect(firstIssue('config: {target: x\n')).toMatch(/^load\.yml:2:1 {2}Artillery script: syntax error: /);
    expect(firstIssue('- get: /\n')).toBe('load.yml:1:1  not an Artillery script: expected `config` and a list of `scenarios`');
    expect(firstIssue('config: {}\nscenarios: {flow: []}\n')).toBe(
      'load.yml:2:12  scenarios  not an Artillery script: expected a list of `scenarios`',
    );
    expect(firstIssue(yaml('config: {target: "ws://x"}', 'scenarios:', '  - engine: socketio', '    flow: [{emit: {channel: a}}]'))).toBe(
      'load.yml:3:3  scenarios  no HTTP scenario could be imported (see the engines and actions above)',
    );
    expect(firstIssue(yaml('config:', '  phases: [{duration: soon, arrivalRate: 1}]', 'scenarios: [{flow: [{get: {url: /}}]}]'))).toBe(
      'load.yml:2:23  config.phases[0].duration  expected a duration: a number of seconds, or text such as 30s, 2m, 1h30m (got "soon")',
    );
    expect(firstIssue(script('- get: {uri: /}'))).toBe('load.yml:5:14  scenarios[0].flow[0].get  expected a request: {url, …}');
  });
});

describe('convertTemplates', () => {
  const context = (): TemplateContext => ({ variables: new Set(), env: new Set(), notes: [] });

  it("maps Artillery's helpers to loadseed's and removes the rest with a note", () => {
    const c = context();
    expect(
      convertTemplates('{{user}}-{{ $randomNumber(9, 2) }}-{{ $randomString() }}-{{ $uuid }}-{{ $env.HOME_DIR }}-{{ a.b }}', 'x', c),
    ).toBe('{{ user }}-{{ $randomInt(2, 9) }}-{{ $randomString(10) }}-{{ $uuid }}-${HOME_DIR}-');
    expect([...c.variables]).toEqual(['user']);
    expect([...c.env]).toEqual(['HOME_DIR']);
    expect(c.notes).toEqual(['x: the template {{ a.b }} has no loadseed equivalent: removed']);
  });
});
