import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { progressModeFor } from '../../../src/cli/progress-mode.js';
import { startTargetServer } from '../../../src/target/target-server.js';

describe('progressModeFor', () => {
  it('draws log lines whenever CI is set, even on a terminal; CI=false or 0 is not CI; --quiet wins', () => {
    expect(progressModeFor(false, { CI: 'true' })).toBe('lines');
    expect(progressModeFor(false, { CI: '1' })).toBe('lines');
    expect(progressModeFor(false, { CI: 'woodpecker' })).toBe('lines');
    expect(progressModeFor(false, { CI: 'false' })).toBe('auto');
    expect(progressModeFor(false, { CI: '0' })).toBe('auto');
    expect(progressModeFor(false, { CI: '' })).toBe('auto');
    expect(progressModeFor(false, {})).toBe('auto');
    expect(progressModeFor(true, { CI: 'true' })).toBe('quiet');
  });

  it('a run with CI=true on a terminal never redraws in place (no carriage return, no cursor movement)', async () => {
    const server = await startTargetServer({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'loadseed-ci-mode-'));
    try {
      await writeFile(
        join(dir, 's.yml'),
        `name: ci\ntarget: ${server.url}\nrequests: [{path: /delay/5}]\nload: {profile: constant, users: 2, duration: 1s}\n`,
      );
      let stderr = '';
      const code = await main(['--no-color', 'run', 's.yml'], {
        stdout: { write: () => true, isTTY: true, columns: 100 },
        stderr: { write: (text: string) => ((stderr += text), true), isTTY: true, columns: 100 },
        env: { CI: 'true', NO_COLOR: '1' },
        cwd: dir,
        signal: new AbortController().signal,
      });
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('ci:');
      expect(stderr).not.toMatch(/\r|\u001b\[/);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
