import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startRouteServer } from './route-server.js';
import type { RouteReply, RouteServer, SeenRequest } from './route-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * `loadseed import openapi` end to end, in process: the fixture document (fixtures/pets.openapi.yaml) imported
 * with --target pointing at a loopback server that implements it, the scenario run green, the run's counts equal
 * to the server's own; malformed and unsupported documents refused with exit 2, located.
 */
const FIXTURE = fileURLToPath(new URL('fixtures/pets.openapi.yaml', import.meta.url));
const TOKEN = 'tok-0123456789';
const API_KEY = 'key-9876543210';

let dir: string;
let server: RouteServer;
const refused: string[] = [];

/** The fixture's API under /v1, each route checking the credentials and what the document says it takes. */
function authorized(request: SeenRequest, reply: () => RouteReply): RouteReply {
  if (request.headers.authorization !== `Bearer ${TOKEN}` || request.headers['x-api-key'] !== API_KEY) {
    refused.push(`${request.method} ${request.path}: credentials`);
    return { status: 401, json: { error: 'credentials' } };
  }
  return reply();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-import-openapi-'));
  server = await startRouteServer({
    'GET /v1/pets': (r) => authorized(r, () => (r.query.get('limit') === '5' ? { status: 200, json: [] } : { status: 400, json: {} })),
    'POST /v1/pets': (r) =>
      authorized(r, () => {
        const pet = JSON.parse(r.body) as Record<string, unknown>;
        const ok = pet['name'] === 'Rex' && pet['born'] === '2024-01-01' && pet['kind'] === 'dog';
        return ok ? { status: 201, json: { id: 1, ...pet } } : { status: 400, json: { error: r.body } };
      }),
    'GET /v1/pets/42': (r) => authorized(r, () => ({ status: 200, json: { id: 42, name: 'Rex' } })),
    'DELETE /v1/pets/42': (r) =>
      authorized(r, () => (r.headers['x-request-reason'] === 'cleanup' ? { status: 204 } : { status: 400, json: {} })),
    'PATCH /v1/categories/toys': (r) => authorized(r, () => ({ status: 200, json: JSON.parse(r.body) as unknown })),
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(env: Record<string, string>, ...argv: string[]): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env });
}

describe('loadseed import openapi', () => {
  it('imports the fixture into a scenario that runs green, every operation counted as the server counted it', async () => {
    const imported = await cli({}, 'import', 'openapi', FIXTURE, '-o', 'pets.yml', '--target', `${server.url}/v1`);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('imported 5 requests');
    expect(imported.stderr).toContain('set BEARER_AUTH_TOKEN, API_KEY before running');
    const text = await readFile(join(dir, 'pets.yml'), 'utf8');
    expect(text.split('\n', 1)[0]).toMatch(/^# yaml-language-server: \$schema=/);
    expect(text).toContain('credential: ${BEARER_AUTH_TOKEN} stands for the bearer token of components.securitySchemes.bearerAuth');
    expect(text).toContain(`target: ${server.url}/v1`);
    expect(text).toContain('# Each iteration: one of these requests, picked by weight.');
    // No HTML report here: it needs the built bundle (npm run build), which these in-process tests do not.
    await writeFile(join(dir, 'pets.yml'), `${text}report: {html: false}\n`);

    const env = { BEARER_AUTH_TOKEN: TOKEN, API_KEY };
    const validated = await cli(env, 'validate', 'pets.yml');
    expect(validated.code, validated.stderr).toBe(0);
    const run = await cli(env, 'run', 'pets.yml', '--users', '2', '--iterations', '40', '--out', 'pets.json');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = JSON.parse(await readFile(join(dir, 'pets.json'), 'utf8')) as ResultsDocument;
    expect(refused).toEqual([]);
    expect(server.counts.get('unmatched')).toBeUndefined();
    expect(results.summary.total.count).toBe(40);
    expect(server.total()).toBe(40);
    expect(results.summary.total.failures).toBe(0);
    const byName = Object.fromEntries(results.summary.requests.map((stats) => [stats.name, stats.count]));
    expect(byName).toEqual({
      listPets: server.counts.get('GET /v1/pets') ?? 0,
      createPet: server.counts.get('POST /v1/pets') ?? 0,
      showPetById: server.counts.get('GET /v1/pets/42') ?? 0,
      deletePet: server.counts.get('DELETE /v1/pets/42') ?? 0,
      'PATCH /categories/{name}': server.counts.get('PATCH /v1/categories/toys') ?? 0,
    });
  });

  it('refuses malformed, foreign and unsupported documents with exit 2 and a located message', async () => {
    const cases: [string, string, RegExp][] = [
      ['broken.yaml', 'openapi: 3.0.3\ninfo: {title: x\n', /^broken\.yaml:3:1 {2}OpenAPI document: syntax error: /],
      [
        'swagger.yaml',
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
        /^swagger\.yaml:1:10 {2}swagger {2}Swagger 2\.0 \(OpenAPI 2\) is not supported/,
      ],
      ['scenario.yaml', 'requests: [{path: /}]\n', /^scenario\.yaml:1:1 {2}not an OpenAPI document: no `openapi` key/],
      [
        'invalid.json',
        '{\n  "openapi": "3.0.3",\n  "info": {"title": "x", "version": "1"},\n  "paths": {"/a": {"get": {"responses": {"200": {}}}}}\n}\n',
        /^invalid\.json:4:49 {2}paths\["\/a"\]\.get\.responses\[200\] {2}invalid OpenAPI document: REQUIRED must have required property 'description'$/,
      ],
    ];
    for (const [name, content, message] of cases) {
      await writeFile(join(dir, name), content);
      const out = await cli({}, 'import', 'openapi', name, '-o', `${name}.yml`);
      expect(out.code, `${name}: ${out.stderr}`).toBe(2);
      expect(
        out.stderr
          .trim()
          .split('\n')[0]
          ?.replace(/^(?:error:|✗) /, ''),
        name,
      ).toMatch(message);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
