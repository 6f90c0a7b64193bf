import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode, ScenarioError, formatIssue } from '../../../src/errors.js';
import { envNameOf, importOpenApi, prettyJsonLines } from '../../../src/import/openapi-import.js';
import { isRequestStep } from '../../../src/scenario/types.js';
import type { RequestSpec } from '../../../src/scenario/types.js';
import { loadImported } from '../../helpers/imported-scenario.js';

const FIXTURE = fileURLToPath(new URL('../../integration/import/fixtures/pets.openapi.yaml', import.meta.url));

/** Lines of YAML, so that line numbers can be counted from the array index + 1. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

const HEAD = ['openapi: 3.1.0', 'info: {title: t, version: "1"}'];

async function errorOf(text: string): Promise<ScenarioError> {
  try {
    await importOpenApi(text, { file: 'api.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

async function firstIssue(text: string): Promise<string> {
  const error = await errorOf(text);
  expect(error.exitCode).toBe(ExitCode.InvalidInput);
  return formatIssue(error.issues[0] as never);
}

describe('importOpenApi', () => {
  it('maps the fixture: one weighted request per operation, parameters, bodies, security, statuses', async () => {
    const result = await importOpenApi(await readFile(FIXTURE, 'utf8'), { file: 'pets.openapi.yaml' });
    expect(result.scenario).toEqual({
      name: 'pets',
      target: '${TARGET_URL:-http://localhost:8080/v1}',
      defaults: { headers: { 'X-API-Key': '${API_KEY}' }, auth: { bearer: '${BEARER_AUTH_TOKEN}' } },
      requests: [
        { name: 'listPets', path: '/pets', query: { limit: 5 }, expect: 200, weight: 1 },
        {
          name: 'createPet',
          method: 'POST',
          path: '/pets',
          json: { name: 'Rex', born: '2024-01-01', kind: 'dog' },
          expect: 201,
          weight: 1,
        },
        { name: 'showPetById', path: '/pets/42', expect: 200, weight: 1 },
        { name: 'deletePet', method: 'DELETE', path: '/pets/42', headers: { 'X-Request-Reason': 'cleanup' }, expect: 204, weight: 1 },
        { name: 'PATCH /categories/{name}', method: 'PATCH', path: '/categories/toys', json: { name: 'string' }, expect: 200, weight: 1 },
      ],
    });
    expect(result.env).toEqual(['BEARER_AUTH_TOKEN', 'API_KEY']);
    expect(result.notes).toContain('credential: ${BEARER_AUTH_TOKEN} stands for the bearer token of components.securitySchemes.bearerAuth');
    const { scenario } = await loadImported(result);
    expect(scenario.data.requests).toHaveLength(5);
  });

  it('is deterministic: the same document gives the same scenario', async () => {
    const text = await readFile(FIXTURE, 'utf8');
    const [a, b] = await Promise.all([importOpenApi(text, { file: 'a' }), importOpenApi(text, { file: 'a' })]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('puts security on each request when operations differ, and none on an operation with security: []', async () => {
    const text = yaml(
      ...HEAD,
      'servers: [{url: "https://api.example.com/"}]',
      'paths:',
      '  /open:',
      '    get: {security: [], responses: {"200": {description: ok}}}',
      '  /basic:',
      '    get: {security: [{login: []}], responses: {"200": {description: ok}, "202": {description: later}}}',
      '  /key:',
      '    get: {security: [{key: []}, {login: []}], responses: {default: {description: any}}}',
      '  /oauth:',
      '    post: {security: [{oauth: [read]}], responses: {"2XX": {description: ok}}}',
      'components:',
      '  securitySchemes:',
      '    login: {type: http, scheme: basic}',
      '    key: {type: apiKey, in: query, name: api_key}',
      '    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://auth.example.com/token", scopes: {read: r}}}}',
    );
    const result = await importOpenApi(text, { file: 'api.yaml' });
    expect(result.scenario['target']).toBe('${TARGET_URL:-https://api.example.com}');
    expect(result.scenario['defaults']).toBeUndefined();
    const requests = result.scenario['requests'] as RequestSpec[];
    expect(requests[0]).toEqual({ name: 'GET /open', path: '/open', expect: 200, weight: 1 });
    expect(requests[1]).toEqual({
      name: 'GET /basic',
      path: '/basic',
      auth: { basic: { username: '${LOGIN_USERNAME}', password: '${LOGIN_PASSWORD}' } },
      expect: [200, 202],
      weight: 1,
    });
    expect(requests[2]).toEqual({ name: 'GET /key', path: '/key', query: { api_key: '${KEY}' }, weight: 1 });
    expect(requests[3]).toEqual({ name: 'POST /oauth', method: 'POST', path: '/oauth', auth: { bearer: '${OAUTH_TOKEN}' }, weight: 1 });
    expect(result.env).toEqual(['LOGIN_USERNAME', 'LOGIN_PASSWORD', 'KEY', 'OAUTH_TOKEN']);
    expect(result.notes).toContain('paths["/key"].get.security: 2 alternatives; the first, key, is used');
    expect(result.notes.some((note) => note.includes('oauth2: get a token yourself and set OAUTH_TOKEN'))).toBe(true);
    await loadImported(result);
  });

  it('takes examples before schemas, forms and text bodies, and notes a body it cannot write', async () => {
    const text = yaml(
      ...HEAD,
      'paths:',
      '  /json:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema: {type: object, properties: {a: {type: integer}}}',
      '            examples: {first: {value: {price: "${PRICE}", note: "{{ not a template }}"}}}',
      '      responses: {"201": {description: ok}}',
      '  /form:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/x-www-form-urlencoded:',
      '            schema: {type: object, required: [user, tags], properties: {user: {type: string}, tags: {type: array, items: {type: string}}}}',
      '      responses: {"200": {description: ok}}',
      '  /text:',
      '    put:',
      '      requestBody: {content: {text/plain: {example: hello}}}',
      '      responses: {"200": {description: ok}}',
      '  /upload:',
      '    post:',
      '      requestBody: {content: {multipart/form-data: {schema: {type: object}}}}',
      '      responses: {"200": {description: ok}}',
    );
    const result = await importOpenApi(text, { file: 'api.yaml', target: 'http://127.0.0.1:9' });
    const requests = result.scenario['requests'] as RequestSpec[];
    expect(result.scenario['target']).toBe('http://127.0.0.1:9');
    expect(requests[0]?.json).toEqual({ price: '${PRICE}', note: "{{ $pick('{{') }} not a template }}" });
    expect(requests[1]?.form).toEqual({ user: 'string', tags: '["string"]' });
    expect(requests[2]).toMatchObject({ method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(requests[3]?.json).toBeUndefined();
    expect(result.notes).toContain('paths["/upload"].post.requestBody: a body of multipart/form-data is not generated: add it yourself');
    expect(result.notes.some((note) => note.includes('is written {{ $pick'))).toBe(true);
    // --target given: no guess noted about the missing servers.
    expect(result.notes.some((note) => note.startsWith('target:'))).toBe(false);
    // Written and read back, the literal `${PRICE}` is itself again, not an environment variable.
    const { scenario } = await loadImported(result);
    const loaded = (scenario.data.requests ?? []).filter(isRequestStep);
    expect(loaded[0]?.json).toEqual({ price: '${PRICE}', note: "{{ $pick('{{') }} not a template }}" });
  });

  it('fills path parameters from examples, enums and schemas, and takes a relative server as a guess', async () => {
    const text = yaml(
      ...HEAD,
      'servers: [{url: /api}]',
      'paths:',
      '  /items/{id}/{kind}/{at}:',
      '    get:',
      '      parameters:',
      '        - {name: id, in: path, required: true, schema: {type: string}, examples: {one: {value: "a b"}}}',
      '        - {name: kind, in: path, required: true, schema: {type: string, enum: [big, small]}}',
      '        - {name: at, in: path, required: true, schema: {type: string, format: date}}',
      '        - {name: page, in: query, required: true, schema: {type: array, items: {type: integer, minimum: 2}}}',
      '        - {name: session, in: cookie, required: true, schema: {type: string}}',
      '      responses: {"200": {description: ok}}',
    );
    const result = await importOpenApi(text, { file: 'api.yaml' });
    expect(result.scenario['target']).toBe('${TARGET_URL:-http://127.0.0.1:8080/api}');
    expect((result.scenario['requests'] as RequestSpec[])[0]).toMatchObject({
      path: '/items/a%20b/big/2024-01-01',
      query: { page: [2] },
      headers: { cookie: 'session=string' },
    });
    await loadImported(result);
  });

  it('writes no secret of the document: secret-looking examples become placeholders', async () => {
    const text = yaml(
      ...HEAD,
      'paths:',
      '  /login:',
      '    post:',
      '      parameters:',
      '        - {name: X-Session-Token, in: header, required: true, schema: {type: string}, example: tok-123456}',
      '        - {name: api_key, in: query, required: true, schema: {type: string, example: abcd1234}}',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            example: {username: ann, password: hunter22, nested: {token: zz-998877}}',
      '      responses: {"200": {description: ok}}',
      '  /signup:',
      '    post:',
      '      requestBody:',
      '        content:',
      '          application/json:',
      '            schema: {type: object, required: [user, password], properties: {user: {type: string}, password: {type: string, format: password}}}',
      '      responses: {"201": {description: ok}}',
    );
    const result = await importOpenApi(text, { file: 'api.yaml' });
    const requests = result.scenario['requests'] as RequestSpec[];
    expect(requests[0]).toMatchObject({
      headers: { 'X-Session-Token': '${X_SESSION_TOKEN}' },
      query: { api_key: '${API_KEY}' },
      json: { username: 'ann', password: '${PASSWORD}', nested: { token: '${TOKEN}' } },
    });
    // A made-up password is a placeholder of its own, not the same variable as the example's.
    expect(requests[1]?.json).toEqual({ user: 'string', password: '${PASSWORD_2}' });
    expect(result.env).toEqual(['X_SESSION_TOKEN', 'API_KEY', 'PASSWORD', 'TOKEN', 'PASSWORD_2']);
    const { text: written } = await loadImported(result);
    for (const secret of ['tok-123456', 'abcd1234', 'hunter22', 'zz-998877']) expect(written).not.toContain(secret);
  });

  it('keeps operations that share an operationId (a warning of the parser, noted)', async () => {
    const text = yaml(
      ...HEAD,
      'paths:',
      '  /a: {get: {operationId: same, responses: {"200": {description: ok}}}}',
      '  /b: {get: {operationId: same, responses: {"200": {description: ok}}}}',
    );
    const result = await importOpenApi(text, { file: 'api.yaml' });
    expect((result.scenario['requests'] as RequestSpec[]).map((request) => request.path)).toEqual(['/a', '/b']);
    expect(result.notes.some((note) => note.startsWith('OpenAPI warning: '))).toBe(true);
    await loadImported(result);
  });

  it('refuses malformed, foreign and unsupported documents, located', async () => {
    expect(await firstIssue(yaml(...HEAD, 'paths: {/a: {get: {responses: {}}}'))).toMatch(
      /^api\.yaml:4:1 {2}OpenAPI document: syntax error: /,
    );
    expect(await firstIssue('- a list\n')).toBe('api.yaml:1:1  not an OpenAPI document: expected a mapping with an `openapi: 3.x` key');
    expect(await firstIssue('name: scenario\nrequests: []\n')).toMatch(/^api\.yaml:1:1 {2}not an OpenAPI document: no `openapi` key/);
    expect(await firstIssue("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")).toMatch(
      /^api\.yaml:1:10 {2}swagger {2}Swagger 2\.0 \(OpenAPI 2\) is not supported/,
    );
    expect(await firstIssue('openapi: 2.5.0\n')).toMatch(/^api\.yaml:1:10 {2}openapi {2}OpenAPI 2\.5\.0 is not supported/);
    expect(await firstIssue(yaml(...HEAD, 'paths:', '  /a:', '    $ref: "https://example.com/a.yaml"'))).toBe(
      'api.yaml:5:11  paths["/a"]["$ref"]  $ref "https://example.com/a.yaml" points outside this document: only local references (#/…) are read, nothing is fetched (bundle the document first)',
    );
    expect(await firstIssue(yaml(...HEAD, 'servers:', '  - urll: http://x', 'paths: {}'))).toBe(
      "api.yaml:4:5  servers[0]  invalid OpenAPI document: REQUIRED must have required property 'url'",
    );
    expect(await firstIssue(yaml('openapi: 3.0.3', 'info: {title: t, version: "1"}', 'paths: {}'))).toBe(
      'api.yaml:3:8  paths  the document has no operations: nothing to import',
    );
  });
});

describe('helpers', () => {
  it('names environment variables after schemes', () => {
    expect(envNameOf('bearerAuth')).toBe('BEARER_AUTH');
    expect(envNameOf('api-key')).toBe('API_KEY');
    expect(envNameOf('2fa')).toBe('_2FA');
    expect(envNameOf('--')).toBe('API_CREDENTIAL');
  });

  it('maps each line of pretty JSON to its data path', () => {
    expect(prettyJsonLines({ a: [1, { b: 2 }], c: {} })).toEqual([
      [],
      ['a'],
      ['a', 0],
      ['a', 1],
      ['a', 1, 'b'],
      ['a', 1],
      ['a'],
      ['c'],
      [],
    ]);
    expect(JSON.stringify({ a: [1, { b: 2 }], c: {} }, null, 2).split('\n')).toHaveLength(9);
  });
});
