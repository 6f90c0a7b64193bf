import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { BIN, readCheckedResults, ROOT } from './built-cli.js';
import { startWatched } from './scale-out.js';
import type { WatchedProcess } from './scale-out.js';

/**
 * deploy/ssh/run-shards.sh end to end, its ssh and scp replaced (SSH, SCP) by stand-ins that run the command
 * here and copy files here: two "hosts", one start instant, the results collected and merged; and Ctrl-C
 * while the shards wait stops every shard by its PID (each writes its reports) before the script ends 130.
 */
const SCRIPT = join(ROOT, 'deploy', 'ssh', 'run-shards.sh');
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-ssh-'));
  server = await startTargetServer({ port: 0 });
  // ssh [options] HOST COMMAND → the command, here; scp [HOST:]FROM [HOST:]TO → cp, the hosts dropped.
  await writeFile(join(dir, 'fake-ssh'), '#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift 2; done\nshift\nexec sh -c "$1"\n');
  await writeFile(join(dir, 'fake-scp'), '#!/bin/sh\nexec cp "${1#*:}" "${2#*:}"\n');
  await chmod(join(dir, 'fake-ssh'), 0o755);
  await chmod(join(dir, 'fake-scp'), 0o755);
  await writeFile(
    join(dir, 'ssh.yml'),
    'name: ssh\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: arrival_rate, rate: 50, duration: 1s, max_users: 10}\nsla: {max_error_rate: 0}\nreport: {html: false}\n',
  );
});

afterAll(async () => {
  // A failed test may leave a shard waiting: stop it by the PID it recorded (the script's own kill switch).
  for (const name of ['two', 'stop']) {
    for (const index of [1, 2]) {
      const pid = Number(await readFile(join(dir, `${name}-remote`, `shard-${index}.pid`), 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(pid) && pid > 0) stopIfRunning(pid);
    }
  }
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function stopIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Gone already.
  }
}

/** The script, its ssh and scp replaced by local stand-ins (`fake-ssh`, `fake-scp`). */
function runScript(args: readonly string[]): WatchedProcess {
  return startWatched('bash', [SCRIPT, ...args], {
    cwd: dir,
    env: { SSH: join(dir, 'fake-ssh'), SCP: join(dir, 'fake-scp') },
    timeoutMs: 80_000,
  });
}

const common = (name: string): string[] => [
  '-s',
  'ssh.yml',
  '--env',
  `TARGET_URL=${server.url}`,
  '--loadseed',
  `${process.execPath} ${BIN}`,
  '--local-loadseed',
  `${process.execPath} ${BIN}`,
  '--remote-dir',
  join(dir, `${name}-remote`),
  '-o',
  `${name}.json`,
];

describe('deploy/ssh/run-shards.sh (ssh and scp stood in for)', () => {
  it('runs a shard per host from one start time, collects and merges: merged count == the target count', async () => {
    const before = server.requestCount();
    const outcome = await runScript([...common('two'), '--start-in', '12', '--max-duration', '2m', 'host-a', 'host-b']).done;
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toMatch(/run-shards: 2 shards of ssh\.yml, starting at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    const merged = await readCheckedResults(dir, 'two.json');
    expect(merged.run.shards).toBe(2);
    expect(merged.summary.iterations).toBe(50);
    expect(merged.summary.total.count).toBe(server.requestCount() - before);
    const shards = await Promise.all(['shard-1.json', 'shard-2.json'].map((file) => readCheckedResults(dir, file)));
    expect(new Set(shards.map((shard) => shard.run.startAt)).size).toBe(1);
  });

  it('Ctrl-C while the shards wait: each is stopped by its PID, writes its reports; the script ends 130', async () => {
    const before = server.requestCount();
    const script = runScript([...common('stop'), '--start-in', '600', '--max-duration', '1m', 'host-a', 'host-b']);
    await script.stderrShows('[1] waiting to start at');
    await script.stderrShows('[2] waiting to start at');
    script.kill('SIGINT');
    const outcome = await script.done;
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.stderr).toContain('run-shards: stopping every shard');
    for (const index of [1, 2]) {
      // What the script and its shards printed, should a shard not have written its results.
      expect(existsSync(join(dir, 'stop-remote', `shard-${index}.json`)), outcome.stderr).toBe(true);
      const shard = await readCheckedResults(join(dir, 'stop-remote'), `shard-${index}.json`);
      expect(shard.verdict).toBe('interrupted');
      const pid = Number(await readFile(join(dir, 'stop-remote', `shard-${index}.pid`), 'utf8'));
      // The shard's process is gone (kill -0 fails): nothing is left sending load.
      expect(() => process.kill(pid, 0)).toThrow();
    }
    expect(server.requestCount()).toBe(before);
  });
});
