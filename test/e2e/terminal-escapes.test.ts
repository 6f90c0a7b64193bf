import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/**
 * Names, hosts and messages from a scenario or from a results file someone else made never reach the terminal
 * as escape sequences (set-title, clipboard write, clear screen, a C1 CSI), with colours off: every console
 * output shows them as visible `\u001b` escapes instead.
 */
const HOSTILE = '\x1b]0;pwned\x07 \x1b]52;c;cHduZWQ=\x07 \x1b[2J \x9b';
/** The same in YAML's double-quoted escapes. */
const HOSTILE_YAML = '\\e]0;pwned\\a \\e]52;c;cHduZWQ=\\a \\e[2J \\x9b';
const VISIBLE = '\\u001b]0;pwned\\u0007 \\u001b]52;c;cHduZWQ=\\u0007 \\u001b[2J \\u009b';

let server: Server;
let url: string;
let dir: string;
let served = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-escapes-'));
  server = createServer((_req, res) => {
    served += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ v: HOSTILE }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function expectInert(outcome: CliOutcome, what: string): void {
  const text = outcome.stdout + outcome.stderr;
  expect(text.includes('\x1b'), `ESC in ${what}`).toBe(false);
  expect(text.includes('\x07'), `BEL in ${what}`).toBe(false);
  expect(text.includes('\x9b'), `CSI in ${what}`).toBe(false);
}

describe('terminal escapes (built CLI, NO_COLOR=1)', () => {
  it('are shown as visible escapes by run, validate, report and compare', async () => {
    const file = join(dir, 'evil.yml');
    await writeFile(
      file,
      [
        `name: "scenario ${HOSTILE_YAML}"`,
        `target: ${url}`,
        'requests:',
        `  - {name: "request ${HOSTILE_YAML}", path: /, expect: {json: [{path: $.v, equals: nope}]}}`,
        'load: {profile: constant, users: 1, iterations: 3}',
        'sla: {max_error_rate: 0}',
        '',
      ].join('\n'),
    );
    const validate = await runBuiltCli(['validate', file], { cwd: dir });
    expect(validate.code).toBe(0);
    expectInert(validate, 'validate');
    expect(validate.stdout).toContain(`request ${VISIBLE}`);

    const run = await runBuiltCli(['run', file, '--out', 'a.json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(served).toBe(3);
    expectInert(run, 'run');
    expect(run.stdout + run.stderr).toContain(`scenario ${VISIBLE}`);
    expect(run.stdout).toContain(`request ${VISIBLE}`);

    // A results file made by someone else: a hostile host and failure message as well.
    const document = JSON.parse(await readFile(join(dir, 'a.json'), 'utf8')) as { run: { host: string } };
    document.run.host = `host ${HOSTILE}`;
    let messages = 0;
    const hostileMessages = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [key, child] of Object.entries(node)) {
        if (key === 'message' && typeof child === 'string') {
          (node as Record<string, unknown>)[key] = `message ${HOSTILE}`;
          messages += 1;
        } else hostileMessages(child);
      }
    };
    hostileMessages(document);
    expect(messages).toBeGreaterThan(0);
    await writeFile(join(dir, 'b.json'), JSON.stringify(document));

    const report = await runBuiltCli(['report', 'b.json'], { cwd: dir });
    expect(report.code).toBe(0);
    expectInert(report, 'report');
    expect(report.stdout).toContain(`request ${VISIBLE}`);
    expect(report.stdout).toContain(`message ${VISIBLE}`);

    const compare = await runBuiltCli(['compare', 'a.json', 'b.json'], { cwd: dir });
    expectInert(compare, 'compare');
    expect(compare.stdout).toContain(`request ${VISIBLE}`);
  });
});
