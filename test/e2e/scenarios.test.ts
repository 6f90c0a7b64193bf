import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { readCheckedResults, runBuiltInProcess } from './built-cli.js';

/**
 * Several scenarios in one run (`scenarios:`), as a user runs them: each hits its planned count at the
 * server's own count (by path), each gets its block in the results, a threshold of one scenario fails the
 * run alone, and worker threads and shards split each scenario exactly.
 */
let dir: string;
let server: Server;
let url: string;
const seen = new Map<string, number>();
/** The client ports /browse came from: one connection per virtual user of the closed ramp. */
const browsePorts = new Set<number>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-scenarios-'));
  server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.set(path, (seen.get(path) ?? 0) + 1);
    if (path === '/browse') browsePorts.add(req.socket.remotePort ?? 0);
    // /slow answers after 30 ms: a p95 of 1 ms is then lost on it.
    const reply = (): void => void res.end('ok');
    if (path === '/slow') setTimeout(reply, 30);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  seen.clear();
  browsePorts.clear();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** Three populations: browsing users (a closed ramp to 4 users), checkouts at an arrival rate from 300 ms, a smoke check of 7 iterations. */
function shopScenario(options: { readonly checkoutSla?: string; readonly workers?: number } = {}): string {
  return `name: shop
target: \${TARGET_URL}
${options.workers === undefined ? '' : `workers: ${options.workers}\n`}scenarios:
  browse:
    requests: [{name: home, path: /browse, think_time: 50ms}]
    load: {profile: ramp, start_users: 0, end_users: 4, ramp_duration: 1s, steady_duration: 500ms}
  checkout:
    requests: [{name: home, path: ${options.checkoutSla === undefined ? '/checkout' : '/slow'}}]
    load: {profile: arrival_rate, rate: 20, duration: 1500ms, max_users: 20}
    start_after: 300ms
${options.checkoutSla === undefined ? '' : `    sla: ${options.checkoutSla}\n`}  smoke:
    requests: [{name: ping, path: /smoke}]
    load: {profile: constant, users: 2, iterations: 7}
sla: {max_error_rate: 0}
report: {html: false}
`;
}

async function run(
  name: string,
  text: string,
  extra: readonly string[] = [],
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  await writeFile(join(dir, `${name}.yml`), text);
  return runBuiltInProcess(['run', `${name}.yml`, '--out', `${name}.json`, '--quiet', ...extra], { cwd: dir, env: { TARGET_URL: url } });
}

const countOf = (doc: ResultsDocument, scenario: string): number | undefined =>
  doc.summary.scenarios?.find((part) => part.name === scenario)?.count;

describe('several scenarios in one run (built CLI)', () => {
  it('runs each scenario with its own load on one t=0: counts at the server, a block per scenario', async () => {
    const outcome = await run('shop', shopScenario());
    expect(outcome.code, outcome.stderr).toBe(0);
    const doc = await readCheckedResults(dir, 'shop.json');
    // An arrival rate of 20/s for 1.5 s is 30 arrivals, exactly; 7 iterations of one request are 7 requests.
    expect(seen.get('/checkout')).toBe(30);
    expect(seen.get('/smoke')).toBe(7);
    expect(countOf(doc, 'checkout')).toBe(30);
    expect(countOf(doc, 'smoke')).toBe(7);
    expect(countOf(doc, 'browse')).toBe(seen.get('/browse'));
    // The ramp started its 4 users, each on a connection of its own, kept alive.
    expect(browsePorts.size).toBe(4);
    expect(doc.summary.total.count).toBe(30 + 7 + (seen.get('/browse') ?? 0));
    // Two scenarios name a request "home": each is reported under its scenario's name.
    expect(doc.summary.requests.map((stats) => stats.name)).toEqual(['browse/home', 'checkout/home', 'ping']);
    expect(doc.summary.scenarios?.map((part) => [part.name, part.requestNames])).toEqual([
      ['browse', ['browse/home']],
      ['checkout', ['checkout/home']],
      ['smoke', ['ping']],
    ]);
    expect(doc.scenario.plan).toContain(
      'browse: ramp 0→4 users over 1s, then 500ms at 4 · checkout: arrival rate 20/s for 1s500ms (max 20 users) from 300ms',
    );
  });

  it('a threshold of one scenario is judged on its requests alone, and fails the run alone', async () => {
    const outcome = await run('shop-sla', shopScenario({ checkoutSla: '{p95_latency_ms: 1}' }));
    expect(outcome.code, outcome.stderr).toBe(1);
    const doc = await readCheckedResults(dir, 'shop-sla.json');
    const [runWide, checkout] = doc.thresholds;
    expect(runWide).toMatchObject({ key: 'max_error_rate', passed: true });
    expect(checkout).toMatchObject({ key: 'p95_latency_ms', scenario: 'checkout', passed: false });
    // The server held each /slow for 30 ms: the scenario's p95 is at least that, whatever browse's is.
    expect(checkout?.measured).toBeGreaterThanOrEqual(30);
    expect(checkout?.description).toContain('(scenario checkout)');
    expect(seen.get('/slow')).toBe(30);
  });

  it('splits each scenario exactly over worker threads', async () => {
    const outcome = await run('shop-workers', shopScenario({ workers: 2 }));
    expect(outcome.code, outcome.stderr).toBe(0);
    const doc = await readCheckedResults(dir, 'shop-workers.json');
    expect(doc.generator.workers).toBe(2);
    expect(seen.get('/checkout')).toBe(30);
    expect(seen.get('/smoke')).toBe(7);
    expect(countOf(doc, 'checkout')).toBe(30);
    expect(countOf(doc, 'smoke')).toBe(7);
    expect(countOf(doc, 'browse')).toBe(seen.get('/browse'));
    expect(browsePorts.size).toBe(4);
  });

  it('splits each scenario exactly over shards, and merge keeps the blocks', async () => {
    await writeFile(join(dir, 'shop-shards.yml'), shopScenario());
    const shards = await Promise.all(
      [1, 2].map((index) =>
        runBuiltInProcess(['run', 'shop-shards.yml', '--shard', `${index}/2`, '--out', `shard-${index}.json`, '--quiet'], {
          cwd: dir,
          env: { TARGET_URL: url },
        }),
      ),
    );
    for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
    const merged = await runBuiltInProcess(['merge', 'shard-1.json', 'shard-2.json', '-o', 'shop-merged.json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const doc = await readCheckedResults(dir, 'shop-merged.json');
    expect(seen.get('/checkout')).toBe(30);
    expect(seen.get('/smoke')).toBe(7);
    expect(countOf(doc, 'checkout')).toBe(30);
    expect(countOf(doc, 'smoke')).toBe(7);
    expect(countOf(doc, 'browse')).toBe(seen.get('/browse'));
  });

  it('changes the load of one scenario with --scenario and the load flags, the others as written', async () => {
    const outcome = await run('shop-flags', shopScenario(), ['--scenario', 'smoke', '--users', '1', '--iterations', '3']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const doc = await readCheckedResults(dir, 'shop-flags.json');
    expect(seen.get('/smoke')).toBe(3);
    expect(countOf(doc, 'smoke')).toBe(3);
    expect(seen.get('/checkout')).toBe(30);
    expect(doc.scenario.plan).toContain('smoke: constant 1 user, 3 iterations');
    const unnamed = await run('shop-flags', shopScenario(), ['--users', '1']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain(
      'has several scenarios (browse, checkout, smoke): name the one the load flags change with --scenario NAME',
    );
  });

  it.each([
    [
      'requests at the top beside scenarios',
      `target: \${TARGET_URL}\nrequests: [{path: /}]\nscenarios:\n  a:\n    requests: [{path: /}]\n    load: {profile: constant, users: 1, iterations: 1}\n`,
      /shop-bad\.yml:2:1 +requests +with scenarios, requests goes inside each scenario/,
    ],
    [
      'a warm-up in a scenario',
      `target: \${TARGET_URL}\nscenarios:\n  a:\n    requests: [{path: /}]\n    load: {profile: constant, users: 1, duration: 1s, warmup: 1s}\n`,
      /shop-bad\.yml:5:\d+ +scenarios\.a\.load\.warmup +a warm-up is not supported/,
    ],
    [
      'a threshold on a request the scenario does not have',
      `target: \${TARGET_URL}\nscenarios:\n  a:\n    requests: [{name: home, path: /}]\n    load: {profile: constant, users: 1, iterations: 1}\n    sla: {requests: {hom: {p95_latency_ms: 100}}}\n`,
      /scenarios\.a\.sla\.requests\.hom +no request is named "hom"; did you mean "home"\?/,
    ],
    ['neither load nor scenarios', `target: \${TARGET_URL}\nrequests: [{path: /}]\n`, /needs load \(one load profile\) or scenarios/],
    [
      'a scenario without requests or flows',
      `target: \${TARGET_URL}\nscenarios:\n  a:\n    load: {profile: constant, users: 1, iterations: 1}\n`,
      /shop-bad\.yml:3:\d+ +scenarios\.a +a scenario needs requests/,
    ],
  ])('refuses %s before sending anything (exit 2, located)', async (_name, text, message) => {
    const outcome = await run('shop-bad', text);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect([...seen.values()].reduce((sum, count) => sum + count, 0)).toBe(0);
  });
});
