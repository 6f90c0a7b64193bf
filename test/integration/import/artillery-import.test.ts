import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
 * `loadseed import artillery` end to end, in process: the fixture script (fixtures/shop.artillery.yml, with its
 * CSV payload) imported with --target pointing at a loopback server that implements its API, the scenario run
 * green with the script's own open-model phase, the run's counts equal to the server's; bad scripts exit 2.
 */
const FIXTURE = fileURLToPath(new URL('fixtures/shop.artillery.yml', import.meta.url));
const API_KEY = 'artillery-secret-key-123';
const BASIC = 'dXNlcjpwYXNz';
const USERS: Readonly<Record<string, string>> = { ann: 'a1', bob: 'b2' };

let dir: string;
let server: RouteServer;
const refused: string[] = [];

/** Every route wants the default x-api-key; the shop's own routes a token from /login. */
function checked(request: SeenRequest, reply: () => RouteReply, wantsToken = true): RouteReply {
  const token = /^Bearer t-(\w+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (request.headers['x-api-key'] !== API_KEY || (wantsToken && (token === undefined || USERS[token] === undefined))) {
    refused.push(`${request.method} ${request.path}`);
    return { status: 401, json: { error: 'credentials' } };
  }
  return reply();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-import-artillery-'));
  server = await startRouteServer({
    'POST /login': (r) =>
      checked(
        r,
        () => {
          const { username = '', password } = JSON.parse(r.body) as { username?: string; password?: string };
          return USERS[username] === password ? { status: 200, json: { token: `t-${username}` } } : { status: 403, json: {} };
        },
        false,
      ),
    'GET /items/sku-1': (r) =>
      checked(r, () => (/^[1-5]$/.test(r.query.get('n') ?? '') ? { status: 200, json: { sku: 'sku-1' } } : { status: 400 })),
    'POST /cart': (r) =>
      checked(r, () => ((JSON.parse(r.body) as { sku?: string }).sku === 'sku-1' ? { status: 201, json: {} } : { status: 400 })),
    'GET /items': (r) =>
      checked(r, () => (r.headers.authorization === `Basic ${BASIC}` ? { status: 200, json: [] } : { status: 401 }), false),
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(env: Record<string, string>, ...argv: string[]): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env });
}

describe('loadseed import artillery', () => {
  it('imports the fixture into a scenario that runs green, its counts those of the server', async () => {
    await copyFile(FIXTURE, join(dir, 'shop.artillery.yml'));
    // Artillery's payload: a CSV file without a header row, its fields named in the script.
    await writeFile(join(dir, 'users.csv'), 'ann,a1\nbob,b2\n');
    const imported = await cli({}, 'import', 'artillery', 'shop.artillery.yml', '-o', 'shop.yml', '--target', server.url);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('imported 4 requests in 2 flows');
    expect(imported.stderr).toContain('set X_API_KEY, AUTHORIZATION_BASIC before running');
    const text = await readFile(join(dir, 'shop.yml'), 'utf8');
    expect(text.split('\n', 1)[0]).toMatch(/^# yaml-language-server: \$schema=/);
    expect(text).toContain('# - scenarios[2] "chat": the ws engine is not mapped: left out');
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(BASIC);
    await writeFile(join(dir, 'shop.yml'), `${text}report: {html: false}\n`);

    const env = { X_API_KEY: API_KEY, AUTHORIZATION_BASIC: BASIC };
    const run = await cli(env, 'run', 'shop.yml', '--out', 'shop.json');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = JSON.parse(await readFile(join(dir, 'shop.json'), 'utf8')) as ResultsDocument;
    expect(refused).toEqual([]);
    expect(server.counts.get('unmatched')).toBeUndefined();
    expect(results.summary.total.failures).toBe(0);
    expect(results.summary.total.count).toBe(server.total());
    const logins = server.counts.get('POST /login') ?? 0;
    const browsers = server.counts.get('GET /items') ?? 0;
    // One flow per arrival: the script's phase, 12 arrivals a second for a second (on a busy machine the last
    // ones may fall past the end; never more than the schedule holds).
    expect(results.summary.iterations, JSON.stringify({ logins, browsers, dropped: results.summary.droppedArrivals })).toBe(
      logins + browsers,
    );
    expect(logins + browsers, JSON.stringify([...server.counts])).toBeGreaterThan(0);
    expect(logins + browsers, JSON.stringify([...server.counts])).toBeLessThanOrEqual(13);
    const byName = Object.fromEntries(results.summary.requests.map((stats) => [stats.name, stats.count]));
    expect(byName).toEqual({
      'POST /login': logins,
      'GET /items/{{ sku }}': server.counts.get('GET /items/sku-1') ?? 0,
      'POST /cart': server.counts.get('POST /cart') ?? 0,
      'GET /items': browsers,
    });
    expect(server.counts.get('POST /cart')).toBe(2 * logins);
  });

  it('writes the scenario with a warning when the payload is not beside it', async () => {
    await copyFile(FIXTURE, join(dir, 'shop.artillery.yml'));
    const out = await cli({}, 'import', 'artillery', 'shop.artillery.yml', '-o', 'elsewhere/shop.yml');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^warning: elsewhere\/shop\.yml:\d+:\d+ {2}data\[0\]\.file {2}cannot read users\.csv: no such file/m);
    expect(await readFile(join(dir, 'elsewhere', 'shop.yml'), 'utf8')).toContain('- file: users.csv');
  });

  it('refuses malformed scripts and scripts without an HTTP scenario with exit 2, located', async () => {
    const cases: [string, string, RegExp][] = [
      ['broken.yml', 'config:\n  target: [x\n', /^broken\.yml:3:1 {2}Artillery script: syntax error: /],
      [
        'sockets.yml',
        'config: {target: "ws://x"}\nscenarios:\n  - engine: socketio\n    flow: [{emit: {channel: a}}]\n',
        /^sockets\.yml:3:3 {2}scenarios {2}no HTTP scenario could be imported/,
      ],
      ['openapi.yml', 'openapi: 3.0.3\npaths: {}\n', /^openapi\.yml:1:1 {2}not an Artillery script: expected a list of `scenarios`$/],
    ];
    for (const [name, content, message] of cases) {
      await writeFile(join(dir, name), content);
      const out = await cli({}, 'import', 'artillery', name);
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
