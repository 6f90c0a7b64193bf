import { join } from 'node:path';
import { truncate, writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { compareResults } from '../../../src/results/compare-results.js';
import type { CompareTolerances } from '../../../src/results/compare-results.js';
import { CliSandbox, newRecorder, record, resultsOf } from './results-helpers.js';

let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await CliSandbox.create();
  await sandbox.write('baseline.json', resultsOf(record(newRecorder(), { count: 3000, errorEvery: 200 })));
  // Every latency 20% (or 2%) higher, same throughput and errors.
  await sandbox.write('slower-20.json', resultsOf(record(newRecorder(), { count: 3000, errorEvery: 200, scale: 1.2 })));
  await sandbox.write('slower-2.json', resultsOf(record(newRecorder(), { count: 3000, errorEvery: 200, scale: 1.02 })));
  // The same latencies, error rates of 0%, 0.5% and 2%.
  await sandbox.write('no-errors.json', resultsOf(record(newRecorder(), { count: 3000 })));
  await sandbox.write('errors-0.5.json', resultsOf(record(newRecorder(), { count: 3000, errorEvery: 200 })));
  await sandbox.write('errors-2.json', resultsOf(record(newRecorder(), { count: 3000, errorEvery: 50 })));
});
afterAll(async () => {
  await sandbox.remove();
});

const TEN_PERCENT: CompareTolerances = { p50: 0.1, p95: 0.1, p99: 0.1, throughput: 0.1, 'error-rate': 0.1 };

describe('loadseed compare', () => {
  it('flags a 20% p95 regression and exits 1', async () => {
    const out = await sandbox.run('compare', 'baseline.json', 'slower-20.json');
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^ +p95 ms +\S+ +\S+ +\+(?:19\.9|20\.\d)% +✗ beyond \+10%$/m);
    expect(out.stdout).toMatch(
      /✗ 9 regressions beyond tolerance: p50 ms \+(?:19\.9|20\.\d)% \(home\), p95 ms \+(?:19\.9|20\.\d)% \(home\)/,
    );
  });

  it('passes a 2% regression (exit 0), even under a tighter p95 tolerance', async () => {
    const out = await sandbox.run('compare', 'baseline.json', 'slower-2.json', '--max-p95-regression', '5%');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('tolerance p50 +10%, p95 +5%, p99 +10%, throughput -10%, error rate +1 pts');
    expect(out.stdout).toMatch(/^total +p50 ms +\S+ +\S+ +\+[12]\.\d%\n +p95 ms +\S+ +\S+ +\+[12]\.\d%$/m);
    expect(out.stdout).toContain('✓ no regression beyond tolerance');
  });

  it('lets the error rate rise by 1 point by default, whatever --max-regression: 0% → 2% fails, 0% → 0.5% passes', async () => {
    const worse = await sandbox.run('compare', 'no-errors.json', 'errors-2.json');
    expect(worse.code).toBe(1);
    expect(worse.stdout).toContain('error rate +1 pts');
    expect(worse.stdout).toMatch(/^ +errors +0\.00% +2\.00% +\+2\.00 pts +✗ beyond \+1 pts$/m);
    expect((await sandbox.run('compare', 'no-errors.json', 'errors-0.5.json')).code).toBe(0);
    expect((await sandbox.run('compare', 'no-errors.json', 'errors-2.json', '--max-regression', '50%')).code).toBe(1);
    expect((await sandbox.run('compare', 'no-errors.json', 'errors-2.json', '--max-error-rate-increase', '2.5')).code).toBe(0);
  });

  it('refuses hostile results files fast (exit 2, naming the file and what was too large): a deflate bomb, an oversized file', async () => {
    const bomb = resultsOf(record(newRecorder(), { count: 100 }));
    // 40 MB of zeros deflate to ≈ 40 KB: a ratio no recorder has.
    const data = deflateRawSync(Buffer.alloc(40 * 1024 * 1024), { level: 9 }).toString('base64');
    await sandbox.write('bomb.json', { ...bomb, recorder: { ...bomb.recorder, data } });
    const out = await sandbox.run('merge', 'baseline.json', 'bomb.json', '-o', 'never.json');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/error: bomb\.json: corrupt recorder data: the recorder data inflates past [\d.]+ MB/);
    await writeFile(join(sandbox.dir, 'huge.json'), '');
    await truncate(join(sandbox.dir, 'huge.json'), 200 * 1024 * 1024); // sparse: 200 MB on paper
    const huge = await sandbox.run('merge', 'baseline.json', 'huge.json', '-o', 'never.json');
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('error: huge.json: 200 MB, larger than a results file may be (64 MB)');
  });

  it('takes the tolerance as given: a 20% rise fails under 19%, passes under 25%', async () => {
    expect((await sandbox.run('compare', 'baseline.json', 'slower-20.json', '--max-regression', '19')).code).toBe(1);
    expect((await sandbox.run('compare', 'baseline.json', 'slower-20.json', '--max-regression', '25%')).code).toBe(0);
  });

  it('does not call a rise of less than 1 ms a regression, whatever its share (a 2% rise of ≈ 20–40 ms latencies)', async () => {
    expect((await sandbox.run('compare', 'baseline.json', 'slower-2.json', '--max-regression', '1')).code).toBe(0);
  });

  it('writes Markdown for a pull-request comment', async () => {
    const out = await sandbox.run('compare', 'baseline.json', 'slower-20.json', '--max-regression', '15%', '--markdown', 'out/compare.md');
    expect(out.code).toBe(1);
    const markdown = await sandbox.read('out/compare.md');
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('### ❌ loadseed compare: 9 regressions beyond tolerance');
    expect(lines[2]).toBe(
      'Baseline `baseline.json` (shop, 2026-11-25T20:00:00.000Z) → current `slower-20.json` (shop, 2026-11-25T20:00:00.000Z).',
    );
    expect(lines[3]).toBe('Tolerance: p50/p95/p99 +15%, throughput -15%, error rate +1 pts.');
    expect(lines[5]).toBe('| request | p50 ms | p95 ms | p99 ms | req/s | errors |');
    expect(lines[7]).toMatch(
      /^\| home \| \S+ → \S+ \(\+(?:19\.9|20\.\d)%\) ❌ \| \S+ → \S+ \(\+(?:19\.9|20\.\d)%\) ❌ \| \S+ → \S+ \(\+(?:19\.9|20\.\d)%\) ❌ \| 200 → 200 \(\+0\.0%\) \| 0\.50% → 0\.50% \(\+0\.00 pts\) \|$/,
    );
    expect(lines[9]).toMatch(/^\| \*\*total\*\* \|/);
  });

  it('refuses a bad tolerance or a file that is not a results document with exit 2', async () => {
    const bad = await sandbox.run('compare', 'baseline.json', 'slower-2.json', '--max-p99-regression', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --max-p99-regression must be a percentage such as 10% or 2.5% (got "lots")');
    await sandbox.write('notes.json', '{"hello": 1}');
    const notResults = await sandbox.run('compare', 'baseline.json', 'notes.json');
    expect(notResults.code).toBe(2);
    expect(notResults.stderr).toContain('error: notes.json: not a loadseed results document');
  });
});

describe('compareResults', () => {
  const baseline = { file: 'a.json', results: resultsOf(record(newRecorder(), { count: 1000, errorEvery: 100 })) };
  const metricOf = (comparison: ReturnType<typeof compareResults>, request: string, metric: string) =>
    comparison.requests.find((r) => r.name === request)?.metrics.find((m) => m.metric === metric);

  it('throughput: a fall beyond the tolerance is a regression, a rise never is', () => {
    const fewer = { file: 'b.json', results: resultsOf(record(newRecorder(), { count: 850, errorEvery: 100 })) };
    const comparison = compareResults(baseline, fewer, TEN_PERCENT);
    expect(metricOf(comparison, 'total', 'throughput')).toMatchObject({ baseline: 100, current: 85, change: -0.15, regression: true });
    const reverse = compareResults(fewer, baseline, TEN_PERCENT);
    expect(metricOf(reverse, 'total', 'throughput')?.regression).toBe(false);
  });

  it('error rate: the tolerance is in percentage points; exactly at it passes', () => {
    const worse = { file: 'b.json', results: resultsOf(record(newRecorder(), { count: 1000, errorEvery: 50 })) };
    const points = (tolerance: number) =>
      metricOf(compareResults(baseline, worse, { ...TEN_PERCENT, 'error-rate': tolerance }), 'total', 'error-rate');
    expect(points(0.01)).toMatchObject({ baseline: 0.01, current: 0.02, regression: false });
    expect(points(0.01)?.change).toBeCloseTo(0.01, 12);
    expect(points(0.005)?.regression).toBe(true);
  });

  it('lists requests found in one run only, without judging them; no data is not a regression', () => {
    const other = new Recorder(['home', 'search']);
    other.start(0);
    record(other, { count: 300 });
    const comparison = compareResults(baseline, { file: 'b.json', results: resultsOf(other) }, TEN_PERCENT);
    expect(comparison.requests.map((r) => [r.name, r.only])).toEqual([
      ['home', undefined],
      ['search', 'current'],
      ['checkout', 'baseline'],
      ['total', undefined],
    ]);
    const quiet = new Recorder(['home', 'checkout']);
    const none = compareResults(baseline, { file: 'c.json', results: resultsOf(quiet) }, TEN_PERCENT);
    expect(metricOf(none, 'home', 'p95')).toMatchObject({ current: null, change: null, regression: false });
    expect(metricOf(none, 'home', 'throughput')).toMatchObject({ current: 0, change: -1, regression: true });
  });
});
