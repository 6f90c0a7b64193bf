import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

/** An importer whose scenario does not validate: a bug of loadseed, exit 3 with the problems, nothing written. */
vi.mock('../../../src/import/importers.js', async (original) => ({
  ...(await original<typeof import('../../../src/import/importers.js')>()),
  importerOf: () => Promise.resolve(() => ({ scenario: { name: 'broken', requests: [{ path: 'no-leading-slash' }] }, notes: [], env: [] })),
}));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-import-bug-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadseed import, when an importer is wrong', () => {
  it('checks its output as validate would: exit 3, the problems printed, no file written', async () => {
    await writeFile(join(dir, 'in.txt'), 'curl http://127.0.0.1:9/\n');
    let stdout = '';
    let stderr = '';
    const code = await main(['--no-color', 'import', 'curl', 'in.txt', '-o', 'out.yml'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NO_COLOR: '1' },
      cwd: dir,
      signal: new AbortController().signal,
    });
    expect(code).toBe(3);
    expect(stderr).toContain('error: the scenario imported from in.txt does not validate; a bug of loadseed import, please report it:');
    expect(stderr).toMatch(/out\.yml:\d+:\d+ {2}requests\[0\]\.path/);
    expect(stdout).toBe('');
    await expect(readFile(join(dir, 'out.yml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
