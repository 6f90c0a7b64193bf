import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkResults } from '../../src/results/read-results.js';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { s3ClientConfig } from '../../src/results/s3-store.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { startS3Server } from '../helpers/s3-server.js';
import type { S3Server } from '../helpers/s3-server.js';
import { BIN, ROOT, runBuiltCli, runProcess } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

/**
 * The shell of deploy/kubernetes/*.yaml run as the pods run it — `sh -c` with JOB_COMPLETION_INDEX and the
 * manifest's environment — on this machine: the built bin for the image's, a loopback target, s3rver for the
 * store. Both ways of collecting the shards' results: the store and the merge Job's script, and the framed logs.
 */

let dir: string;
let target: TargetServer;
let store: S3Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-k8s-scripts-'));
  target = await startTargetServer({ port: 0 });
  store = await startS3Server('loadseed-results');
  await writeFile(
    join(dir, 'scenario.yml'),
    'name: k8s\ntarget: ${TARGET_URL}\nrequests: [{name: home, path: /}]\nload: {profile: constant, users: 2, iterations: 40}\nsla: {max_error_rate: 0}\n',
  );
});

afterAll(async () => {
  await store.close();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

interface Container {
  readonly args: string[];
  readonly env?: { name: string; value: string }[];
}

/** The first container of a manifest's Job, filled in as `envsubst '$RUN_ID $START_AT'` does. */
async function containerOf(file: string, runId: string): Promise<Container> {
  // Far enough ahead for both shards to start up and warm up on a busy machine, as the README asks of a cluster.
  const startAt = new Date(Date.now() + 8000).toISOString();
  const text = (await readFile(join(ROOT, 'deploy', 'kubernetes', file), 'utf8'))
    .replaceAll('${RUN_ID}', runId)
    .replaceAll('${START_AT}', startAt);
  const job = parseAllDocuments(text)[0]?.toJS() as { spec: { template: { spec: { containers: Container[] } } } };
  const container = job.spec.template.spec.containers[0];
  if (container === undefined) throw new Error(`no container in ${file}`);
  return container;
}

/** The container's script with the image's paths made this machine's. */
function localScript(container: Container): string {
  return container.args
    .join(' ')
    .replaceAll('node /opt/loadseed/bin/loadseed.js', '"$LOADSEED_NODE" "$LOADSEED_BIN"')
    .replaceAll('"/tmp/', `"${dir}/`)
    .replaceAll('/scenario/', `${dir}/`);
}

/** `sh -c script` in `dir` with the container's environment, `env` over it; killed after 60 s whatever happens. */
function runShell(script: string, container: Container, env: Readonly<Record<string, string>>): Promise<CliOutcome> {
  const manifestEnv = Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));
  return runProcess('sh', ['-c', script], {
    cwd: dir,
    env: { LOADSEED_NODE: process.execPath, LOADSEED_BIN: BIN, ...manifestEnv, ...env },
  });
}

/** Both pods of a two-shard Job, at once; returns their outcomes and the requests the target served. */
async function runShardPods(runId: string, env: Readonly<Record<string, string>>): Promise<{ pods: CliOutcome[]; served: number }> {
  const container = await containerOf('loadseed-shards.yaml', runId);
  const script = localScript(container);
  const before = target.requestCount();
  const pods = await Promise.all(
    [0, 1].map((index) =>
      runShell(script, container, { ...env, JOB_COMPLETION_INDEX: String(index), SHARDS: '2', TARGET_URL: target.url }),
    ),
  );
  for (const pod of pods) expect(pod.code, pod.stderr).toBe(0);
  return { pods, served: target.requestCount() - before };
}

describe('deploy/kubernetes scripts, run by sh as the pods run them', () => {
  it('shards to the store, then the merge Job: the merged results in the store, counted as the target counted', async () => {
    const { served } = await runShardPods('run-store', store.env);
    expect(served).toBe(40);
    const merge = await containerOf('loadseed-merge.yaml', 'run-store');
    const merged = await runShell(localScript(merge), merge, store.env);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain(
      'merged 2 results files: s3://loadseed-results/run-store/shards/shard-1.json, s3://loadseed-results/run-store/shards/shard-2.json',
    );
    const client = new S3Client(s3ClientConfig(store.env));
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: 'loadseed-results', Key: 'run-store/merged.json' }));
      const doc: ResultsDocument = checkResults('merged.json', JSON.parse((await object.Body?.transformToString()) ?? ''));
      expect(doc.summary.total.count).toBe(served);
      expect(doc.run.shards).toBe(2);
      const report = await client.send(new GetObjectCommand({ Bucket: 'loadseed-results', Key: 'run-store/report.html' }));
      expect(report.ContentType).toBe('text/html; charset=utf-8');
    } finally {
      client.destroy();
    }
  });

  it('shards to their logs (RESULTS=-), collected as kubectl logs prints them, then merged', async () => {
    const { pods, served } = await runShardPods('run-logs', { RESULTS: '-' });
    expect(served).toBe(40);
    // kubectl logs interleaves stdout and stderr; one pod after another.
    await writeFile(join(dir, 'shards.log'), pods.map((pod) => `${pod.stderr}${pod.stdout}`).join(''));
    const merged = await runBuiltCli(['merge', 'shards.log', '-o', 'merged.json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const doc = checkResults('merged.json', JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')));
    expect(doc.summary.total.count).toBe(served);
    // Piped, as in `kubectl logs … | loadseed merge - -o merged.json`.
    const piped = await runShell('cat shards.log | "$LOADSEED_NODE" "$LOADSEED_BIN" merge - -o piped.json', { args: [] }, {});
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('merged 2 results files: -:');
    const pipedDoc = checkResults('piped.json', JSON.parse(await readFile(join(dir, 'piped.json'), 'utf8')));
    expect(pipedDoc.summary.total.count).toBe(served);
  });
});
