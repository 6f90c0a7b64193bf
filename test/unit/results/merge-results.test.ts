import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { createRequestTimings, TIMING_PHASES, TimingIndex } from '../../../src/metrics/request-timings.js';
import { recorderFromDocument } from '../../../src/results/recorder-encoding.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { CliSandbox, newRecorder, record, resultsOf, START_MS } from './results-helpers.js';

const SLA = { p95_latency_ms: 30, max_error_rate: 0.05, requests: { checkout: { 'p99.9_latency_ms': 40 } } };
/** Adds timing phases to `count` requests (request index as `record` spreads them): a new connection every 100. */
function timed(recorder: Recorder, count: number, scale: number): Recorder {
  for (let i = 0; i < count; i++) {
    const timings = createRequestTimings();
    if (i % 100 === 0) {
      timings[TimingIndex.connect] = Math.round((150 + (i % 700)) * scale);
      timings[TimingIndex.tls] = Math.round((900 + (i % 300)) * scale);
    }
    timings[TimingIndex.ttfb] = Math.round((20_000 + ((i * 7919) % 30_000)) * scale);
    timings[TimingIndex.download] = 50 + (i % 400);
    recorder.recordTimings(i % 3 === 0 ? 1 : 0, timings);
  }
  return recorder;
}

/** The series without active users (a recorder fed both data sets cannot know there were two sets of users). */
const seriesCounts = (results: ResultsDocument): unknown[] => results.series.map(({ activeUsers: _, ...point }) => point);

let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await CliSandbox.create();
});
afterAll(async () => {
  await sandbox.remove();
});

describe('loadseed merge', () => {
  it('equals one recorder fed both data sets: exact counts, identical percentiles, thresholds, series', async () => {
    // Two shards on two machines: their own engine clocks, the same wall-clock start.
    const a = record(newRecorder(5_000), { count: 4000, errorEvery: 50, seed: 1 });
    const b = record(newRecorder(777_000), { count: 3000, scale: 1.3, errorEvery: 30, seed: 2 });
    const both = newRecorder(0);
    record(both, { count: 4000, errorEvery: 50, seed: 1 });
    record(both, { count: 3000, scale: 1.3, errorEvery: 30, seed: 2 });
    await sandbox.write('a.json', resultsOf(a, { sla: SLA, host: 'ci-1' }));
    await sandbox.write('b.json', resultsOf(b, { sla: SLA, host: 'ci-2' }));

    const out = await sandbox.run('merge', 'a.json', 'b.json', '-o', 'merged.json');
    expect(out.stderr).toBe('');
    const merged = await sandbox.readResults('merged.json');
    const expected = resultsOf(both, { sla: SLA });
    expect(merged.summary).toEqual(expected.summary);
    expect(merged.summary.total.count).toBe(7000);
    expect(merged.summary.requests.map((stats) => stats.count)).toEqual([4666, 2334]);
    expect(merged.thresholds).toEqual(expected.thresholds);
    expect(merged.verdict).toBe(expected.verdict);
    expect(seriesCounts(merged)).toEqual(seriesCounts(expected));
    expect(merged.series[0]?.activeUsers).toBe(10);
    const mergedRecorder = recorderFromDocument(merged.recorder);
    for (const index of [0, 1, undefined]) {
      for (const percentile of [0.1, 25, 50, 95, 99, 99.99, 100]) {
        expect(mergedRecorder.responseTimeHistogram(index).getValueAtPercentile(percentile)).toBe(
          both.responseTimeHistogram(index).getValueAtPercentile(percentile),
        );
        expect(mergedRecorder.serviceTimeHistogram(index).getValueAtPercentile(percentile)).toBe(
          both.serviceTimeHistogram(index).getValueAtPercentile(percentile),
        );
      }
    }
    expect(merged.run).toMatchObject({
      startedAt: '2026-11-25T20:00:00.000Z',
      durationMs: 10_000,
      host: 'ci-1, ci-2',
      shards: 2,
      interrupted: false,
    });
    expect(out.code).toBe(merged.verdict === 'passed' ? 0 : 1);
  });

  it('keeps the timing breakdown exactly: counts add, every percentile as one recorder fed both', async () => {
    const a = timed(record(newRecorder(5_000), { count: 2000, seed: 5 }), 2000, 1);
    const b = timed(record(newRecorder(9_000), { count: 1500, seed: 6 }), 1500, 2);
    const both = newRecorder(0);
    timed(record(both, { count: 2000, seed: 5 }), 2000, 1);
    timed(record(both, { count: 1500, seed: 6 }), 1500, 2);
    await sandbox.write('timed-a.json', resultsOf(a, { sla: { ttfb_p95_ms: 200, connect_p99_ms: 5 } }));
    await sandbox.write('timed-b.json', resultsOf(b, { sla: { ttfb_p95_ms: 200, connect_p99_ms: 5 } }));
    const out = await sandbox.run('merge', 'timed-a.json', 'timed-b.json', '-o', 'timed.json');
    expect(out.stderr).toBe('');
    const merged = await sandbox.readResults('timed.json');
    const [fileA, fileB] = [await sandbox.readResults('timed-a.json'), await sandbox.readResults('timed-b.json')];
    for (const phase of TIMING_PHASES) {
      expect(merged.summary.total.timings?.[phase].count).toBe(
        (fileA.summary.total.timings?.[phase].count ?? 0) + (fileB.summary.total.timings?.[phase].count ?? 0),
      );
    }
    expect(merged.summary.total.timings?.connect.count).toBe(35);
    expect(merged.summary.total.timings?.ttfb.count).toBe(3500);
    expect(merged.summary.total.timings).toEqual(resultsOf(both).summary.total.timings);
    expect(merged.summary.requests.map((stats) => stats.timings)).toEqual(resultsOf(both).summary.requests.map((stats) => stats.timings));
    const mergedRecorder = recorderFromDocument(merged.recorder);
    for (const phase of TIMING_PHASES) {
      for (const index of [0, 1, undefined]) {
        for (const percentile of [1, 50, 95, 99.9, 100]) {
          expect(mergedRecorder.timingHistogram(phase, index).getValueAtPercentile(percentile)).toBe(
            both.timingHistogram(phase, index).getValueAtPercentile(percentile),
          );
        }
      }
    }
    expect(merged.thresholds.map((threshold) => [threshold.key, threshold.passed])).toEqual([
      ['ttfb_p95_ms', true],
      ['connect_p99_ms', true],
    ]);
  });

  it("aligns the series on each shard's start: earliest start, latest end, longest duration", async () => {
    const a = record(newRecorder(), { count: 1000, seed: 3 });
    const b = record(newRecorder(), { count: 1000, seed: 4 });
    await sandbox.write('early.json', resultsOf(a, { startedAtEpochMs: START_MS, elapsedMs: 10_000 }));
    await sandbox.write('late.json', resultsOf(b, { startedAtEpochMs: START_MS + 3_000, elapsedMs: 10_000 }));
    const both = newRecorder(0);
    record(both, { count: 1000, seed: 3 });
    const shifted = newRecorder(-3_000); // b's data, 3 s later on one clock
    record(shifted, { count: 1000, seed: 4 });
    both.merge(shifted, 0);
    const out = await sandbox.run('merge', 'late.json', 'early.json', '-o', 'aligned.json', '--quiet');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('✓ passed: 1 of 1 thresholds met\n'); // the default error rate ≤ 1%, carried over
    const merged = await sandbox.readResults('aligned.json');
    expect(merged.run.startedAt).toBe('2026-11-25T20:00:00.000Z');
    expect(merged.run.endedAt).toBe('2026-11-25T20:00:13.000Z');
    expect(merged.run.durationMs).toBe(10_000);
    expect(merged.series.map((point) => point.requests)).toEqual([100, 100, 100, 200, 200, 200, 200, 200, 200, 200, 100, 100, 100, 0]);
    // Each shard's series runs to its end (10 s, inclusive): users add up where both ran.
    expect(merged.series.map((point) => point.activeUsers)).toEqual([5, 5, 5, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5, 5]);
    expect(merged.summary.total.count).toBe(2000);
  });

  it('keeps the drain on the merged timeline: the last shard to stop the load sets it', async () => {
    const shard = (seed: number): Recorder => record(newRecorder(), { count: 200, seed });
    await sandbox.write('d1.json', resultsOf(shard(5), { elapsedMs: 10_080, drainMs: 80 }));
    await sandbox.write('d2.json', resultsOf(shard(6), { elapsedMs: 10_030, drainMs: 40 }));
    expect((await sandbox.run('merge', 'd1.json', 'd2.json', '-o', 'drained.json', '--quiet')).code).toBe(0);
    // Load stopped at 10,000 and 9,990 ms: the merged load ended at 10,000, the merged run at 10,080.
    expect((await sandbox.readResults('drained.json')).run).toMatchObject({ durationMs: 10_080, drainMs: 80 });
    // A shard that started 3 s later stopped its load after the other's end: no drain to leave out.
    await sandbox.write('d3.json', resultsOf(shard(7), { startedAtEpochMs: START_MS + 3_000, elapsedMs: 10_030, drainMs: 40 }));
    expect((await sandbox.run('merge', 'd1.json', 'd3.json', '-o', 'late.json', '--quiet')).code).toBe(0);
    expect((await sandbox.readResults('late.json')).run.drainMs).toBe(0);
    // A file from before drainMs: unknown, left out.
    await sandbox.write('d4.json', resultsOf(shard(8), { elapsedMs: 10_000 }));
    expect((await sandbox.run('merge', 'd1.json', 'd4.json', '-o', 'old.json', '--quiet')).code).toBe(0);
    expect((await sandbox.readResults('old.json')).run.drainMs).toBeUndefined();
  });

  it('evaluates the thresholds again on the merged figures: two shards short of min_rps make it together', async () => {
    const sla = { min_rps: 150 };
    const a = resultsOf(record(newRecorder(), { count: 1000, seed: 5 }), { sla });
    const b = resultsOf(record(newRecorder(), { count: 1000, seed: 6 }), { sla });
    expect([a.verdict, b.verdict]).toEqual(['failed', 'failed']);
    await sandbox.write('slow-a.json', a);
    await sandbox.write('slow-b.json', b);
    const out = await sandbox.run('merge', 'slow-a.json', 'slow-b.json', '-o', 'fast.json');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('✓ throughput 200 req/s ≥ 150 req/s');
    expect((await sandbox.readResults('fast.json')).verdict).toBe('passed');
  });

  it('exits 1 when the merged figures violate a threshold, and merges merged results again', async () => {
    const sla = { max_error_rate: 0.01 };
    await sandbox.write('ok.json', resultsOf(record(newRecorder(), { count: 1000, seed: 7 }), { sla }));
    await sandbox.write('bad.json', resultsOf(record(newRecorder(), { count: 1000, errorEvery: 20, seed: 8 }), { sla }));
    const out = await sandbox.run('merge', 'ok.json', 'bad.json', '-o', 'two.json', '--junit', 'two.xml');
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('✗ error rate 2.5% > 1%');
    expect(await sandbox.read('two.xml')).toContain('<failure type="threshold" message="error rate 2.5% &gt; 1%">');
    await sandbox.write('third.json', resultsOf(record(newRecorder(), { count: 1000, seed: 9 }), { sla }));
    const again = await sandbox.run('merge', 'two.json', 'third.json', '-o', 'three.json');
    const three = await sandbox.readResults('three.json');
    expect(three.run.shards).toBe(3);
    expect(three.summary.total).toMatchObject({ count: 3000, failures: 50 });
    expect(again.code).toBe(1);
  });

  it('refuses, with exit 2 and a clear message, files that are not shards of one scenario', async () => {
    const recorder = record(newRecorder(), { count: 100 });
    await sandbox.write('shop.json', resultsOf(recorder, { sla: { p95_latency_ms: 100 } }));
    await sandbox.write(
      'other-name.json',
      resultsOf(recorder, { name: 'other', sla: { p95_latency_ms: 100 }, startedAtEpochMs: START_MS + 1 }),
    );
    const otherRequests = new Recorder(['home', 'search']);
    await sandbox.write('other-requests.json', resultsOf(record(otherRequests, { count: 10 }), { sla: { p95_latency_ms: 100 } }));
    await sandbox.write('other-sla.json', resultsOf(recorder, { sla: { p95_latency_ms: 200 }, startedAtEpochMs: START_MS + 1 }));
    const cases: [string[], string][] = [
      [['shop.json', 'other-name.json'], 'cannot merge other-name.json with shop.json: different scenarios ("other" and "shop")'],
      [
        ['shop.json', 'other-requests.json'],
        'cannot merge other-requests.json with shop.json: different requests ([home, search] and [home, checkout])',
      ],
      [
        ['shop.json', 'other-sla.json'],
        'cannot merge other-sla.json with shop.json: different thresholds (p95_latency_ms 200 and p95_latency_ms 100)',
      ],
      [['shop.json', 'shop.json'], 'shop.json: holds the same run as shop.json: merging it twice would count it twice'],
      [['shop.json', 'missing.json'], 'missing.json: no such file'],
    ];
    for (const [files, message] of cases) {
      const out = await sandbox.run('merge', ...files, '-o', 'never.json');
      expect(out.code, files.join(' ')).toBe(2);
      expect(out.stderr).toContain(`error: ${message}`);
    }
    const noOut = await sandbox.run('merge', 'shop.json');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("required option '-o, --out <file>' not specified");
    await expect(sandbox.read('never.json')).rejects.toThrow(/ENOENT/);
  });

  it('refuses an incomplete or mixed set of shards (exit 2, naming what is missing), unless --allow-partial, which marks it partial', async () => {
    const shard = (index: number, count = 4) =>
      resultsOf(record(newRecorder(), { count: 100, seed: index }), { shard: { index, count }, startedAtEpochMs: START_MS + index });
    await sandbox.write('s1.json', shard(1));
    await sandbox.write('s2.json', shard(2));
    await sandbox.write('whole.json', resultsOf(record(newRecorder(), { count: 100, seed: 9 }), { startedAtEpochMs: START_MS + 9 }));
    await sandbox.write('s2-of-3.json', shard(2, 3));
    const half = await sandbox.run('merge', 's1.json', 's2.json', '-o', 'half.json');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('error: cannot merge an incomplete set of shards: 2 of 4 given, shards 3/4 and 4/4 missing');
    expect(half.stderr).toContain('--allow-partial');
    const mixed = await sandbox.run('merge', 's1.json', 'whole.json', '-o', 'mixed.json');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(
      'error: cannot merge whole.json with s1.json: whole.json is not a shard (no run.shard) and s1.json is shard 1/4',
    );
    const split = await sandbox.run('merge', 's1.json', 's2-of-3.json', '-o', 'split.json', '--allow-partial');
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('shards of different splits (2/3 and 1/4)');
    await expect(sandbox.read('half.json')).rejects.toThrow(/ENOENT/);

    const partial = await sandbox.run(
      'merge',
      's1.json',
      's2.json',
      '-o',
      'half.json',
      '--allow-partial',
      '--markdown',
      'half.md',
      '--junit',
      'half.xml',
      '--html',
      'half.html',
    );
    expect(partial.code, partial.stderr).toBe(0);
    const text = 'partial: shards 3/4 and 4/4 missing (merged with --allow-partial): the figures cover 2 of 4 shards';
    expect(partial.stdout).toContain(`! ${text}`);
    const merged = await sandbox.readResults('half.json');
    expect(merged.run.partial).toEqual({ shardCount: 4, missingShards: [3, 4] });
    expect(merged.summary.total.count).toBe(200);
    expect(await sandbox.read('half.md')).toContain(text);
    expect(await sandbox.read('half.xml')).toContain(text);
    expect(await sandbox.read('half.html')).toContain('shards 3/4 and 4/4 missing');
  });
});
