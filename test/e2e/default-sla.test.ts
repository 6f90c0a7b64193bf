import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/** A scenario without an `sla` is judged by a default threshold, error rate ≤ 1%, shown as such; `sla: false` opts out. */
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-default-sla-'));
  server = await startTargetServer({ port: 0 });
  const scenario = (sla: string): string =>
    `name: failing\ntarget: \${TARGET_URL}\nrequests: [{name: broken, path: /status/500}]\nload: {profile: constant, users: 2, iterations: 20}\n${sla}report: {html: false}\n`;
  await writeFile(join(dir, 'no-sla.yml'), scenario(''));
  await writeFile(join(dir, 'sla-false.yml'), scenario('sla: false\n'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (args: readonly string[]) => runBuiltCli(args, { cwd: dir, env: { TARGET_URL: server.url }, timeoutMs: 30_000 });

describe('the default sla (built CLI)', () => {
  it('fails a run with 100% errors and no sla (exit 1), naming the default threshold in every output', async () => {
    const before = server.requestCount();
    const out = await run([
      'run',
      'no-sla.yml',
      '--out',
      'no-sla.json',
      '--junit',
      'no-sla.xml',
      '--markdown',
      'no-sla.md',
      '--html',
      'no-sla.html',
    ]);
    expect(out.code, out.stdout + out.stderr).toBe(1);
    expect(server.requestCount() - before).toBe(20);
    expect(out.stdout).toContain('✗ error rate 100% > 1% (default: no sla set)');
    expect(out.stdout).toContain('✗ failed: 1 of 1 thresholds violated');
    expect(out.stdout).not.toContain('run completed');
    const doc = await readCheckedResults(dir, 'no-sla.json');
    expect(doc.verdict).toBe('failed');
    expect(doc.thresholds).toEqual([
      {
        key: 'max_error_rate',
        limit: 0.01,
        measured: 1,
        passed: false,
        default: true,
        description: 'error rate 100% > 1% (default: no sla set)',
      },
    ]);
    expect(await readFile(join(dir, 'no-sla.xml'), 'utf8')).toContain('(default: no sla set)');
    expect(await readFile(join(dir, 'no-sla.md'), 'utf8')).toContain('(default: no sla set)');
    expect(await readFile(join(dir, 'no-sla.html'), 'utf8')).toContain('max_error_rate (default)');
  });

  it('judges nothing with sla: false (exit 0)', async () => {
    const out = await run(['run', 'sla-false.yml', '--out', 'sla-false.json']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toContain('✓ run completed (no thresholds)');
    expect((await readCheckedResults(dir, 'sla-false.json')).thresholds).toEqual([]);
  });
});
