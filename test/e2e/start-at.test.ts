import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShardTarget } from '../helpers/shard-target.js';
import type { ShardTarget } from '../helpers/shard-target.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';
import { alignedWithin, startFigures, startShard, writeShardScenario } from './scale-out.js';

/**
 * `run --start-at` on one host: two shard processes, started at different moments, given one instant; a target
 * on 127.0.0.1 records by its own clock the first request of each. Their first requests arrive together
 * (within 20 ms), not before the instant, and the merged count is the target's.
 */
let dir: string;
let target: ShardTarget;
/** Long enough for two node processes to start one after the other on a busy 2-core machine (seconds each); the wait is idle. */
const LEAD_MS = 15_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-start-at-'));
  target = await startShardTarget('127.0.0.1');
});

afterAll(async () => {
  await target.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('run --start-at (built CLI, loopback)', () => {
  it('two shards started apart begin together at the instant; merged count == the target count', async () => {
    const file = await writeShardScenario(dir, 'aligned');
    const startAtMs = Date.now() + LEAD_MS;
    const startAt = new Date(startAtMs).toISOString();
    const env = (shard: number): Record<string, string> => ({
      TARGET_URL: `http://127.0.0.1:${target.port}`,
      SHARD: String(shard),
      // Shard 2 on two worker threads: the main thread waits, then tells them the instant.
      WORKERS: String(shard),
    });
    const args = (shard: number): string[] => [
      'run',
      file,
      '--shard',
      `${shard}/2`,
      '--start-at',
      startAt,
      '--out',
      `aligned-${shard}.json`,
    ];
    const first = startShard(args(1), { cwd: dir, env: env(1) });
    // The second starts only once the first waits: different moments, one instant.
    await first.stderrShows('waiting to start at');
    const second = startShard(args(2), { cwd: dir, env: env(2) });
    const outcomes = await Promise.all([first.done, second.done]);
    for (const outcome of outcomes) expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcomes[0]?.stderr).toMatch(/waiting to start at \d\d:\d\d:\d\d\.\d{3}Z \(in \d+\.\d s\)/);

    const stats = await target.stats();
    const [one, two] = [stats.firstAtEpochMs['1'], stats.firstAtEpochMs['2']];
    expect(one).toBeDefined();
    expect(two).toBeDefined();
    const shards = await Promise.all([1, 2].map((shard) => readCheckedResults(dir, `aligned-${shard}.json`)));
    const figures = JSON.stringify({ firstMs: [(one ?? 0) - startAtMs, (two ?? 0) - startAtMs], shards: shards.map(startFigures) });
    expect(Math.abs((one ?? 0) - (two ?? 0)), figures).toBeLessThanOrEqual(alignedWithin(shards));
    // Nothing before the instant (the target's clock and the shards' are this host's; 2 ms for rounding).
    expect(Math.min(one ?? 0, two ?? 0)).toBeGreaterThanOrEqual(startAtMs - 2);
    for (const shard of shards) {
      expect(shard.run.startAt).toBe(startAt);
      expect(shard.run.startLateMs).toBeGreaterThanOrEqual(0);
    }
    const merged = await runBuiltCli(['merge', 'aligned-1.json', 'aligned-2.json', '-o', 'aligned.json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const doc = await readCheckedResults(dir, 'aligned.json');
    expect(doc.summary.total.count).toBe(stats.count);
    // 100/s for 1 s: 100 arrivals over the two shards.
    expect(doc.summary.iterations).toBe(100);
  });

  it('SIGINT while waiting: exit 130, the (empty) results written, interrupted, no stack trace', async () => {
    const file = await writeShardScenario(dir, 'waiting');
    const before = (await target.stats()).count;
    const shard = startShard(['run', file, '--start-in', '10m', '--out', 'waiting.json'], {
      cwd: dir,
      env: { TARGET_URL: `http://127.0.0.1:${target.port}`, SHARD: 'w' },
    });
    await shard.stderrShows('waiting to start at');
    shard.kill('SIGINT');
    const outcome = await shard.done;
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    const doc = await readCheckedResults(dir, 'waiting.json');
    expect(doc.verdict).toBe('interrupted');
    expect(doc.summary.total.count).toBe(0);
    expect(doc.run.startAt).toBeDefined();
    expect(doc.run.startLateMs).toBeUndefined();
    expect((await target.stats()).count).toBe(before);
  });

  it('refuses bad instants before anything is sent (exit 2, located)', async () => {
    const file = await writeShardScenario(dir, 'bad');
    const env = { TARGET_URL: `http://127.0.0.1:${target.port}`, SHARD: 'b' };
    const cases: [string[], string][] = [
      [['--start-at', 'tomorrow'], '--start-at: not an ISO-8601 time: "tomorrow"'],
      [['--start-at', '2001-01-01T00:00:00Z'], 'past already'],
      [['--start-in', '25h'], '--start-in: takes a duration from 0 to 24h'],
      [['--start-in', '5s', '--start-at', '2001-01-01T00:00:00Z'], '--start-at and --start-in both say when to start'],
    ];
    for (const [flags, message] of cases) {
      const outcome = await runBuiltCli(['run', file, ...flags], { cwd: dir, env });
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(outcome.stderr).toContain(message);
    }
  });
});
