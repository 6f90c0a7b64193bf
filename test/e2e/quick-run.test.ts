import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readCheckedResults, runBuiltInProcess } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/**
 * `loadseed run <url>` (a quick run from flags), the load flags on a scenario file, `validate --print`, and
 * iterations_per_user on one thread, on worker threads and over shards: every count checked against the
 * count of a loopback server the test started.
 */
let dir: string;
let server: Server;
let url: string;
let requests = 0;
const seen: { method: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-quick-'));
  server = createServer((request, response) => {
    requests++;
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'GET') seen.push({ method: request.method ?? '', headers: request.headers, body });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function loadseed(args: readonly string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  return runBuiltInProcess(args, { cwd: dir, env: { TARGET_URL: url, ...env } });
}

/** Runs the CLI; returns the outcome and how many requests the server got meanwhile. */
async function counted(args: readonly string[], env?: Record<string, string>): Promise<{ out: CliOutcome; served: number }> {
  const before = requests;
  const out = await loadseed(args, env);
  return { out, served: requests - before };
}

async function scenarioFile(name: string, load: string, extra = ''): Promise<string> {
  await writeFile(
    join(dir, name),
    `name: ${name.replace('.yml', '')}\ntarget: \${TARGET_URL}\nrequests: [{name: home, path: /}]\nload: ${load}\nreport: {html: false}\n${extra}`,
  );
  return name;
}

describe('a quick run from a URL (built CLI)', () => {
  it('--users 2 --iterations 10: exactly 10 requests, the results file says so', async () => {
    const { out, served } = await counted([
      'run',
      `${url}/api`,
      '--users',
      '2',
      '--iterations',
      '10',
      '--out',
      'quick.json',
      '--html',
      'quick.html',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(served).toBe(10);
    const doc = await readCheckedResults(dir, 'quick.json');
    expect(doc.summary.total.count).toBe(10);
    expect(doc.summary.iterations).toBe(10);
    expect(doc.summary.requests.map((request) => request.name)).toEqual(['GET /api']);
    expect(out.stdout).toContain('constant 2 users, 10 iterations');
  });

  it('--rate 20 --duration 1s: 20 arrivals at the server (± 1)', async () => {
    const { out, served } = await counted(['run', `${url}/`, '--rate', '20', '--duration', '1s', '--quiet', '--html', 'rate.html']);
    expect(out.code, out.stderr).toBe(0);
    expect(served).toBeGreaterThanOrEqual(19);
    expect(served).toBeLessThanOrEqual(21);
  });

  it('--method POST, -H (twice) and --body @file reach the server; thresholds from --p95 and --max-error-rate', async () => {
    await writeFile(join(dir, 'item.json'), '{"name": "widget", "qty": 3}');
    seen.length = 0;
    const { out, served } = await counted([
      'run',
      `${url}/items`,
      ...['--method', 'POST', '--body', '@item.json', '-H', 'x-api-key: k-123', '-H', 'x-trace: on'],
      ...['--users', '1', '--iterations', '3', '--p95', '2s', '--max-error-rate', '1%', '--json', '--quiet', '--html', 'post.html'],
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(served).toBe(3);
    expect(
      seen.map((one) => [one.method, one.body, one.headers['x-api-key'], one.headers['x-trace'], one.headers['content-type']]),
    ).toEqual(Array.from({ length: 3 }, () => ['POST', '{"name": "widget", "qty": 3}', 'k-123', 'on', 'application/json']));
    const doc = JSON.parse(out.stdout) as { thresholds: { key: string; limit: number; passed: boolean }[] };
    expect(doc.thresholds.map((threshold) => [threshold.key, threshold.limit, threshold.passed])).toEqual([
      ['p95_latency_ms', 2000, true],
      ['max_error_rate', 0.01, true],
    ]);
  });
});

describe('load flags on a scenario file (built CLI)', () => {
  it('--users 2 --duration 1s makes a constant load; the results count is the server count', async () => {
    const file = await scenarioFile('ramped.yml', '{profile: ramp, end_users: 50, ramp_duration: 1m}');
    const { out, served } = await counted(['run', file, '--users', '2', '--duration', '1s', '--out', 'ramped.json']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('constant 2 users for 1s');
    expect(served).toBeGreaterThan(0);
    expect((await readCheckedResults(dir, 'ramped.json')).summary.total.count).toBe(served);
  });

  it("--iterations alone changes a constant load's budget", async () => {
    const file = await scenarioFile('timed.yml', '{profile: constant, users: 3, duration: 1m}');
    const { out, served } = await counted(['run', file, '--iterations', '7', '--out', 'timed.json', '--quiet']);
    expect(out.code, out.stderr).toBe(0);
    expect(served).toBe(7);
    expect((await readCheckedResults(dir, 'timed.json')).summary.total.count).toBe(7);
  });

  it('validate --print: the effective scenario as YAML, the environment substituted, the flags applied, secrets redacted', async () => {
    const file = await scenarioFile(
      'secret.yml',
      '{profile: constant, users: 3, duration: 1m}',
      'defaults: {headers: {x-api-key: "${API_KEY}"}}\n',
    );
    const { out, served } = await counted(['validate', file, '--users', '5', '--iterations', '9', '--print'], { API_KEY: 'sup3r-s3cret' });
    expect(out.code, out.stderr).toBe(0);
    expect(served).toBe(0);
    expect(out.stdout).not.toContain('sup3r-s3cret');
    expect(parse(out.stdout)).toEqual({
      name: 'secret',
      // Every value read from the environment is a secret to the outputs (scenario/secrets.ts), the target too.
      target: '***',
      requests: [{ name: 'home', path: '/' }],
      load: { profile: 'constant', users: 5, iterations: 9 },
      report: { html: false },
      defaults: { headers: { 'x-api-key': '***' } },
    });
    expect(out.stderr).toContain('secret.yml is valid: constant 5 users, 9 iterations');
  });
});

describe('iterations_per_user (built CLI): exact totals however the users are split', () => {
  const load = '{profile: constant, users: 4, iterations_per_user: 3}';

  it('4 users × 3 on one thread, and on two worker threads: 12', async () => {
    for (const [name, extra] of [
      ['per-user.yml', ''],
      ['per-user-workers.yml', 'workers: 2\n'],
    ] as const) {
      const file = await scenarioFile(name, load, extra);
      const { out, served } = await counted(['run', file, '--out', `${name}.json`]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout, name).toContain('constant 4 users, 3 iterations each (12 in all)');
      expect(served, name).toBe(12);
      const doc = await readCheckedResults(dir, `${name}.json`);
      expect(doc.summary.iterations, name).toBe(12);
      expect(doc.summary.total.count, name).toBe(12);
    }
  });

  it('--shard 1/2 and --shard 2/2: 6 each, 12 merged', async () => {
    const file = await scenarioFile('per-user-shards.yml', load);
    const before = requests;
    const runs = await Promise.all(
      [1, 2].map((index) => loadseed(['run', file, '--shard', `${index}/2`, '--out', `shard-${index}.json`, '--quiet'])),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(requests - before).toBe(12);
    const shards = await Promise.all([1, 2].map((index) => readCheckedResults(dir, `shard-${index}.json`)));
    expect(shards.map((doc) => doc.summary.iterations)).toEqual([6, 6]);
    const merged = await loadseed(['merge', 'shard-1.json', 'shard-2.json', '-o', 'shards.json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect((await readCheckedResults(dir, 'shards.json')).summary.total.count).toBe(12);
  });
});
