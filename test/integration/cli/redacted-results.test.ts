import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';

let server: Server;
let served = 0;
const seenHeaders: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ls-redacted-'));
  server = createServer((request, response) => {
    served++;
    seenHeaders.push(String(request.headers['x-shard']));
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('results of a run with values from the environment', () => {
  it('redacts the values, not the file’s own field names: a value `warm` leaves `warmupExcluded` whole', async () => {
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      join(dir, 's.yml'),
      [
        'name: redacted',
        `target: http://127.0.0.1:${port}`,
        'requests:',
        '  - name: warm-get',
        '    path: /',
        '    headers: {X-Shard: "${SHARD}"}',
        'load: {profile: constant, users: 1, iterations: 5}',
        'report: {html: false}',
      ].join('\n'),
    );
    const outcome = await runCliInProcess(['run', 's.yml', '--out', 'r.json', '--quiet'], { cwd: dir, env: { SHARD: 'warm' } });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(resultsSchemaProblems(results)).toEqual([]);
    expect(results['run']?.['warmupExcluded']).toBe(false);
    expect(served).toBe(5);
    expect(seenHeaders).toEqual(Array(5).fill('warm'));
    // The value is data wherever it appears in data: the request's name is redacted.
    expect((results['summary']?.['requests'] as { name: string }[]).map((request) => request.name)).toEqual(['***-get']);
  });
});
