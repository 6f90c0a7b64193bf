import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { HAS_CHROMIUM, launchChromium } from '../../helpers/chromium.js';
import { API_PASSWORD, startApiServer } from './api-server.js';
import type { ApiServer } from './api-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * A HAR recorded by Chromium (playwright-core's recordHar) driving a page on a loopback server: the page loads a
 * stylesheet, a script and an image, logs in (POST /login → a fresh token) and lists items with
 * `Authorization: Bearer <token>`. Imported, validated and run against the same server: the server accepts the
 * items request only with a token it issued in that run, so its count proves the correlation (a capture on the
 * login, a template in the header). The output holds no static asset, no password and no recorded token.
 */

let dir: string;
let api: ApiServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-import-har-'));
  api = await startApiServer();
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

function run(argv: string[], env: Record<string, string> = {}): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env });
}

describe.skipIf(!HAS_CHROMIUM)('loadseed import har, from a recording by Chromium (skipped: no /usr/bin/chromium)', () => {
  it('imports the API calls with the token correlated, validates, and runs green against the recorded server', async () => {
    const harPath = join(dir, 'session.har');
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ recordHar: { path: harPath } });
      const page = await context.newPage();
      await page.goto(`${api.url}/`);
      await page.waitForFunction("document.title === 'done'", undefined, { timeout: 20_000 });
      await context.close(); // writes the HAR
    } finally {
      await browser.close();
    }
    expect(api.counts).toMatchObject({ logins: 1, items: 1, assets: 3, rejected: 0 });
    const har = await readFile(harPath, 'utf8');
    const recordedTokens = har.match(/tok-[0-9a-f]{24}/g) ?? [];
    expect(recordedTokens.length).toBeGreaterThan(0);

    const imported = await run(['import', 'har', 'session.har', '-o', 'session.yml']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('imported 3 requests in 1 flow from session.har → session.yml');
    expect(imported.stderr).toContain('set PASSWORD before running');
    const yaml = await readFile(join(dir, 'session.yml'), 'utf8');
    expect(yaml).not.toContain('/static/');
    expect(yaml).not.toContain(API_PASSWORD);
    for (const token of recordedTokens) expect(yaml).not.toContain(token);
    expect(yaml).toContain('authorization: Bearer {{ token }}');
    expect(yaml).toMatch(/capture:\n\s+- as: token\n\s+json: \$\.token/);
    expect(yaml).toMatch(/- think: \d+ms/);
    expect(yaml).toContain('3 static assets (styles, scripts, images, fonts) left out');
    const scenario = yaml.slice(yaml.indexOf('\nname: ')); // below the notes, which name what was left out
    expect(scenario).not.toMatch(/sec-fetch|user-agent|accept-encoding|connection|host:/i);

    const validated = await run(['validate', 'session.yml'], { PASSWORD: API_PASSWORD });
    expect(validated.code, validated.stderr).toBe(0);

    // No HTML report: it needs the built bundle (npm run build), and is not what this test is about.
    await writeFile(join(dir, 'session.yml'), `${yaml}\nreport: {html: false}\n`);
    const iterations = 2;
    const ran = await run(['run', 'session.yml', '--iterations', String(iterations), '--out', 'results.json', '--quiet'], {
      PASSWORD: API_PASSWORD,
    });
    expect(ran.code, ran.stderr).toBe(0);
    expect(api.counts).toMatchObject({ logins: 1 + iterations, items: 1 + iterations, assets: 3, rejected: 0 });
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ResultsDocument;
    expect(results.summary.total.count).toBe(3 * iterations);
    expect(results.summary.total.failures).toBe(0);
  }, 60_000);
});
