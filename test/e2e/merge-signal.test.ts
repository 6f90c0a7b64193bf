import { spawn, execFileSync } from 'node:child_process';
import { access, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecorder, record, resultsOf } from '../unit/results/results-helpers.js';
import { BIN } from './built-cli.js';

/**
 * `merge` on SIGINT/SIGTERM: exit 130/143, nothing written. The second input is a FIFO, so the merge blocks
 * reading it until the test has signalled; then it is fed a valid results file.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-merge-signal-'));
  await writeFile(join(dir, 'a.json'), JSON.stringify(resultsOf(record(newRecorder(), { count: 200, seed: 1 }))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mergeSignalled(signal: NodeJS.Signals, fifo: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  execFileSync('mkfifo', [join(dir, fifo)]);
  const second = JSON.stringify(
    resultsOf(record(newRecorder(), { count: 200, seed: 2 }), { startedAtEpochMs: Date.parse('2026-11-25T20:00:01.000Z') }),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'merge', 'a.json', fifo, '-o', `${fifo}-merged.json`], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Opening a FIFO for writing waits until a reader opens it: merge is then reading its inputs, its signal
    // handlers in place. Signal once, then let it read the rest.
    void open(join(dir, fifo), 'w').then(async (writer) => {
      child.kill(signal);
      await writer.writeFile(second);
      await writer.close();
    }, reject);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('merge on a signal (built CLI)', () => {
  it('SIGINT: exit 130, no output file', async () => {
    const out = await mergeSignalled('SIGINT', 'b-int');
    expect(out.code, out.stdout + out.stderr).toBe(130);
    expect(out.stderr).toContain('SIGINT: merge stopped, nothing written');
    await expect(access(join(dir, 'b-int-merged.json'))).rejects.toThrow(/ENOENT/);
  });

  it('SIGTERM: exit 143, no output file', async () => {
    const out = await mergeSignalled('SIGTERM', 'b-term');
    expect(out.code, out.stdout + out.stderr).toBe(143);
    await expect(access(join(dir, 'b-term-merged.json'))).rejects.toThrow(/ENOENT/);
  });
});
