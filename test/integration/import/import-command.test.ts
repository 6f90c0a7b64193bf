import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

/** `loadseed import`, in-process: the command's checks, exit codes and outputs, whatever the format. */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-import-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--no-color', ...argv], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1' },
    cwd: dir,
    signal: new AbortController().signal,
    ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }),
  });
  return { code, stdout, stderr };
}

describe('loadseed import', () => {
  it('refuses an unknown format with exit 2, listing the formats', async () => {
    const out = await run(['import', 'postman', 'x.json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('unknown import format "postman": use one of har, openapi, curl, artillery');
    expect(out.stdout).toBe('');
  });

  it('refuses a missing file with exit 2, located', async () => {
    const out = await run(['import', 'curl', 'missing.txt']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('missing.txt  no such file');
  });

  it('refuses a malformed HAR with exit 2, at its line and column, and writes nothing', async () => {
    await writeFile(join(dir, 'bad.har'), '{\n  "log": {\n    "entries": [,]\n  }\n}\n');
    const out = await run(['import', 'har', 'bad.har', '-o', 'bad.yml']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/✗ bad\.har:3:17 {2}not valid JSON \(a HAR file is JSON\): /);
    expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await expect(readFile(join(dir, 'bad.yml'), 'utf8')).rejects.toThrow(/ENOENT/);
    await writeFile(join(dir, 'empty.har'), '{"log": {"entries": "none"}}');
    const empty = await run(['import', 'har', 'empty.har']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('empty.har:1:9  log  expected a HAR file: an object with log.entries, a list of requests');
  });

  it('refuses a --target that is not an http(s) URL with exit 2', async () => {
    await writeFile(join(dir, 'one.txt'), 'curl http://127.0.0.1:9/a\n');
    const out = await run(['import', 'curl', 'one.txt', '--target', 'ftp://x']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--target must be an http:// or https:// URL');
  });

  it('writes YAML to stdout without -o: the $schema line first, a summary on stderr', async () => {
    const out = await run(['import', 'curl', '-'], 'curl http://127.0.0.1:9/items -H "Authorization: Bearer abcdef123456"\n');
    expect(out.stderr).not.toContain('bug');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+scenario\.schema\.json$/);
    expect(out.stdout).not.toContain('abcdef123456');
    expect(out.stdout).toContain('Bearer ${AUTH_TOKEN}');
    expect(out.stderr).toMatch(/imported 1 request from <stdin>; \d+ notes?; set AUTH_TOKEN before running/);
  });

  it('keeps the ${ and {{ of the input literal, so that the scenario still validates', async () => {
    const out = await run(['import', 'curl', '-'], `curl http://127.0.0.1:9/t -H 'X-Note: \${HOME} {{x}}' --data-raw 'text={{ name }}'\n`);
    expect(out.stderr).toContain('imported 1 request');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`X-Note: $\${HOME} {{ $pick('{{') }}x}}`);
    expect(out.stdout).toContain(`text: "{{ $pick('{{') }} name }}"`);
  });

  it('documents itself in --help', async () => {
    const out = await run(['import', '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: loadseed import [options] <format> <file>');
    expect(out.stdout).toContain('--include-static');
    expect(out.stdout).toContain('$ loadseed import har session.har -o session.yml');
  });

  it('writes -o, refuses to overwrite it without --force (exit 2), overwrites with --force', async () => {
    await writeFile(join(dir, 'two.txt'), 'curl http://127.0.0.1:9/a\ncurl http://127.0.0.1:9/b\n');
    const first = await run(['import', 'curl', 'two.txt', '-o', 'out/two.yml']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    const written = await readFile(join(dir, 'out/two.yml'), 'utf8');
    expect(written).toContain('# yaml-language-server: $schema=');
    expect(written).toContain('loadseed validate out/two.yml');
    expect(first.stderr).toContain('imported 2 requests from two.txt → out/two.yml');
    const again = await run(['import', 'curl', 'two.txt', '-o', 'out/two.yml']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('out/two.yml already exists: pass --force to overwrite it');
    await writeFile(join(dir, 'two.txt'), 'curl http://127.0.0.1:9/c\n');
    const forced = await run(['import', 'curl', 'two.txt', '-o', 'out/two.yml', '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'out/two.yml'), 'utf8')).toContain('/c');
  });
});
