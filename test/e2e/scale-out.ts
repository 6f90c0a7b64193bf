import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { BIN } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/** What the scale-out tests (start-at, netns-shards) share: the shard scenario, and a shard process to watch. */

/**
 * A scenario whose requests say which shard sent them (`x-shard: ${SHARD}`), at an arrival rate of 100/s for
 * 1 s, split by `--shard`; `${WORKERS}` worker threads (each shard may differ).
 */
export async function writeShardScenario(dir: string, name: string): Promise<string> {
  const file = `${name}.yml`;
  await writeFile(
    join(dir, file),
    [
      `name: ${name}`,
      'target: ${TARGET_URL}',
      'workers: ${WORKERS:-1}',
      'requests: [{name: hit, path: /, headers: {x-shard: "${SHARD}"}}]',
      'load: {profile: arrival_rate, rate: 100, duration: 1s, max_users: 20}',
      'sla: {max_error_rate: 0}',
      'report: {html: false}',
      '',
    ].join('\n'),
  );
  return file;
}

/** A CLI process being watched: its end, and a wait for some text on its stderr. */
export interface ShardProcess {
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
): ShardProcess {
  const [command = process.execPath, ...rest] = [...(options.prefix ?? []), process.execPath, BIN, ...args];
  const child = spawn(command, rest, {
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
 * How far apart the shards' first requests may arrive: ALIGNED_MS, plus the longest delay a shard's own
 * scheduler reported (`summary.schedulerLagMs.max`: an arrival's start after its planned moment). On a quiet
 * machine that is a fraction of a millisecond; on a busy shared one a shard may get the CPU only that much
 * later, which no start time can prevent, and the shard says so in its results.
 */
export function alignedWithin(shards: readonly ResultsDocument[]): number {
  return ALIGNED_MS + Math.max(0, ...shards.map((shard) => shard.summary.schedulerLagMs.max));
}

/** A shard's start as its results tell it, for a failure message: how late, the scheduler's lag, the event loop's delay. */
export function startFigures(shard: ResultsDocument): Record<string, number | undefined> {
  return {
    startLateMs: shard.run.startLateMs,
    schedulerLagMaxMs: shard.summary.schedulerLagMs.max,
    eventLoopDelayMaxMs: shard.generator.eventLoopDelayMaxMs,
  };
}
