import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/** `run --baseline`: a regression against an earlier run fails the run, in the console, JUnit and the report. */
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-baseline-'));
  server = await startTargetServer({ port: 0 });
  for (const [name, delayMs] of [
    ['fast', 5],
    ['slow', 40],
  ] as const) {
    await writeFile(
      join(dir, `${name}.yml`),
      `name: api\ntarget: \${TARGET_URL}\nrequests: [{name: item, path: /delay/${delayMs}}]\nload: {profile: constant, users: 2, iterations: 40}\nsla: {max_error_rate: 0}\nreport: {html: false}\n`,
    );
  }
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const results = (name: string): Promise<ResultsDocument> => readCheckedResults(dir, name);

const run = (args: readonly string[]) => runBuiltCli(args, { cwd: dir, env: { TARGET_URL: server.url } });

describe('run --baseline (built CLI)', () => {
  it('fails a run that regressed beyond the tolerance, and says so everywhere', async () => {
    expect((await run(['run', 'fast.yml', '--out', 'base.json', '--quiet'])).code).toBe(0);
    const out = await run([
      'run',
      'slow.yml',
      '--baseline',
      'base.json',
      '--out',
      'slow.json',
      '--junit',
      'slow.xml',
      '--html',
      'slow.html',
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('baseline  base.json');
    expect(out.stdout).toMatch(/✗ failed: \d+ regressions? against the baseline: p50 \+\d+\.\d%.*; 1 of 1 thresholds met/);
    const doc = await results('slow.json');
    expect(doc.verdict).toBe('failed');
    expect(doc.thresholds.every((threshold) => threshold.passed)).toBe(true);
    expect(doc.baseline?.passed).toBe(false);
    const p50 = doc.baseline?.regressions.find((regression) => regression.request === 'total' && regression.metric === 'p50');
    expect(p50?.change).toBeGreaterThan(2); // 5 ms → 40 ms: several times slower
    expect(await readFile(join(dir, 'slow.xml'), 'utf8')).toContain('<failure type="baseline" message="p50 of item +');
    const html = await readFile(join(dir, 'slow.html'), 'utf8');
    expect(html).toContain('Against the baseline');
    expect(html).toContain('regressions against the baseline');
    // The baseline is drawn on the histogram too: its counts on this report's bins, scaled to this run's count.
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}') as {
      distribution?: { responseCounts: number[]; baselineCounts?: number[] };
      spectrum?: { baselineMs?: (number | null)[] };
    };
    const total = (data.distribution?.responseCounts ?? []).reduce((sum, count) => sum + count, 0);
    const baseline = (data.distribution?.baselineCounts ?? []).reduce((sum, count) => sum + count, 0);
    expect(Math.abs(baseline - total)).toBeLessThanOrEqual(2);
    expect(data.spectrum?.baselineMs?.filter((value) => value !== null).length).toBe(7);
  });

  it('passes within the tolerance', async () => {
    const out = await run(['run', 'fast.yml', '--baseline', 'base.json', '--max-regression', '900%', '--out', 'again.json']);
    expect(out.code, out.stdout).toBe(0);
    expect(out.stdout).toContain('no regression against the baseline');
    expect((await results('again.json')).baseline?.passed).toBe(true);
  });

  it('refuses a baseline that is not a results file before sending anything (exit 2)', async () => {
    await writeFile(join(dir, 'not-results.json'), '{"hello": 1}');
    const before = server.requestCount();
    const out = await run(['run', 'fast.yml', '--baseline', 'not-results.json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('not-results.json');
    expect(server.requestCount()).toBe(before);
  });
});
