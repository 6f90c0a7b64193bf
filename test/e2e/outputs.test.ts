import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';
import { closedPort } from '../integration/engine/servers.js';

/**
 * The built CLI streaming with worker threads: each worker's figures reach the main thread by its progress
 * reports, and the JSON Lines intervals still add up exactly to the results and to the target's own count; a
 * receiver that is down changes neither the exit code nor the verdict.
 */
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-outputs-'));
  server = await startTargetServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('streaming outputs (built CLI)', () => {
  it('worker threads: the intervals add up to the results and to the target; a receiver down costs one warning', async () => {
    await writeFile(
      join(dir, 'workers.yml'),
      'name: workers\ntarget: ${TARGET_URL}\nworkers: 2\nrequests: [{path: /delay/5}]\nload: {profile: constant, users: 6, duration: 2s}\nsla: {max_error_rate: 0}\nreport: {html: false}\n',
    );
    const seenBefore = server.requestCount();
    const port = await closedPort();
    const out = await runBuiltCli(
      [
        'run',
        'workers.yml',
        '--out',
        'workers.json',
        '--output',
        'jsonl=workers.jsonl',
        '--output',
        `prometheus-rw=http://127.0.0.1:${port}/api/v1/write`,
      ],
      { cwd: dir, env: { TARGET_URL: server.url } },
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr.split('\n').filter((line) => line.startsWith('!'))).toHaveLength(1);
    const doc = await readCheckedResults(dir, 'workers.json');
    expect(doc.generator.workers).toBe(2);
    expect(doc.summary.total.count).toBe(server.requestCount() - seenBefore);
    const lines = (await readFile(join(dir, 'workers.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; requests?: number });
    const intervals = lines.filter((line) => line.kind === 'interval');
    expect(intervals.length).toBeGreaterThanOrEqual(2);
    expect(intervals.reduce((sum, line) => sum + (line.requests ?? 0), 0)).toBe(doc.summary.total.count);
    expect(doc.outputs?.find((output) => output.kind === 'prometheus-rw')?.sent).toBe(0);
    expect(doc.outputs?.find((output) => output.kind === 'prometheus-rw')?.dropped).toBeGreaterThanOrEqual(2);
    expect(doc.outputs?.find((output) => output.kind === 'jsonl')?.dropped).toBe(0);
  });
});
