import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../../src/run/write-outputs.js';
import type { Output } from '../../../src/run/write-outputs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-write-outputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function html(text: string): Output {
  return { kind: 'html', path: 'same/report.html', render: () => text };
}

describe('writeOutputs', () => {
  it('two writes of one path from one process both succeed: the file is one of them, whole, and no partial is left', async () => {
    const one = 'a'.repeat(100_000);
    const two = 'b'.repeat(100_000);
    const failures = await Promise.all([writeOutputs([html(one)], dir), writeOutputs([html(two)], dir)]);
    expect(failures.map((failed) => failed.size)).toEqual([0, 0]);
    expect([one, two]).toContain(await readFile(join(dir, 'same/report.html'), 'utf8'));
    expect(await readdir(join(dir, 'same'))).toEqual(['report.html']);
  });
});
