import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { expect } from 'vitest';
import type { ShardTarget, ShardTargetStats } from '../helpers/shard-target.js';
import { BIN, readCheckedResults, runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/** What the scale-out tests (start-at, netns-shards) share: the shard scenario, and a shard process to watch. */

/**
 * A scenario whose requests say which shard sent them (`x-shard: ${SHARD}`), at an arrival rate of 100/s for
 * 1 s (after a warm-up of `warmup`, if given), split by `--shard`; `${WORKERS}` worker threads (each shard may differ).
 */
export async function writeShardScenario(dir: string, name: string, warmup?: string): Promise<string> {
  const file = `${name}.yml`;
  await writeFile(
    join(dir, file),
    [
      `name: ${name}`,
      'target: ${TARGET_URL}',
      'workers: ${WORKERS:-1}',
      'requests: [{name: hit, path: /, headers: {x-shard: "${SHARD}"}}]',
      `load: {profile: arrival_rate, rate: 100, duration: 1s, max_users: 20${warmup === undefined ? '' : `, warmup: ${warmup}`}}`,
      'sla: {max_error_rate: 0}',
      'report: {html: false}',
      '',
    ].join('\n'),
  );
  return file;
}

/** A process being watched: its end, and a wait for some text on its stderr. */
export interface WatchedProcess {
  readonly done: Promise<CliOutcome>;
  /** Resolves once stderr holds `text`; rejects if the process ends first. */
  stderrShows(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts the built CLI (`node bin/loadseed.js …`) under an optional command prefix (`ip netns exec NS`),
 * with PATH, NO_COLOR and `env` only; SIGKILLed after `timeoutMs` whatever happens (a hang guard).
 */
export function startShard(
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env: Readonly<Record<string, string>>;
    readonly prefix?: readonly string[];
    readonly timeoutMs?: number;
  },
): WatchedProcess {
  const [command = process.execPath, ...rest] = [...(options.prefix ?? []), process.execPath, BIN, ...args];
  return startWatched(command, rest, options);
}

/** Starts `command` with PATH, NO_COLOR and `env` only, watched (WatchedProcess); SIGKILLed after `timeoutMs`. */
export function startWatched(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly timeoutMs?: number },
): WatchedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { readonly text: string; readonly resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const watcher of watchers.filter((one) => stderr.includes(one.text))) watcher.resolve();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    done,
    stderrShows: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) resolve();
        else watchers.push({ text, resolve });
        void done.then((outcome) => reject(new Error(`ended (code ${outcome.code}) before "${text}": ${outcome.stderr}`)));
      }),
    kill: (signal) => child.kill(signal),
  };
}

/** What the issue asks of shards on several hosts: first requests within 20 ms of each other at the target. */
export const ALIGNED_MS = 20;

/**
 * How far apart the shards' first requests may arrive: ALIGNED_MS, plus the most any shard says it was held
 * up itself — how late it started (`run.startLateMs`) and the longest stall it measured at its own t=0 or
 * after (`summary.schedulerLagMs.max`, `generator.eventLoopDelayMaxMs`). On a quiet machine those are a
 * millisecond or two, and this is ALIGNED_MS; on a busy shared one a shard may get the CPU that much later,
 * which no start time can prevent, and the shard says so in its results. And the most the target's own event
 * loop ran late (`targetLoopDelayMaxMs`): it stamps each arrival when its loop gets to it.
 */
export function alignedWithin(shards: readonly ResultsDocument[], targetLoopDelayMaxMs = 0): number {
  const heldUpMs = (shard: ResultsDocument): number =>
    (shard.run.startLateMs ?? 0) + Math.max(shard.summary.schedulerLagMs.max, shard.generator.eventLoopDelayMaxMs);
  return ALIGNED_MS + Math.max(0, ...shards.map(heldUpMs)) + targetLoopDelayMaxMs;
}

/** A shard's start as its results tell it, for a failure message: how late, the scheduler's lag, the event loop's delay. */
export function startFigures(shard: ResultsDocument): Record<string, number | undefined> {
  return {
    startLateMs: shard.run.startLateMs,
    schedulerLagMaxMs: shard.summary.schedulerLagMs.max,
    eventLoopDelayMaxMs: shard.generator.eventLoopDelayMaxMs,
  };
}

/** Where each of two shards runs: the command prefix (`ip netns exec NS`, or none), and the target's URL from there. */
export interface ShardHost {
  readonly prefix?: readonly string[];
  readonly targetUrl: string;
}

/** What two aligned shards did: their results, the merged results, and what the target saw (its clock). */
export interface AlignedShards {
  readonly startAtMs: number;
  readonly shards: readonly ResultsDocument[];
  readonly merged: ResultsDocument;
  readonly stats: ShardTargetStats;
}

/**
 * Runs the shard scenario as `--shard 1/2` on `hosts[0]` and `--shard 2/2` on `hosts[1]` (on two worker
 * threads), started at different moments (the second once the first is waiting) with one `--start-at`
 * `leadMs` ahead, and merges their results. Every process must exit 0.
 */
export async function runAlignedShards(
  dir: string,
  name: string,
  hosts: readonly [ShardHost, ShardHost],
  target: ShardTarget,
  leadMs: number,
): Promise<AlignedShards> {
  const file = await writeShardScenario(dir, name);
  const startAtMs = Date.now() + leadMs;
  const startAt = new Date(startAtMs).toISOString();
  const start = (index: 1 | 2): WatchedProcess => {
    const host = hosts[index - 1] as ShardHost;
    return startShard(['run', file, '--shard', `${index}/2`, '--start-at', startAt, '--out', `${name}-${index}.json`], {
      cwd: dir,
      // Shard 2 on two worker threads: its main thread waits, then tells them the instant.
      env: { TARGET_URL: host.targetUrl, SHARD: String(index), WORKERS: String(index) },
      ...(host.prefix === undefined ? {} : { prefix: host.prefix }),
    });
  };
  const first = start(1);
  // Different moments, one instant: the second starts once the first is waiting.
  await first.stderrShows('waiting to start at');
  const second = start(2);
  const outcomes = await Promise.all([first.done, second.done]);
  for (const outcome of outcomes) expect(outcome.code, outcome.stderr).toBe(0);
  const shards = await Promise.all([1, 2].map((index) => readCheckedResults(dir, `${name}-${index}.json`)));
  const merge = await runBuiltCli(['merge', `${name}-1.json`, `${name}-2.json`, '-o', `${name}.json`], { cwd: dir });
  expect(merge.code, merge.stderr).toBe(0);
  return { startAtMs, shards, merged: await readCheckedResults(dir, `${name}.json`), stats: await target.stats() };
}

/**
 * The checks of an aligned run: each shard's first request reached the target, none before the instant, the
 * two within `alignedWithin` of each other; the shards recorded the instant, and so did the merge (with the
 * latest shard's lateness); the merged count is the target's
 * and the arrivals are the plan's (100/s for 1 s).
 */
export function expectAligned({ startAtMs, shards, merged, stats }: AlignedShards): void {
  const [one, two] = [stats.firstAtEpochMs['1'], stats.firstAtEpochMs['2']];
  expect(one).toBeDefined();
  expect(two).toBeDefined();
  const figures = JSON.stringify({
    firstMs: [(one ?? 0) - startAtMs, (two ?? 0) - startAtMs],
    shards: shards.map(startFigures),
    targetLoopDelayMaxMs: stats.loopDelayMaxMs,
  });
  expect(Math.abs((one ?? 0) - (two ?? 0)), figures).toBeLessThanOrEqual(alignedWithin(shards, stats.loopDelayMaxMs));
  // Nothing before the instant (the target's clock and the shards' are one kernel's; 2 ms for rounding).
  expect(Math.min(one ?? 0, two ?? 0), figures).toBeGreaterThanOrEqual(startAtMs - 2);
  for (const shard of shards) {
    expect(shard.run.startAt).toBe(new Date(startAtMs).toISOString());
    expect(shard.run.startLateMs).toBeGreaterThanOrEqual(0);
  }
  expect(merged.run.startAt).toBe(new Date(startAtMs).toISOString());
  expect(merged.run.startLateMs).toBe(Math.max(...shards.map((shard) => shard.run.startLateMs ?? Number.NaN)));
  expect(merged.summary.total.count).toBe(stats.count);
  expect(merged.summary.iterations).toBe(100);
}
