import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestRank, startMetricServer, sumOf } from '../helpers/metric-server.js';
import type { MetricServer } from '../helpers/metric-server.js';
import { readCheckedResults, runBuiltInProcess } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';

let dir: string;
let server: MetricServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-tags-'));
  server = await startMetricServer();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function loadseed(args: readonly string[]): Promise<CliOutcome> {
  return runBuiltInProcess(args, { cwd: dir, env: { TARGET_URL: server.url } });
}

const ITERATIONS = 200;

/** Tagged flows with two custom metrics over two worker threads; `sla` lines appended. */
function scenario(name: string, ...sla: string[]): string {
  return [
    `name: ${name}`,
    'target: ${TARGET_URL}',
    'workers: 2',
    'tags: {env: ci}',
    'flows:',
    '  - name: buy',
    '    tags: {team: payments}',
    '    steps:',
    '      - {name: pay, method: POST, path: /pay, json: {}, metric: {name: depth, from: "json $.depth"}}',
    '      - {name: ship, path: /ship, tags: {team: shipping}}',
    '  - name: browse',
    '    steps:',
    '      - {name: home, path: /, metric: {name: orders, from: "header x-orders", kind: counter}}',
    `load: {profile: constant, users: 4, iterations: ${ITERATIONS}}`,
    `report: {json: ${name}.json, html: ${name}.html}`,
    ...sla,
    '',
  ].join('\n');
}

describe('tags and custom metrics (built CLI)', () => {
  it('reports per tag and per metric over two workers as the server counted, and passes its thresholds (exit 0)', async () => {
    await writeFile(
      join(dir, 'pass.yml'),
      scenario(
        'pass',
        'sla:',
        '  tags:',
        '    "team:payments": {max_error_rate: 0}',
        '  metrics:',
        '    depth: {max: 40}',
        '    orders: {sum_min: 1}',
      ),
    );
    const before = { counts: new Map(server.counts), depths: server.depths.length, orders: server.orders.length };
    const out = await loadseed(['run', 'pass.yml']);
    expect(out.stderr).toContain('2 worker threads');
    expect(out.code).toBe(0);
    const served = (path: string): number => (server.counts.get(path) ?? 0) - (before.counts.get(path) ?? 0);
    const depths = server.depths.slice(before.depths);
    const orders = server.orders.slice(before.orders);
    expect(served('/pay') + served('/')).toBe(ITERATIONS);

    const document = await readCheckedResults(dir, 'pass.json');
    expect(document.generator.workers).toBe(2);
    expect(document.summary.tags?.map((group) => [group.name, group.count])).toEqual([
      ['env:ci', served('/pay') + served('/ship') + served('/')],
      ['team:payments', served('/pay')],
      ['team:shipping', served('/ship')],
    ]);
    const [depth, counter] = document.summary.metrics ?? [];
    expect([depth?.count, depth?.sum, depth?.max]).toEqual([depths.length, sumOf(depths), Math.max(...depths)]);
    const p95 = nearestRank(depths, 95);
    expect(Math.abs((depth?.p95 ?? Number.NaN) - p95)).toBeLessThanOrEqual(p95 * 0.001 + 0.001);
    expect([counter?.count, counter?.sum]).toEqual([orders.length, sumOf(orders)]);

    expect(out.stdout).toMatch(/by tag\n\s*tag\s+count.*\nenv:ci\s+/);
    expect(out.stdout).toMatch(/custom metrics\n\s*metric\s+kind\s+count\s+sum.*\ndepth\s+trend\s+/);
    expect(out.stdout).toContain('✓ error rate 0% ≤ 0% (tag team:payments)');
    expect(out.stdout).toContain(`✓ orders sum ${sumOf(orders)} ≥ 1 (metric orders)`);
    expect(out.stdout).toContain('✓ passed: 3 of 3 thresholds met');
    const { readFile } = await import('node:fs/promises');
    const html = await readFile(join(dir, 'pass.html'), 'utf8');
    expect(html).toContain('<h2>By tag</h2>');
    expect(html).toContain('<h2>Custom metrics</h2>');
    expect(html).toContain('team:payments');
  });

  it('fails on a tag threshold and a metric threshold (exit 1), the verdict line naming them', async () => {
    await writeFile(
      join(dir, 'fail.yml'),
      scenario(
        'fail',
        'sla:',
        '  tags:',
        '    "team:shipping": {max_latency_ms: 0.001}',
        '  metrics:',
        '    depth: {p95: 1}',
        '    orders: {sum_min: 1}',
      ),
    );
    const out = await loadseed(['run', 'fail.yml']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/✗ max latency [\d.]+ ms > 0 ms \(tag team:shipping\)/);
    expect(out.stdout).toMatch(/✗ depth p95 [\d.]+ > 1 \(metric depth\)/);
    expect(out.stdout).toContain('✗ failed: 2 of 3 thresholds violated: max_latency_ms (tag team:shipping), p95 (metric depth)');
  });

  it('merges two shards into the figures the server saw: tag counts, metric sums and extremes, thresholds judged again', async () => {
    await writeFile(
      join(dir, 'shard.yml'),
      scenario('shard', 'sla:', '  metrics:', '    orders: {sum_min: 1}').replace('workers: 2\n', ''),
    );
    const before = { counts: new Map(server.counts), depths: server.depths.length, orders: server.orders.length };
    const runs = await Promise.all(
      [1, 2].map((index) => loadseed(['run', 'shard.yml', '--shard', `${index}/2`, '--out', `shard-${index}.json`, '--quiet'])),
    );
    expect(
      runs.map((run) => run.code),
      runs.map((run) => run.stderr).join('\n'),
    ).toEqual([0, 0]);
    const merged = await loadseed(['merge', 'shard-1.json', 'shard-2.json', '-o', 'merged.json']);
    expect(merged.code, merged.stderr).toBe(0);
    const served = (path: string): number => (server.counts.get(path) ?? 0) - (before.counts.get(path) ?? 0);
    const depths = server.depths.slice(before.depths);
    const orders = server.orders.slice(before.orders);
    expect(served('/pay') + served('/')).toBe(ITERATIONS);
    const document = await readCheckedResults(dir, 'merged.json');
    expect(document.run.shards).toBe(2);
    expect(document.summary.tags?.map((group) => [group.name, group.count])).toEqual([
      ['env:ci', served('/pay') + served('/ship') + served('/')],
      ['team:payments', served('/pay')],
      ['team:shipping', served('/ship')],
    ]);
    const [depth, counter] = document.summary.metrics ?? [];
    expect([depth?.count, depth?.sum, depth?.min, depth?.max]).toEqual([
      depths.length,
      sumOf(depths),
      Math.min(...depths),
      Math.max(...depths),
    ]);
    expect([counter?.count, counter?.sum]).toEqual([orders.length, sumOf(orders)]);
    expect(document.thresholds.map((t) => [t.metric, t.measured, t.passed])).toEqual([['orders', sumOf(orders), true]]);
    expect(merged.stdout).toContain('custom metrics');
  });

  it('refuses an sla tag no request has as a located scenario error (exit 2), sending nothing', async () => {
    await writeFile(join(dir, 'bad.yml'), scenario('bad', 'sla:', '  tags:', '    "squad:a": {max_error_rate: 0}'));
    const before = [...server.counts.values()].reduce((sum, count) => sum + count, 0);
    const out = await loadseed(['run', 'bad.yml']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('bad.yml:18:5  sla.tags["squad:a"]  no request has a tag "squad" (the tag keys are "env", "team")');
    expect(out.stderr).not.toContain('    at ');
    expect([...server.counts.values()].reduce((sum, count) => sum + count, 0)).toBe(before);
  });
});
