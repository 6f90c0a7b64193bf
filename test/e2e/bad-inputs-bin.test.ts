import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/**
 * The refusals of test/integration/cli/bad-inputs.test.ts, a sample of them through the built `bin` in a child
 * process: what only a real process shows (its exit status, that nothing reaches stdout, no stack trace from an
 * uncaught error) holds for each kind of bad input — a scenario, a command line, a results file.
 */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-bad-bin-'));
  await writeFile(
    join(dir, 'typo.yml'),
    'target: http://127.0.0.1:9\nrequests: [{path: /}]\nload: {profile: constant, users: 1, duraton: 1s}\n',
  );
  await writeFile(
    join(dir, 'valid.yml'),
    'target: http://127.0.0.1:9\nrequests: [{path: /}]\nload: {profile: constant, users: 1, duration: 1s}\n',
  );
  await writeFile(join(dir, 'not-results.json'), '{"hello": "world"}\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function loadseed(...args: string[]): Promise<CliOutcome> {
  return runBuiltCli(args, { cwd: dir, timeoutMs: 30_000 });
}

function expectRefused(out: CliOutcome): string[] {
  const all = `${out.stdout}${out.stderr}`;
  expect(all, all).not.toMatch(/^\s+at /m);
  expect(out.stdout).toBe('');
  expect(out.code, all).toBe(2);
  return out.stderr.trimEnd().split('\n');
}

describe('the built bin refuses bad input: exit 2, one message, no stack trace', () => {
  it('a scenario with a misspelt key, located', async () => {
    const lines = expectRefused(await loadseed('run', 'typo.yml'));
    expect(lines).toEqual(['✗ typo.yml:3:37  load.duraton  unknown key "duraton"; did you mean "duration"?', '1 problem in typo.yml']);
  });

  it('an unknown option, with the option it was probably meant to be', async () => {
    const lines = expectRefused(await loadseed('run', 'valid.yml', '--qiet'));
    expect(lines[0]).toMatch(/^error: unknown option '--qiet'/);
    expect(lines.join('\n')).toContain('--quiet');
  });

  it('a results file that is not one', async () => {
    const lines = expectRefused(await loadseed('report', 'not-results.json'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: not-results\.json/);
  });
});
