import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { runBuiltCli } from './built-cli.js';

/**
 * Flow control (if, count and while loops) run by the built CLI against a loopback server that counts the
 * requests it gets per path, and keeps jobs to poll: POST /jobs?pending=N, then GET /jobs/<id> answers
 * pending N times, then done.
 */

let dir: string;
let server: Server;
let targetUrl: string;
const counts = new Map<string, number>();
const jobs = new Map<string, number>();
/** The `v` query values /seeded got, in order of arrival. */
const seeded: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-flow-control-'));
  server = createServer((request, response) => {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://x');
    const path = url.pathname.startsWith('/jobs/') ? '/jobs/:id' : url.pathname;
    if (path === '/seeded') seeded.push(url.searchParams.get('v') ?? '');
    counts.set(path, (counts.get(path) ?? 0) + 1);
    response.setHeader('content-type', 'application/json');
    if (path === '/jobs') {
      const id = `j${jobs.size + 1}`;
      jobs.set(id, Number(url.searchParams.get('pending') ?? '2'));
      response.end(JSON.stringify({ id, status: 'pending' }));
    } else if (path === '/jobs/:id') {
      const id = url.pathname.slice('/jobs/'.length);
      const left = jobs.get(id) ?? 0;
      jobs.set(id, left - 1);
      response.end(JSON.stringify({ id, status: left > 0 ? 'pending' : 'done' }));
    } else {
      response.end('{"ok": true}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  targetUrl = `http://127.0.0.1:${address.port}`;
});
beforeEach(() => {
  seeded.length = 0;
  counts.clear();
  jobs.clear();
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** Writes the scenario (lines), runs it with the built CLI, and returns its results document. */
async function run(name: string, lines: readonly string[], args: readonly string[] = []): Promise<ResultsDocument> {
  await writeFile(join(dir, `${name}.yml`), [...lines, `report: {json: ${name}.json, html: false}`, ''].join('\n'));
  const out = await runBuiltCli(['run', `${name}.yml`, '--quiet', ...args], {
    cwd: dir,
    env: { TARGET_URL: targetUrl },
    timeoutMs: 30_000,
  });
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as ResultsDocument;
}

function countsOf(document: ResultsDocument): Record<string, number> {
  return Object.fromEntries(document.summary.requests.map((request) => [request.name, request.count]));
}

describe('flow control (built CLI)', () => {
  it('a count loop sends its steps exactly count times an iteration, nested loops multiplying, on 1 and 2 worker threads', async () => {
    for (const workers of [1, 2]) {
      counts.clear();
      const document = await run(`count-${workers}`, [
        'target: ${TARGET_URL}',
        `workers: ${workers}`,
        'flows:',
        '  - name: loops',
        '    steps:',
        '      - {name: once, path: /once}',
        '      - loop:',
        '          count: 3',
        '          steps:',
        '            - {name: outer, path: /outer}',
        '            - loop: {count: 2, steps: [{name: inner, path: /inner}]}',
        'load: {profile: constant, users: 2, iterations: 5}',
      ]);
      // 5 iterations (the budget is shared by the users): 5 × 1, 5 × 3, 5 × 3 × 2.
      expect(Object.fromEntries(counts), `workers: ${workers}`).toEqual({ '/once': 5, '/outer': 15, '/inner': 30 });
      expect(countsOf(document)).toEqual({ once: 5, outer: 15, inner: 30 });
      expect(document.summary.iterations).toBe(5);
      expect(document.summary.total.failures).toBe(0);
    }
  });

  it('a while loop polls until a captured status is done, and max bounds one that never is', async () => {
    const document = await run('while', [
      'target: ${TARGET_URL}',
      'flows:',
      '  - name: poll',
      '    steps:',
      '      - name: create',
      '        method: POST',
      '        path: /jobs?pending=2',
      '        capture: [{as: id, json: $.id}, {as: status, json: $.status}]',
      '      - loop:',
      '          while: "{{ status != \'done\' }}"',
      '          max: 20',
      '          steps: [{name: poll, path: "/jobs/{{ id }}", capture: [{as: status, json: $.status}]}]',
      '      - name: stuck',
      '        method: POST',
      '        path: /jobs?pending=100',
      '        capture: [{as: stuck_id, json: $.id}, {as: stuck, json: $.status}]',
      '      - loop:',
      '          while: "{{ stuck == \'pending\' }}"',
      '          max: 4',
      '          steps: [{name: poll stuck, path: "/jobs/{{ stuck_id }}"}]',
      'load: {profile: constant, users: 2, iterations: 6}',
    ]);
    // Each job: 2 pending polls, then the one that says done. The stuck job: max polls.
    expect(countsOf(document)).toEqual({ create: 6, poll: 18, stuck: 6, 'poll stuck': 24 });
    expect(counts.get('/jobs')).toBe(12);
    expect(counts.get('/jobs/:id')).toBe(18 + 24);
    expect(document.summary.total.failures).toBe(0);
  });

  it('if skips a step (nothing sent, nothing recorded) and a loop, reading variables and captures', async () => {
    const document = await run('if', [
      'target: ${TARGET_URL}',
      'variables: {mode: fast, limit: 10}',
      'flows:',
      '  - name: choose',
      '    steps:',
      '      - {name: first, path: /first, capture: [{as: ok, json: $.ok}]}',
      '      - {name: slow, path: /slow, if: "{{ mode == \'slow\' }}"}',
      '      - {name: fast, path: /fast, if: "{{ mode == \'fast\' && ok == true && limit > 9 }}"}',
      '      - {name: unset, path: /unset, if: "{{ never_set }}"}',
      '      - loop: {count: 2, steps: [{name: skipped loop, path: /skipped}]}',
      '        if: "{{ mode != \'fast\' }}"',
      '      - capture: [{as: never_set, json: $.nothing}]',
      '        name: never',
      '        path: /never',
      '        if: "{{ limit < 2 }}"',
      'load: {profile: constant, users: 2, iterations: 4}',
    ]);
    expect(Object.fromEntries(counts)).toEqual({ '/first': 4, '/fast': 4 });
    // Skipped steps are listed with nothing recorded.
    expect(countsOf(document)).toEqual({ first: 4, slow: 0, fast: 4, unset: 0, 'skipped loop': 0, never: 0 });
    expect(document.summary.total.count).toBe(8);
    expect(document.summary.iterations).toBe(4);
  });

  it('a seed gives each user the same random values on 1 and 2 worker threads; --seed overrides the scenario', async () => {
    const scenario = (workers: number, seedLine: string): string[] => [
      'target: ${TARGET_URL}',
      `workers: ${workers}`,
      seedLine,
      'before:',
      "  - {name: seeded, path: \"/seeded?v={{ $uuid }}.{{ $randomInt(1, 1000000) }}.{{ $randomString(6) }}.{{ $pick('a', 'b', 'c') }}\"}",
      'flows: [{name: f, steps: [{name: plain, path: /plain}]}]',
      'load: {profile: constant, users: 4, iterations: 8}',
    ];
    /** The values the 4 users sent from `before`, sorted: which thread sent which is not fixed, the set is. */
    const valuesOf = async (name: string, lines: string[], args: string[] = []): Promise<string[]> => {
      seeded.length = 0;
      await run(name, lines, args);
      expect(seeded).toHaveLength(4);
      for (const value of seeded)
        expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.\d+\.[A-Za-z0-9]{6}\.[abc]$/);
      return [...seeded].sort();
    };
    const oneThread = await valuesOf('seed-1', scenario(1, 'seed: 42'));
    expect(new Set(oneThread).size).toBe(4);
    expect(await valuesOf('seed-1-again', scenario(1, 'seed: 42'))).toEqual(oneThread);
    expect(await valuesOf('seed-2', scenario(2, 'seed: 7'), ['--seed', '42'])).toEqual(oneThread);
    const otherSeed = await valuesOf('seed-43', scenario(1, 'seed: 42'), ['--seed', '43']);
    expect(otherSeed.filter((value) => oneThread.includes(value))).toEqual([]);
    const unseeded = await valuesOf('unseeded', scenario(1, ''));
    expect(unseeded.filter((value) => oneThread.includes(value))).toEqual([]);
  });
});
