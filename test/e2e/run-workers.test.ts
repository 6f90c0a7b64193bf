import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

let dir: string;
let server: TargetServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-workers-'));
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built CLI in `dir`, with TARGET_URL pointing at the test's server. */
function loadseed(args: readonly string[]): Promise<CliOutcome> {
  return runBuiltCli(args, { cwd: dir, env: { TARGET_URL: server.url } });
}

describe('loadseed run with workers (built CLI)', () => {
  it('splits the load over worker threads from dist/ and reports one merged result with the generator block', async () => {
    await writeFile(
      join(dir, 'split.yml'),
      'name: split\ntarget: ${TARGET_URL}\nworkers: 2\nrequests: [{path: /json}]\nload: {profile: constant, users: 3, iterations: 90}\nreport: {json: split.json, html: false}\n',
    );
    const before = server.requestCount();
    const out = await loadseed(['run', 'split.yml']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('constant 3 users, 90 iterations · at most 10m · 1 request: GET /json · 2 worker threads');
    expect(server.requestCount() - before).toBe(90);
    const doc = JSON.parse(await readFile(join(dir, 'split.json'), 'utf8')) as ResultsDocument;
    expect(doc.summary.iterations).toBe(90);
    expect(doc.summary.total.count).toBe(90);
    expect(doc.generator.workers).toBe(2);
    expect(doc.generator.threads).toHaveLength(2);
    expect(typeof doc.generator.saturated).toBe('boolean');
  });

  it('hands every worker thread the rows of a data file, each row once with order: unique', async () => {
    const rows = Array.from({ length: 40 }, (_, index) => `${index},${index % 2 === 0 ? 200 : 201}`);
    await writeFile(join(dir, 'codes.csv'), `n,code\n${rows.join('\n')}\n`);
    await writeFile(
      join(dir, 'rows.yml'),
      'name: rows\ntarget: ${TARGET_URL}\nworkers: 2\ndata: [{file: codes.csv, order: unique}]\nrequests: [{path: "/status/{{ code }}?n={{ n }}"}]\nload: {profile: constant, users: 4, iterations: 1000}\nreport: {json: rows.json, html: false}\n',
    );
    const before = server.requestCount();
    const out = await loadseed(['run', 'rows.yml']);
    expect(out.stderr).toContain('2 worker threads');
    expect(out.code).toBe(0);
    expect(server.requestCount() - before).toBe(40);
    const doc = JSON.parse(await readFile(join(dir, 'rows.json'), 'utf8')) as ResultsDocument;
    expect(doc.summary.total.count).toBe(40);
    expect(doc.summary.total.statusCodes).toEqual({ '200': 20, '201': 20 });
  });
});
