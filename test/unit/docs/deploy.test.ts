import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/** The deployment examples parse, and run shards the way the README says. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const docs = (path: string): Record<string, unknown>[] =>
  parseAllDocuments(readFileSync(`${ROOT}${path}`, 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Record<string, unknown>;
  });

describe('deploy/', () => {
  it('kubernetes: an Indexed Job running --shard from JOB_COMPLETION_INDEX, and a merge Job', () => {
    const [claim, job] = docs('deploy/kubernetes/loadseed-shards.yaml') as [
      { kind: string },
      { kind: string; spec: Record<string, unknown> },
    ];
    expect(claim.kind).toBe('PersistentVolumeClaim');
    expect(job.kind).toBe('Job');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimit: 0 });
    const text = readFileSync(`${ROOT}deploy/kubernetes/loadseed-shards.yaml`, 'utf8');
    expect(text).toContain('--shard $((JOB_COMPLETION_INDEX + 1))/${SHARDS}');
    expect(text).toContain('--max-duration');
    const [merge] = docs('deploy/kubernetes/loadseed-merge.yaml') as [{ kind: string }];
    expect(merge.kind).toBe('Job');
    expect(readFileSync(`${ROOT}deploy/kubernetes/loadseed-merge.yaml`, 'utf8')).toContain(
      'merge /results/shard-*.json -o /results/merged.json',
    );
  });

  it('github-actions: a matrix of shards, then a merge that gates on the merged SLA', () => {
    const [workflow] = docs('deploy/github-actions/load-test.yml') as [
      { jobs: { shard: { strategy: { matrix: { shard: number[] } } }; merge: { needs: string } } },
    ];
    expect(workflow.jobs.shard.strategy.matrix.shard).toEqual([1, 2, 3, 4]);
    expect(workflow.jobs.merge.needs).toBe('shard');
    const text = readFileSync(`${ROOT}deploy/github-actions/load-test.yml`, 'utf8');
    expect(text).toContain('--shard ${{ matrix.shard }}/4');
    const scenario = /run (scenarios\/[\w-]+\.yml)/.exec(text)?.[1];
    expect(scenario !== undefined && existsSync(`${ROOT}${scenario}`)).toBe(true);
  });
});
