import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/** The timing phases through the built CLI: thresholds on them pass (exit 0) and fail (exit 1), in every output. */
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-timing-'));
  server = await startTargetServer({ port: 0 });
  const scenario = (sla: string): string =>
    `name: timing\ntarget: \${TARGET_URL}\nrequests: [{name: slow, path: /delay/50}]\nload: {profile: constant, users: 2, iterations: 12}\nsla:\n${sla}report: {html: false}\n`;
  // The built-in target holds /delay/50 for 50 ms (a timer): the waiting is at least about that.
  await writeFile(
    join(dir, 'pass.yml'),
    scenario('  ttfb_p95_ms: 10000\n  connect_max_ms: 10000\n  requests:\n    slow: {download_p99_ms: 10000}\n'),
  );
  await writeFile(join(dir, 'fail.yml'), scenario('  ttfb_p50_ms: 49\n  connect_max_ms: 10000\n'));
  await writeFile(join(dir, 'unknown.yml'), scenario('  tcp_p95_ms: 10\n'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (args: readonly string[]) => runBuiltCli(args, { cwd: dir, env: { TARGET_URL: server.url }, timeoutMs: 30_000 });

describe('timing breakdown (built CLI)', () => {
  it('passes timing thresholds that hold (exit 0), with the phases in the results file and the table with --breakdown', async () => {
    const out = await run(['run', 'pass.yml', '--out', 'pass.json', '--breakdown']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const doc = await readCheckedResults(dir, 'pass.json');
    expect(doc.thresholds.map((threshold) => [threshold.key, threshold.request, threshold.passed])).toEqual([
      ['ttfb_p95_ms', undefined, true],
      ['connect_max_ms', undefined, true],
      ['download_p99_ms', 'slow', true],
    ]);
    const timings = doc.summary.total.timings;
    expect(timings?.ttfb.count).toBe(12);
    // 50 ms by a timer, which may fire up to a millisecond early on the server's clock: at least 49 ms.
    expect(timings?.ttfb.min).toBeGreaterThanOrEqual(49);
    expect(timings?.ttfb.max).toBeLessThanOrEqual(doc.summary.total.serviceTimeMs.max);
    // Two users, each on its own kept-alive connection.
    expect(timings?.connect.count).toBe(2);
    expect(doc.summary.requests[0]?.timings?.ttfb.count).toBe(12);
    expect(out.stdout).toContain('timing breakdown');
    expect(out.stdout).toMatch(/slow\s+ttfb\s+12\s/);
    expect(out.stdout).toMatch(/slow\s+connect\s+2\s/);
    expect(out.stdout).toContain('✓ ttfb p95');
  });

  it('prints one timing line without --breakdown', async () => {
    const out = await run(['run', 'pass.yml', '--out', 'line.json']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toMatch(/timing p95 {2}connect [0-9.]+ ms \(2 conn\.\) · ttfb [0-9.]+ ms · download [0-9.]+ ms/);
    expect(out.stdout).not.toContain('timing breakdown');
  });

  it('fails a timing threshold that does not hold (exit 1), with the phases in the HTML report made from the file', async () => {
    const out = await run(['run', 'fail.yml', '--out', 'fail.json', '--junit', 'fail.xml']);
    expect(out.code, out.stdout + out.stderr).toBe(1);
    expect(out.stdout).toMatch(/✗ ttfb p50 [0-9.]+ ms > 49 ms/);
    const doc = await readCheckedResults(dir, 'fail.json');
    expect(doc.verdict).toBe('failed');
    expect(doc.thresholds[0]).toMatchObject({ key: 'ttfb_p50_ms', passed: false });
    expect(doc.thresholds[0]?.measured).toBeGreaterThanOrEqual(49);
    expect(await readFile(join(dir, 'fail.xml'), 'utf8')).toContain('ttfb_p50_ms');
    const report = await run(['report', 'fail.json', '--html', 'fail.html']);
    expect(report.code, report.stdout + report.stderr).toBe(0);
    expect(report.stdout).toContain('✗ failed: 1 of 2 thresholds violated');
    const html = await readFile(join(dir, 'fail.html'), 'utf8');
    expect(html).toContain('Timing breakdown');
    expect(html).toContain('<td class="name">ttfb</td>');
  });

  it('refuses an unknown timing threshold as a schema error (exit 2), sending nothing', async () => {
    const before = server.requestCount();
    const out = await run(['run', 'unknown.yml']);
    expect(out.code, out.stdout + out.stderr).toBe(2);
    expect(out.stdout + out.stderr).toContain('unknown key "tcp_p95_ms"');
    expect(server.requestCount()).toBe(before);
  });
});
