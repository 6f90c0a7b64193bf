import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startShardTarget } from '../helpers/shard-target.js';
import type { ShardTarget } from '../helpers/shard-target.js';
import { expectAligned, runAlignedShards } from './scale-out.js';

/**
 * A multi-host sharded run on one machine: three network namespaces — the target's, and one per shard, each
 * with its own address on a private link (a bridge in the target's namespace, 10.213.0.0/24, reachable from
 * nowhere else) — `loadseed run --shard i/2 --start-at T` in each shard's namespace. The merged count equals
 * the target's, and the shards' first requests reach the target together. Needs root and iproute2 (CI runs
 * as root and installs it); skipped, saying why, otherwise. The namespaces are always deleted.
 */
const PREFIX = 'lsnt';
const names = { target: `${PREFIX}${process.pid}t`, one: `${PREFIX}${process.pid}a`, two: `${PREFIX}${process.pid}b` };
const TARGET_ADDRESS = '10.213.0.1';
/** Two node processes starting one after the other, each in its namespace, on a busy 2-core machine. */
const LEAD_MS = 15_000;

function ip(args: readonly string[]): { readonly ok: boolean; readonly stderr: string } {
  const outcome = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: outcome.status === 0, stderr: `${outcome.error?.message ?? ''}${outcome.stderr ?? ''}`.trim() };
}

function must(args: readonly string[]): void {
  const outcome = ip(args);
  if (!outcome.ok) throw new Error(`ip ${args.join(' ')}: ${outcome.stderr}`);
}

/** Why the test cannot run here (not root, no `ip`, no network namespaces), or undefined when it can. */
function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'not root: creating network namespaces (ip netns add) needs root';
  const version = ip(['-V']);
  if (!version.ok) return `no usable ip command (iproute2): ${version.stderr}`;
  const probe = `${PREFIX}${process.pid}p`;
  const added = ip(['netns', 'add', probe]);
  if (!added.ok) return `ip netns add fails here: ${added.stderr}`;
  ip(['netns', 'del', probe]);
  return undefined;
}

/** Namespaces of this test's earlier runs whose process is gone (a run killed before its afterAll). */
function removeStale(): void {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of listed.split('\n')) {
    const match = new RegExp(`^(${PREFIX}([0-9]+)[a-z])\\b`).exec(line.trim());
    if (match === null) continue;
    const pid = Number(match[2]);
    const alive = spawnSync('kill', ['-0', String(pid)]).status === 0;
    if (!alive || pid === process.pid) ip(['netns', 'del', match[1] as string]);
  }
}

/** The target's namespace with a bridge at TARGET_ADDRESS; each shard's namespace linked to it by a veth pair. */
function createHosts(): void {
  for (const name of Object.values(names)) {
    must(['netns', 'add', name]);
    must(['-n', name, 'link', 'set', 'lo', 'up']);
  }
  must(['-n', names.target, 'link', 'add', 'br0', 'type', 'bridge']);
  must(['-n', names.target, 'addr', 'add', `${TARGET_ADDRESS}/24`, 'dev', 'br0']);
  must(['-n', names.target, 'link', 'set', 'br0', 'up']);
  for (const [index, shard] of [names.one, names.two].entries()) {
    const port = `v${index + 1}`;
    must(['-n', names.target, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', shard]);
    must(['-n', names.target, 'link', 'set', port, 'master', 'br0', 'up']);
    must(['-n', shard, 'addr', 'add', `10.213.0.${index + 2}/24`, 'dev', 'eth0']);
    must(['-n', shard, 'link', 'set', 'eth0', 'up']);
  }
}

function deleteHosts(): void {
  for (const name of Object.values(names)) ip(['netns', 'del', name]);
}

const reason = skipReason();
const exec = (name: string): string[] => ['ip', 'netns', 'exec', name];

describe.skipIf(reason !== undefined)(
  `shards on separate hosts (network namespaces)${reason === undefined ? '' : `: skipped, ${reason}`}`,
  () => {
    let dir: string;
    let target: ShardTarget | undefined;

    beforeAll(async () => {
      removeStale();
      dir = await mkdtemp(join(tmpdir(), 'loadseed-netns-'));
      try {
        createHosts();
        target = await startShardTarget(TARGET_ADDRESS, exec(names.target));
      } catch (error) {
        deleteHosts();
        throw error;
      }
    });

    afterAll(async () => {
      await target?.stop();
      deleteHosts();
      await rm(dir, { recursive: true, force: true });
    });

    it('two shards, each its own host and address, start together at --start-at; merged count == the target count', async () => {
      const running = target as ShardTarget;
      const targetUrl = `http://${TARGET_ADDRESS}:${running.port}`;
      const hosts = [
        { prefix: exec(names.one), targetUrl },
        { prefix: exec(names.two), targetUrl },
      ] as const;
      expectAligned(await runAlignedShards(dir, 'netns', hosts, running, LEAD_MS));
    });
  },
);
