import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/**
 * A sharded run, as an orchestrator runs one: four `loadseed run --shard i/4` processes against one loopback
 * target, their results merged with `loadseed merge`: the planned totals, and the thresholds judged on the
 * merged figures.
 */
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-shards-'));
  server = await startTargetServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const results = (name: string): Promise<ResultsDocument> => readCheckedResults(dir, name);

async function shardedRun(name: string, load: string): Promise<ResultsDocument[]> {
  await writeFile(
    join(dir, `${name}.yml`),
    `name: ${name}\ntarget: \${TARGET_URL}\nrequests: [{name: home, path: /}]\nload: ${load}\nsla: {max_error_rate: 0, p99_latency_ms: 2000}\nreport: {html: false}\n`,
  );
  const runs = await Promise.all(
    [1, 2, 3, 4].map((index) =>
      runBuiltCli(['run', `${name}.yml`, '--shard', `${index}/4`, '--out', `${name}-${index}.json`, '--quiet'], {
        cwd: dir,
        env: { TARGET_URL: server.url },
      }),
    ),
  );
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  return Promise.all([1, 2, 3, 4].map((index) => results(`${name}-${index}.json`)));
}

describe('sharded runs (built CLI)', () => {
  it('closed model with an iterations budget: four shards send exactly the planned total, merged', async () => {
    const before = server.requestCount();
    const shards = await shardedRun('budget', '{profile: constant, users: 10, iterations: 203}');
    // Shares of 10 users and 203 iterations over 4 shards: 3, 3, 2, 2 users; 51, 51, 51, 50 iterations.
    expect(shards.map((doc) => doc.summary.total.count)).toEqual([51, 51, 51, 50]);
    expect(shards.map((doc) => doc.run.shard)).toEqual([1, 2, 3, 4].map((index) => ({ index, count: 4 })));
    expect(server.requestCount() - before).toBe(203);
    const merged = await runBuiltCli(['merge', ...[1, 2, 3, 4].map((index) => `budget-${index}.json`), '-o', 'budget.json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const doc = await results('budget.json');
    expect(doc.summary.total.count).toBe(203);
    expect(doc.summary.iterations).toBe(203);
    expect(doc.run.shards).toBe(4);
    expect(doc.thresholds.map((threshold) => [threshold.key, threshold.passed])).toEqual([
      ['max_error_rate', true],
      ['p99_latency_ms', true],
    ]);
    expect(doc.verdict).toBe('passed');
  });

  it('open model: the shards together run the planned arrivals, each exactly once', async () => {
    const shards = await shardedRun('open', '{profile: arrival_rate, rate: 120, duration: 2s}');
    const merged = await runBuiltCli(['merge', ...[1, 2, 3, 4].map((index) => `open-${index}.json`), '-o', 'open.json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const doc = await results('open.json');
    // 120/s for 2 s: 240 arrivals, 60 per shard.
    expect(shards.map((one) => one.summary.iterations)).toEqual([60, 60, 60, 60]);
    expect(doc.summary.iterations).toBe(240);
    expect(doc.summary.droppedArrivals).toBe(0);
  });

  it('refuses the same shard twice, and a shard of another split', async () => {
    const twice = await runBuiltCli(['merge', 'budget-1.json', 'open-1.json', '-o', 'x.json'], { cwd: dir });
    expect(twice.code).toBe(2);
    const copy = JSON.parse(await readFile(join(dir, 'budget-1.json'), 'utf8')) as { run: { startedAt: string } };
    copy.run.startedAt = '2020-01-01T00:00:00.000Z';
    await writeFile(join(dir, 'budget-1-again.json'), JSON.stringify(copy));
    const same = await runBuiltCli(['merge', 'budget-1.json', 'budget-1-again.json', '-o', 'x.json'], { cwd: dir });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('both are shard 1/4');
    const half = await runBuiltCli(['merge', 'budget-1.json', 'budget-2.json', '-o', 'half.json'], { cwd: dir });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('cannot merge an incomplete set of shards: 2 of 4 given, shards 3/4 and 4/4 missing');
    const partial = await runBuiltCli(['merge', 'budget-1.json', 'budget-2.json', '-o', 'half.json', '--allow-partial'], { cwd: dir });
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain('! partial: shards 3/4 and 4/4 missing');
    const doc = await results('half.json');
    expect(doc.run.partial).toEqual({ shardCount: 4, missingShards: [3, 4] });
    expect(doc.summary.total.count).toBe(102);
  });

  it('refuses a malformed --shard, and stops at --max-duration by itself (reports written, exit 143)', async () => {
    const bad = await runBuiltCli(['run', 'budget.yml', '--shard', '5/4'], { cwd: dir, env: { TARGET_URL: server.url } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard takes i/n with 1 ≤ i ≤ n');
    await writeFile(
      join(dir, 'long.yml'),
      'name: long\ntarget: ${TARGET_URL}\nrequests: [{path: /delay/10}]\nload: {profile: constant, users: 2, duration: 1h}\nreport: {html: false}\n',
    );
    const before = server.requestCount();
    const stopped = await runBuiltCli(['run', 'long.yml', '--max-duration', '1500ms', '--out', 'long.json'], {
      cwd: dir,
      env: { TARGET_URL: server.url },
    });
    expect(stopped.code).toBe(143);
    expect(stopped.stderr).toContain('--max-duration 1s500ms reached');
    const doc = await results('long.json');
    // Stopped by the limit, not the planned hour, on the run's own clock: the load (which starts after the
    // limit's timer) stopped by 1.5 s, plus how late that timer could fire in the run's own event loop.
    expect(doc.run.durationMs - (doc.run.drainMs ?? 0)).toBeLessThanOrEqual(1500 + doc.generator.eventLoopDelayMaxMs + 50);
    expect(doc.verdict).toBe('interrupted');
    // The report holds what was sent, by the target's own count: every request it counts was served, and the
    // target served none it does not count (as ended or interrupted). How many fit in 1.5 s is the machine's
    // business: on a busy one, starting up can take all of it.
    const served = server.requestCount() - before;
    expect(served).toBeGreaterThanOrEqual(doc.summary.total.count);
    expect(served).toBeLessThanOrEqual(doc.summary.total.count + doc.summary.total.interrupted);
  });
});
