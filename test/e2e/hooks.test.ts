import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { ROOT, readCheckedResults, runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/**
 * Code hooks (`hooks:`) end to end, with the built CLI against a loopback server that counts what it sees:
 * which headers a before_request hook set, which ids an after_response hook passed on, which users and
 * threads sent; and the refusals (exit 2, located, nothing sent).
 */

let dir: string;
let server: Server;
let targetUrl: string;
/** What the server saw since the last reset. */
let seen: {
  total: number;
  hooked: number;
  byPath: Map<string, number>;
  users: Set<string>;
  threads: Set<string>;
  consumedKnown: number;
};
/** Ids /issue handed out: /consume/<id> counts only these. */
const issued = new Set<string>();
let nextId = 0;

function resetSeen(): void {
  seen = { total: 0, hooked: 0, byPath: new Map(), users: new Set(), threads: new Set(), consumedKnown: 0 };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = await mkdtemp(join(tmpdir(), 'loadseed-hooks-'));
  resetSeen();
  server = createServer((request, response) => {
    request.resume();
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    seen.total++;
    const route = path.split('/').slice(0, 2).join('/');
    seen.byPath.set(route, (seen.byPath.get(route) ?? 0) + 1);
    if (header(request, 'x-hooked') === 'yes') seen.hooked++;
    const user = header(request, 'x-user');
    if (user !== undefined) seen.users.add(user);
    const thread = header(request, 'x-thread');
    if (thread !== undefined) seen.threads.add(thread);
    if (path === '/issue') {
      const id = `id${nextId++}`;
      issued.add(id);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ next: id }));
      return;
    }
    if (path.startsWith('/consume/') && issued.delete(path.slice('/consume/'.length))) seen.consumedKnown++;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  targetUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => resetSeen());

const HOOKS = `
import { threadId } from 'node:worker_threads';
export function mark(request, context) {
  request.headers['x-hooked'] = 'yes';
  request.headers['x-user'] = String(context.user);
  request.headers['x-thread'] = String(threadId);
}
export async function markLater(request, context) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  mark(request, context);
}
export function remember(response, context) {
  context.vars.set('next', JSON.parse(response.body).next);
}
export function boom() {
  throw new Error('kaput for ' + 'secret-value-123');
}
export function reject() {
  return Promise.reject(new Error('rejected on purpose'));
}
export function hang() {
  return new Promise(() => {});
}
export function verdict(response) {
  return response.status === 200 ? 'not good enough' : undefined;
}
export function tag(prefix, n) {
  return prefix + '-' + n;
}
export const notAFunction = 42;
`;

async function write(name: string, content: string): Promise<string> {
  await writeFile(join(dir, name), content);
  return name;
}

/** A scenario against the counting server: `body` is its requests (and anything else), hooks from hooks.mjs. */
async function scenario(name: string, ...body: string[]): Promise<string> {
  return write(
    name,
    ['target: ${TARGET_URL}', 'hooks: ./hooks.mjs', 'defaults: {think_time: 10ms}', 'report: {html: false}', ...body, ''].join('\n'),
  );
}

function loadseed(args: readonly string[]): Promise<CliOutcome> {
  return runBuiltCli(args, { cwd: dir, env: { TARGET_URL: targetUrl }, timeoutMs: 20_000 });
}

async function run(file: string, expectedCode = 0): Promise<ResultsDocument> {
  const out = await loadseed(['run', file, '--out', `${file}.json`, '--quiet']);
  expect(out.code, out.stderr).toBe(expectedCode);
  return readCheckedResults(dir, `${file}.json`);
}

function countOf(document: ResultsDocument, name: string): number {
  return document.summary.requests.find((request) => request.name === name)?.count ?? 0;
}

describe('code hooks in a run (built CLI, loopback server)', () => {
  beforeAll(async () => {
    await write('hooks.mjs', HOOKS);
  });

  it('before_request sets a header the server sees on every request; a template calls a function', async () => {
    const file = await scenario(
      'before.yml',
      'requests:',
      '  - {name: sync, path: "/sync/{{ tag(\'a\', 7) }}", before_request: mark}',
      '  - {name: async, path: /async, before_request: markLater}',
      'load: {profile: constant, users: 2, duration: 1s}',
    );
    const document = await run(file);
    const total = document.summary.total;
    expect(total.count).toBeGreaterThan(10);
    expect(total.failures).toBe(0);
    expect(seen.total).toBe(total.count);
    expect(seen.hooked).toBe(total.count);
    expect(seen.byPath.get('/sync')).toBe(countOf(document, 'sync'));
    expect(seen.byPath.get('/async')).toBe(countOf(document, 'async'));
    expect([...seen.users].sort()).toEqual(['0', '1']);
  });

  it('after_response sets a variable the next request uses', async () => {
    const file = await scenario(
      'after.yml',
      'variables: {next: none}', // a variable a hook sets is declared, with its value until then
      'requests:',
      '  - {name: issue, path: /issue, after_response: remember}',
      '  - {name: consume, path: "/consume/{{ next }}"}',
      'load: {profile: constant, users: 2, duration: 1s}',
    );
    const document = await run(file);
    const consumed = countOf(document, 'consume');
    expect(consumed).toBeGreaterThan(5);
    expect(document.summary.total.failures).toBe(0);
    // Every consume carried an id the server had issued, and each one once.
    expect(seen.consumedKnown).toBe(consumed);
  });

  it('a throwing or rejecting hook is counted as script with its message (redacted), a failing verdict as check; the run goes on', async () => {
    const file = await scenario(
      'throws.yml',
      'variables: {hidden: secret-value-123}',
      'redact: [hidden]',
      'requests:',
      '  - {name: good, path: /good, before_request: mark}',
      '  - {name: thrown, path: /thrown, before_request: boom}',
      '  - {name: rejected, path: /rejected, before_request: reject}',
      '  - {name: judged, path: /judged, after_response: verdict}',
      'load: {profile: constant, users: 2, duration: 1s}',
      'sla: {max_error_rate: 0.01}',
    );
    const document = await run(file, 1);
    const total = document.summary.total;
    const good = countOf(document, 'good');
    expect(good).toBeGreaterThan(5);
    expect(total.errors).toEqual({
      script: countOf(document, 'thrown') + countOf(document, 'rejected'),
      check: countOf(document, 'judged'),
    });
    // Thrown and rejected requests were never sent; judged ones were.
    expect(seen.byPath.get('/thrown')).toBeUndefined();
    expect(seen.byPath.get('/rejected')).toBeUndefined();
    expect(seen.byPath.get('/good')).toBe(good);
    expect(seen.byPath.get('/judged')).toBe(countOf(document, 'judged'));
    const messages = (total.failureSamples ?? []).map((sample) => `${sample.kind} ${sample.message}`);
    expect(messages).toContain('script LS_SCRIPT: boom: kaput for ***');
    expect(messages).toContain('script LS_SCRIPT: reject: rejected on purpose');
    expect(messages).toContain('check verdict: not good enough');
    expect(JSON.stringify(document)).not.toContain('secret-value-123');
  });

  it('a hook that never resolves is cut by the request timeout', async () => {
    const file = await scenario(
      'hang.yml',
      'requests:',
      '  - {name: hangs, path: /hangs, before_request: hang, timeout: 100ms}',
      'load: {profile: constant, users: 2, duration: 1s}',
      'sla: false',
    );
    const document = await run(file);
    const total = document.summary.total;
    expect(total.count).toBeGreaterThanOrEqual(2);
    expect(total.errors).toEqual({ timeout: total.count });
    expect(seen.total).toBe(0);
  });

  it('hooks run in worker threads: each thread imports the module', async () => {
    const file = await scenario(
      'workers.yml',
      'workers: 2',
      'requests:',
      '  - {name: marked, path: /marked, before_request: mark}',
      'load: {profile: constant, users: 4, duration: 1s}',
    );
    const document = await run(file);
    const total = document.summary.total;
    expect(total.failures).toBe(0);
    expect(seen.hooked).toBe(total.count);
    expect([...seen.users].sort()).toEqual(['0', '1', '2', '3']);
    expect(seen.threads.size).toBe(2);
    expect(seen.threads.has('0')).toBe(false);
  });
  it('a hook in one scenario of several (scenarios:) runs for its requests only', async () => {
    const file = await scenario(
      'parts.yml',
      'scenarios:',
      '  marked:',
      '    requests: [{name: marked, path: /marked, before_request: mark}]',
      '    load: {profile: constant, users: 2, iterations: 10}',
      '  plain:',
      '    requests: [{name: plain, path: /plain}]',
      '    load: {profile: constant, users: 1, iterations: 5}',
    );
    const document = await run(file);
    expect(document.summary.total.failures).toBe(0);
    expect(seen.byPath.get('/marked')).toBe(10); // iterations: the scenario's total, over its users
    expect(seen.byPath.get('/plain')).toBe(5);
    expect(seen.hooked).toBe(10);
  });
});

describe('hooks refused before anything is sent: exit 2, one located message', () => {
  beforeAll(async () => {
    await write('hooks.mjs', HOOKS);
    await write('broken.mjs', 'export function sign(request) {\n  request.headers["a"] = ;\n}\n');
    await write('typed.ts', 'export function sign(request: { headers: Record<string, string> }): void {}\n');
  });

  async function expectRefusal(name: string, lines: readonly string[], at: { line: number; path: string; message: string }): Promise<void> {
    await write(
      name,
      ['target: ${TARGET_URL}', ...lines, 'load: {profile: constant, users: 1, iterations: 3}', 'report: {html: false}', ''].join('\n'),
    );
    for (const command of [
      ['validate', name],
      ['run', name],
    ]) {
      const out = await loadseed(command);
      const all = `${out.stdout}${out.stderr}`;
      expect(out.code, all).toBe(2);
      expect(all).not.toMatch(/^\s+at /m);
      const issue = out.stderr.split('\n')[0] ?? '';
      expect(issue, issue).toMatch(
        new RegExp(`^✗ ${name.replace('.', '\\.')}:${at.line}:\\d+ {2}${at.path.replace(/[.[\]]/g, '\\$&')} {2}`),
      );
      expect(issue).toContain(at.message);
    }
    expect(seen.total).toBe(0);
  }

  it('a hooks file that does not exist', async () => {
    await expectRefusal('missing.yml', ['hooks: ./nowhere.mjs', 'requests: [{path: /, before_request: sign}]'], {
      line: 2,
      path: 'hooks',
      message: 'no such file: ./nowhere.mjs',
    });
  });

  it('a hooks file that fails to import: its message, no stack trace', async () => {
    await expectRefusal('broken.yml', ['hooks: ./broken.mjs', 'requests: [{path: /, before_request: sign}]'], {
      line: 2,
      path: 'hooks',
      message: "cannot import ./broken.mjs: SyntaxError: Unexpected token ';'",
    });
  });

  it('a name that is not an exported function, with the closest one', async () => {
    await expectRefusal('unknown.yml', ['hooks: ./hooks.mjs', 'requests:', '  - {path: /, before_request: marc}'], {
      line: 4,
      path: 'requests[0].before_request',
      message: 'marc is not a function exported by ./hooks.mjs',
    });
    await expectRefusal('not-function.yml', ['hooks: ./hooks.mjs', 'defaults: {after_response: notAFunction}', 'requests: [{path: /}]'], {
      line: 3,
      path: 'defaults.after_response',
      message: 'notAFunction is not a function exported by ./hooks.mjs',
    });
    await expectRefusal('unknown-call.yml', ['hooks: ./hooks.mjs', 'requests:', '  - {path: "/{{ tagg(1) }}"}'], {
      line: 4,
      path: 'requests[0].path',
      message: 'did you mean tag?',
    });
  });

  it('hooks used without a hooks: key', async () => {
    await expectRefusal('no-key.yml', ['requests:', '  - {path: /, after_response: remember}'], {
      line: 3,
      path: 'requests[0].after_response',
      message: 'remember names a hook function, but the scenario has no hooks: module',
    });
    await expectRefusal('no-key-call.yml', ['requests:', '  - {path: "/{{ tag(1) }}"}'], {
      line: 3,
      path: 'requests[0].path',
      message: '{{ tag() }} names a hook function, but the scenario has no hooks: module',
    });
  });

  it.skipIf((process.features as { typescript?: unknown }).typescript)('a .ts hooks file on a Node without type stripping', async () => {
    await expectRefusal('typed.yml', ['hooks: ./typed.ts', 'requests: [{path: /, before_request: sign}]'], {
      line: 2,
      path: 'hooks',
      message: 'this version of Node does not run TypeScript',
    });
  });
});
