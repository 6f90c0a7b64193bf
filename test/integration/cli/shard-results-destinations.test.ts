import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResults } from '../../../src/results/read-results.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { s3ClientConfig } from '../../../src/results/s3-store.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import { startS3Server } from '../../helpers/s3-server.js';
import type { S3Server } from '../../helpers/s3-server.js';
import { closedPort } from '../engine/servers.js';

/**
 * Shards' results without a shared volume, as on a Kubernetes cluster without ReadWriteMany: each shard writes
 * them to an S3-compatible store (s3rver on 127.0.0.1 here; MinIO in a cluster) or frames them on stdout (its
 * pod's log), and `merge` reads them from there. Counts are the target's own.
 */

let dir: string;
let target: TargetServer;
let store: S3Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-destinations-'));
  target = await startTargetServer({ port: 0 });
  store = await startS3Server('results');
  // 2 users, a budget of 40 iterations: shard 1/2 and 2/2 send 20 each, then stop.
  await writeFile(
    join(dir, 'budget.yml'),
    'name: budget\ntarget: ${TARGET_URL}\nrequests: [{name: home, path: /}]\nload: {profile: constant, users: 2, iterations: 40}\nsla: {max_error_rate: 0}\nreport: {html: false}\n',
  );
});

afterAll(async () => {
  await store.close();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): ReturnType<typeof runCliInProcess> {
  return runCliInProcess(args, { cwd: dir, env: { TARGET_URL: target.url, ...env } });
}

/** Runs shards 1/2 and 2/2 with `--out` from `out(i)`; returns how many requests the target served meanwhile. */
async function runShards(
  out: (index: number) => string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ served: number; stdout: string[] }> {
  const before = target.requestCount();
  const runs = [];
  for (const index of [1, 2]) runs.push(await cli(['run', 'budget.yml', '--shard', `${index}/2`, '--out', out(index)], env));
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  return { served: target.requestCount() - before, stdout: runs.map((run) => run.stdout) };
}

async function readLocal(name: string): Promise<ResultsDocument> {
  return checkResults(name, JSON.parse(await readFile(join(dir, name), 'utf8')));
}

describe('shard results in an S3-compatible store (s3rver)', () => {
  it('two shards upload their results; merge lists the prefix and merges them, to a file and to the store', async () => {
    const { served } = await runShards((index) => `s3://results/run-1/shards/shard-${index}.json`, store.env);
    expect(served).toBe(40);
    const client = new S3Client(s3ClientConfig(store.env));
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'results', Prefix: 'run-1/shards/' }));
      expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual([
        'run-1/shards/shard-1.json',
        'run-1/shards/shard-2.json',
      ]);

      const merged = await cli(
        ['merge', 's3://results/run-1/shards/', '-o', 'merged.json', '--junit', 's3://results/run-1/junit.xml'],
        store.env,
      );
      expect(merged.code, merged.stderr).toBe(0);
      expect(merged.stdout).toContain(
        'merged 2 results files: s3://results/run-1/shards/shard-1.json, s3://results/run-1/shards/shard-2.json',
      );
      const doc = await readLocal('merged.json');
      expect(doc.summary.total.count).toBe(served);
      expect(doc.run.shards).toBe(2);
      const junit = await client.send(new GetObjectCommand({ Bucket: 'results', Key: 'run-1/junit.xml' }));
      expect(await junit.Body?.transformToString()).toContain('<testsuite');

      // The merged results written to the store, and read back from there.
      const again = await cli(['merge', 's3://results/run-1/shards/', '-o', 's3://results/run-1/merged.json', '--quiet'], store.env);
      expect(again.code, again.stderr).toBe(0);
      const stored = await client.send(new GetObjectCommand({ Bucket: 'results', Key: 'run-1/merged.json' }));
      const storedDoc = checkResults('stored', JSON.parse((await stored.Body?.transformToString()) ?? ''));
      expect(storedDoc.summary.total.count).toBe(served);
    } finally {
      client.destroy();
    }
  });

  it('refuses an incomplete set in the store (exit 2), and an output that would replace a shard', async () => {
    await runShards((index) => (index === 1 ? 's3://results/run-2/shard-1.json' : 'shard-2-local.json'), store.env);
    const partial = await cli(['merge', 's3://results/run-2/', '-o', 'partial.json'], store.env);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('cannot merge an incomplete set of shards: 1 of 2 given, shard 2/2 missing');
    const both = await cli(['merge', 's3://results/run-2/', 'shard-2-local.json', '-o', 's3://results/run-2/shard-1.json'], store.env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('-o: cannot write s3://results/run-2/shard-1.json: it is a results file it merges');
    const empty = await cli(['merge', 's3://results/nothing-here/', '-o', 'x.json'], store.env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('s3://results/nothing-here/: no .json object directly under this prefix');
    const badUrl = await cli(['run', 'budget.yml', '--out', 's3://results/run-3/'], store.env);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--out: cannot write s3://results/run-3/: it names no object');
  });

  it('a store that cannot be reached loses nothing: the results kept locally and framed on stdout, exit 3', async () => {
    const port = await closedPort();
    const env = { ...store.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` };
    const before = target.requestCount();
    const run = await cli(['run', 'budget.yml', '--shard', '1/2', '--out', 's3://results/run-4/shard-1.json'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error: cannot write the results to s3://results/run-4/shard-1.json (');
    expect(run.stderr).toContain('kept in loadseed-unsent/results/run-4/shard-1.json, and framed on stdout)');
    const kept = await readLocal('loadseed-unsent/results/run-4/shard-1.json');
    expect(kept.summary.total.count).toBe(target.requestCount() - before);
    await writeFile(join(dir, 'unsent.log'), run.stdout);
    const merged = await cli(['merge', 'unsent.log', '-o', 'unsent-merged.json', '--allow-partial']);
    expect(merged.code, merged.stderr).toBe(0);
    expect((await readLocal('unsent-merged.json')).summary.total.count).toBe(kept.summary.total.count);
  });

  it('a store that refuses (no such bucket): the same fallback on run (exit 3); merge says what it refused (exit 2)', async () => {
    const run = await cli(['run', 'budget.yml', '--shard', '2/2', '--out', 's3://no-such-bucket/shard-2.json', '--quiet'], store.env);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cannot write the results to s3:\/\/no-such-bucket\/shard-2\.json \(NoSuchBucket \(HTTP 404\)/);
    expect((await readLocal('loadseed-unsent/no-such-bucket/shard-2.json')).run.shard).toEqual({ index: 2, count: 2 });
    const merge = await cli(['merge', 's3://no-such-bucket/', '-o', 'none.json'], store.env);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain('error: s3://no-such-bucket/: NoSuchBucket (HTTP 404)');
    expect(merge.stderr).not.toContain('    at ');
  });
});

describe('shard results framed on stdout (a pod log)', () => {
  it('two shards frame their results beside the summary; merge reads the concatenated logs', async () => {
    const { served, stdout } = await runShards(() => '-');
    expect(served).toBe(40);
    for (const [index, text] of stdout.entries()) {
      expect(text).toContain(`-----BEGIN LOADSEED RESULTS id=`);
      expect(text).toContain(` shard=${index + 1}/2 `);
      expect(text).toContain('✓ passed');
      expect(text).toContain('results stdout, framed (--out -)');
    }
    // As `kubectl logs -l job-name=… --prefix` prints them: each pod's lines, prefixed.
    const log = stdout.map((text, index) => text.replace(/^/gm, `[pod/budget-${index}/loadseed] `)).join('');
    await writeFile(join(dir, 'shards.log'), log);
    const merged = await cli(['merge', 'shards.log', '-o', 'framed.json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('merged 2 results files: shards.log:');
    const doc = await readLocal('framed.json');
    expect(doc.summary.total.count).toBe(served);
    expect(doc.run.shards).toBe(2);
    expect(existsSync(join(dir, '-'))).toBe(false);

    // A damaged frame: one base64 character changed. Refused, naming the line where its frame begins.
    const lines = log.split('\n');
    const at = lines.findIndex((line) => line.includes('LSR:')) + 3;
    const line = lines[at] ?? '';
    lines[at] = line.replace(/.$/, line.endsWith('A') ? 'B' : 'A');
    await writeFile(join(dir, 'damaged.log'), lines.join('\n'));
    const damaged = await cli(['merge', 'damaged.log', '-o', 'damaged.json']);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/error: damaged\.log:\d+: the results frame of shard 1\/2 is damaged: /);
    expect(damaged.stderr).not.toContain('    at ');
    expect(existsSync(join(dir, 'damaged.json'))).toBe(false);
  });

  it('refuses --out - beside another use of stdout, and - for another report', async () => {
    const json = await cli(['run', 'budget.yml', '--out', '-', '--json']);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('--out - and --json both write to stdout');
    const html = await cli(['run', 'budget.yml', '--html', '-']);
    expect(html.code).toBe(2);
    expect(html.stderr).toContain('--html: cannot write -: only the results of a run go to stdout');
  });
});
