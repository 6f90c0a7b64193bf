import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

const VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs the built CLI as a user would (10 s at most). */
function loadseed(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliOutcome> {
  return runBuiltCli(args, { ...options, timeoutMs: 10_000 });
}

/** No JavaScript stack frame in what a user sees. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

let dir: string;
beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = await mkdtemp(join(tmpdir(), 'loadseed-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadseed (built CLI)', () => {
  it('prints its version from package.json', async () => {
    const out = await loadseed(['--version']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(VERSION);
  });

  it('shows examples and exit codes in --help, and examples in each command help', async () => {
    const out = await loadseed(['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Examples:');
    expect(out.stdout).toContain('Exit codes: 0 passed, 1 SLA violated, 2 invalid input');
    for (const command of ['run', 'report', 'merge', 'compare', 'validate', 'init', 'serve', 'quickstart']) {
      const help = await loadseed([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain('Examples:');
      expect(help.stdout, command).toContain(`$ loadseed ${command}`);
    }
  });

  it('exits 2 on an unknown command or option, without a stack trace', async () => {
    const unknownCommand = await loadseed(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
    const unknownOption = await loadseed(['validate', '--frob', 'x.yml']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--frob'");
    expectNoStackTrace(unknownOption.stderr);
  });

  it('init writes a scenario that validate accepts, and refuses to overwrite it without --force', async () => {
    const first = await loadseed(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('wrote loadseed.yml');
    const text = await readFile(join(dir, 'loadseed.yml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.+scenario\.schema\.json$/);

    const valid = await loadseed(['validate', 'loadseed.yml'], { cwd: dir });
    expect(valid.code).toBe(0);
    expect(valid.stdout).toBe('✓ loadseed.yml is valid: constant 10 users for 30s · 30s · 3 requests: home, catalog, search\n');

    const again = await loadseed(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('error: loadseed.yml already exists: pass --force to overwrite it\n');
    expect(await readFile(join(dir, 'loadseed.yml'), 'utf8')).toBe(text);

    const forced = await loadseed(['init', '--force', '--users', '25', '--duration', '2m'], { cwd: dir });
    expect(forced.code).toBe(0);
    const revalid = await loadseed(['validate', 'loadseed.yml'], { cwd: dir });
    expect(revalid.stdout).toContain('constant 25 users for 2m');
  });

  it('init with --url, --profile ramp and --profile arrival-rate writes valid scenarios', async () => {
    const cases: [string[], string][] = [
      [
        ['api.yml', '--url', 'http://127.0.0.1:3000/api/items?page=2', '--users', '50', '--duration', '1m'],
        'constant 50 users for 1m · 1m · 1 request: items',
      ],
      [['ramp.yml', '--profile', 'ramp', '--users', '100', '--duration', '5m'], 'ramp 1→100 users over 2m30s, then 2m30s at 100'],
      [
        ['open.yml', '--profile', 'arrival-rate', '--rate', '200', '--users', '40', '--duration', '45s'],
        'arrival rate 200/s for 45s (max 40 users)',
      ],
    ];
    for (const [args, summary] of cases) {
      const init = await loadseed(['init', ...args], { cwd: dir });
      expect(init.code, args.join(' ')).toBe(0);
      const valid = await loadseed(['validate', args[0] as string], { cwd: dir });
      expect(valid.code, args.join(' ')).toBe(0);
      expect(valid.stdout).toContain(summary);
    }
    const api = await readFile(join(dir, 'api.yml'), 'utf8');
    expect(api).toContain('target: ${TARGET_URL:-http://127.0.0.1:3000}');
    expect(api).toContain('path: /api/items?page=2');
  });

  it('init --url quotes a last path segment that YAML would read as a number or a boolean, so validate accepts it', async () => {
    for (const [segment, file] of [
      ['/delay/50', 'delay.yml'],
      ['/status/200', 'status.yml'],
      ['/items/true', 'items.yml'],
    ] as const) {
      const init = await loadseed(['init', file, '--url', `http://127.0.0.1:3000${segment}`], { cwd: dir });
      expect(init.code, segment).toBe(0);
      const valid = await loadseed(['validate', file], { cwd: dir });
      expect(valid.code, `${segment}: ${valid.stderr}`).toBe(0);
      expect(valid.stdout).toContain(`1 request: ${segment.split('/').pop() as string}`);
    }
  });

  it('init refuses bad flags with exit 2 and names the flag', async () => {
    const cases: [string[], string][] = [
      [['x.yml', '--users', 'fifty'], '--users must be a whole number'],
      [['x.yml', '--duration', 'soon'], '--duration must be a duration above 0'],
      [['x.yml', '--url', 'example.test/api'], '--url must be a full http:// or https:// URL'],
      [['x.yml', '--profile', 'spiky'], "argument 'spiky' is invalid"],
    ];
    for (const [args, message] of cases) {
      const out = await loadseed(['init', ...args], { cwd: dir });
      expect(out.code, args.join(' ')).toBe(2);
      expect(out.stderr).toContain(message);
      expectNoStackTrace(out.stderr);
    }
    expect(existsSync(join(dir, 'x.yml'))).toBe(false);
  });

  it('validate reports a scenario error as file:line:col, path and message, exit 2', async () => {
    await writeFile(
      join(dir, 'bad.yml'),
      [
        'target: http://127.0.0.1:8080',
        'requests:',
        '  - path: /',
        'load:',
        '  profile: constant',
        '  users: "fifty"',
        '  duration: 10s',
        '',
      ].join('\n'),
    );
    const out = await loadseed(['validate', 'bad.yml'], { cwd: dir });
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^✗ bad\.yml:6:10 {2}load\.users {2}.*whole number.*"fifty"/m);
    expect(out.stderr).toContain('1 problem in bad.yml');
    expectNoStackTrace(out.stderr);
  });

  it('validate: a missing file and a missing environment variable are exit 2 with a clear message', async () => {
    const missing = await loadseed(['validate', 'nope.yml'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('✗ nope.yml  no such file');

    await writeFile(join(dir, 'env.yml'), 'target: ${API_URL}\nrequests: [{path: /}]\nload: {profile: constant, users: 1, duration: 1s}\n');
    const noEnv = await loadseed(['validate', 'env.yml'], { cwd: dir });
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain('env.yml:1:9  target  environment variable API_URL is not set');
    const withEnv = await loadseed(['validate', 'env.yml'], { cwd: dir, env: { API_URL: 'http://127.0.0.1:9' } });
    expect(withEnv.code).toBe(0);
  });

  it('validates every scenario shipped in scenarios/', async () => {
    const files = (await readdir(join(ROOT, 'scenarios'))).filter((file) => file.endsWith('.yml')).sort();
    // A guard against reading the wrong directory: these must be among them.
    expect(files).toEqual(expect.arrayContaining(['quickstart.yml', 'ramp.yml', 'login-flow.yml', 'https.yml']));
    // Two at a time: eleven CLIs started at once on a busy 2-core machine outlast any kill timer.
    const outcomes: CliOutcome[] = [];
    for (let index = 0; index < files.length; index += 2) {
      outcomes.push(...(await Promise.all(files.slice(index, index + 2).map((file) => loadseed(['validate', `scenarios/${file}`])))));
    }
    files.forEach((file, index) => {
      const out = outcomes[index] as CliOutcome;
      expect(out.code, `${file}: ${out.stderr}`).toBe(0);
      expect(out.stdout).toContain(`scenarios/${file} is valid:`);
    });
  });

  it('serve prints its URL, answers on it, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Waits for the line, however long a busy machine takes to start the CLI (the test's timeout is the hang guard).
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL; stderr: ${stderr}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (line !== null) resolve(line[1] as string);
      });
    });
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(stderr).toContain('stopped after 1 requests');
  });

  it('serve refuses a bad port with exit 2', async () => {
    const out = await loadseed(['serve', '--port', '70000']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--port must be a port number from 0 to 65535 (got "70000")');
  });
});
