import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/** `loadseed import` as a user runs it: the built bin, curl lines piped on standard input, a HAR file to -o. */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-e2e-import-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The built CLI with `input` written to its standard input. */
function withStdin(args: readonly string[], input: string): Promise<CliOutcome> {
  return runBuiltCli(args, { cwd: dir, stdin: input, timeoutMs: 30_000 });
}

describe('loadseed import (built)', () => {
  it('reads curl lines from standard input (-) and prints a scenario that the built validate accepts', async () => {
    const out = await withStdin(
      ['import', 'curl', '-'],
      'curl -X POST http://127.0.0.1:9/api/login --json \'{"user":"ann","password":"e2e-Secret-77"}\'\n',
    );
    expect(out.stderr).toContain('✓ imported 1 request from <stdin>; 1 note; set PASSWORD before running');
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('e2e-Secret-77');
    expect(out.stdout).toContain('password: ${PASSWORD}');
  });

  it('imports the fixture HAR to a file, which validate accepts with its variables set', async () => {
    const har = join(ROOT, 'test', 'fixtures', 'import', 'shop.har');
    const imported = await runBuiltCli(['import', 'har', har, '-o', 'shop.yml'], { cwd: dir });
    expect(imported.code, imported.stderr).toBe(0);
    expect(await readFile(join(dir, 'shop.yml'), 'utf8')).toContain('Authorization: Bearer {{ access_token }}');
    const env = { COOKIE: 'theme=x', PASSWORD: 'p', X_API_KEY: 'k', TOKEN: 't' };
    const validated = await runBuiltCli(['validate', 'shop.yml'], { cwd: dir, env });
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain('shop.yml is valid');
  });
});
