import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/** The deployment examples parse, and run shards the way the README says (Kubernetes: kubernetes-manifests.test.ts). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const docs = (path: string): Record<string, unknown>[] =>
  parseAllDocuments(readFileSync(`${ROOT}${path}`, 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Record<string, unknown>;
  });

describe('deploy/', () => {
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

  it('grafana: Prometheus taking remote write, Grafana provisioned with it and a dashboard of the series loadseed sends', () => {
    const [compose] = docs('deploy/grafana/docker-compose.yml') as [
      { services: { prometheus: { command: string[] }; grafana: { volumes: string[] } } },
    ];
    expect(compose.services.prometheus.command).toContain('--web.enable-remote-write-receiver');
    expect(compose.services.grafana.volumes).toContain('./provisioning:/etc/grafana/provisioning:ro');
    const [datasources] = docs('deploy/grafana/provisioning/datasources/prometheus.yml') as [
      { datasources: { uid: string; type: string; url: string }[] },
    ];
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana/dashboards/loadseed.json`, 'utf8')) as {
      panels: { datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    const sender = readFileSync(`${ROOT}src/outputs/remote-write-output.ts`, 'utf8');
    const queried = new Set(
      dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/loadseed_[a-z_]+/g) ?? [])),
    );
    expect(queried.size).toBeGreaterThan(5);
    // Every series the dashboard queries is one the remote-write output sends (a histogram's by its base name).
    expect([...queried].filter((name) => !sender.includes(`'${name.replace(/_(bucket|sum|count)$/, '')}`))).toEqual([]);
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(datasources.datasources[0]?.uid);
  });
});
