import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShardTarget } from '../helpers/shard-target.js';
import type { ShardTarget } from '../helpers/shard-target.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';
import { expectAligned, runAlignedShards, startShard, writeShardScenario } from './scale-out.js';

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
    const url = `http://127.0.0.1:${target.port}`;
    expectAligned(await runAlignedShards(dir, 'aligned', [{ targetUrl: url }, { targetUrl: url }], target, LEAD_MS));
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
    expect(outcome.stderr).toMatch(/waiting to start at \d\d:\d\d:\d\d\.\d{3}Z \(in \d+\.\d s\)/);
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
