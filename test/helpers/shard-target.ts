import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The script: a plain Node process, so that it can run inside a network namespace (`ip netns exec NS node …`). */
const SCRIPT = fileURLToPath(new URL('./first-request-target.mjs', import.meta.url));

/** What the target counted: every request, and when (its own clock, ms since the epoch) each shard's first arrived. */
export interface ShardTargetStats {
  readonly count: number;
  readonly firstAtEpochMs: Readonly<Record<string, number>>;
  /** The most the target's own event loop ran late (ms): its timestamps may be that late too. */
  readonly loopDelayMaxMs: number;
}

/** A running first-request target (test/helpers/first-request-target.mjs), driven through its stdin and stdout. */
export interface ShardTarget {
  readonly port: number;
  readonly pid: number;
  stats(): Promise<ShardTargetStats>;
  /** Closes its stdin: it closes its server and exits. Resolves once it has. */
  stop(): Promise<void>;
}

/**
 * Starts the target on `host` (port 0: any free one), optionally under a command prefix such as
 * `['ip', 'netns', 'exec', NS]`, and resolves once it listens.
 */
export function startShardTarget(host: string, prefix: readonly string[] = []): Promise<ShardTarget> {
  const [command = process.execPath, ...args] = [...prefix, process.execPath, SCRIPT, host, '0'];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pending: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => pending.shift()?.(line));
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      pending.push(resolve);
      child.once('exit', (code) => reject(new Error(`the target exited (code ${code}): ${stderr}`)));
    });
  return nextLine().then((line) => {
    const { port } = JSON.parse(line) as { port: number };
    return targetOf(child, port, nextLine);
  });
}

function targetOf(child: ChildProcessWithoutNullStreams, port: number, nextLine: () => Promise<string>): ShardTarget {
  return {
    port,
    pid: child.pid ?? 0,
    stats: async () => {
      const line = nextLine();
      child.stdin.write('stats\n');
      return JSON.parse(await line) as ShardTargetStats;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
