import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { API_BASIC_PASSWORD, API_KEY, API_PASSWORD, API_STATIC_TOKEN, startApiServer } from './api-server.js';
import type { ApiServer } from './api-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * curl lines → `loadseed import curl` → `validate` → `run` against a server on 127.0.0.1 that checks every
 * credential: its counts of accepted requests equal the iterations run, so the secrets, read back from the
 * environment through the placeholders, were sent right.
 */

let dir: string;
let api: ApiServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-import-curl-'));
  api = await startApiServer();
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

function run(argv: string[], env: Record<string, string> = {}): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env });
}

describe('loadseed import curl, then run', () => {
  it('imports curl lines into a scenario that validates and runs green, the server counting each request accepted', async () => {
    const lines = [
      `curl -X POST ${api.url}/login -H 'Content-Type: application/json' \\`,
      `  --data-raw '{"username":"ann","password":"${API_PASSWORD}"}' --compressed`,
      `curl '${api.url}/api/items?page=2' -H 'Authorization: Bearer ${API_STATIC_TOKEN}' -H 'Accept: application/json'`,
      `curl -u ann:${API_BASIC_PASSWORD} ${api.url}/api/form -H 'X-API-Key: ${API_KEY}' --data-urlencode 'note=hi there' -s`,
    ];
    await writeFile(join(dir, 'requests.txt'), `${lines.join('\n')}\n`);
    const imported = await run(['import', 'curl', 'requests.txt', '-o', 'api.yml']);
    expect(imported.stderr).toContain(
      'imported 3 requests from requests.txt → api.yml; 6 notes; set PASSWORD, AUTH_TOKEN, X_API_KEY, BASIC_PASSWORD before running',
    );
    expect(imported.code).toBe(0);
    const yaml = await readFile(join(dir, 'api.yml'), 'utf8');
    for (const secret of [API_PASSWORD, API_STATIC_TOKEN, API_BASIC_PASSWORD, API_KEY]) expect(yaml).not.toContain(secret);
    expect(yaml).toContain(`target: \${TARGET_URL:-${api.url}}`);

    const env = { PASSWORD: API_PASSWORD, AUTH_TOKEN: API_STATIC_TOKEN, BASIC_PASSWORD: API_BASIC_PASSWORD, X_API_KEY: API_KEY };
    const validated = await run(['validate', 'api.yml'], env);
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);

    // No HTML report: it needs the built bundle (npm run build), and is not what this test is about.
    await writeFile(join(dir, 'api.yml'), `${yaml}\nreport: {html: false}\n`);
    const iterations = 4;
    const ran = await run(['run', 'api.yml', '--iterations', String(iterations), '--out', 'results.json', '--quiet'], env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(api.counts).toMatchObject({ logins: iterations, items: iterations, forms: iterations, rejected: 0 });
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ResultsDocument;
    expect(results.summary.total.count).toBe(3 * iterations);
    expect(results.summary.total.failures).toBe(0);
  });
});
