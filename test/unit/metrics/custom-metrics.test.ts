import { describe, expect, it } from 'vitest';
import { CustomMetrics } from '../../../src/metrics/custom-metrics.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { recorderDocument, recorderFromDocument } from '../../../src/results/recorder-encoding.js';

const SPECS = [
  { name: 'depth', kind: 'trend' },
  { name: 'orders', kind: 'counter' },
] as const;

/** What tests compare: every exact figure and a few percentiles. */
function figures(metrics: CustomMetrics | Recorder) {
  const summaries = metrics instanceof Recorder ? metrics.customMetrics() : metrics.summaries();
  return summaries.map((summary) => ({
    name: summary.name,
    kind: summary.kind,
    count: summary.count,
    sum: summary.sum,
    min: summary.min,
    max: summary.max,
    avg: summary.avg,
    p50: summary.percentile(50),
    p99: summary.percentile(99),
  }));
}

describe('CustomMetrics', () => {
  it('keeps count, exact sum, min and max, and a trend’s percentiles to 3 significant digits', () => {
    const metrics = new CustomMetrics(SPECS);
    const depths = Array.from({ length: 1000 }, (_, index) => index / 4); // 0, 0.25, … 249.75
    for (const depth of depths) metrics.record(0, depth);
    for (const placed of [1, 2, 3, -1]) metrics.record(1, placed);
    const [depth, orders] = metrics.summaries();
    expect(depth).toMatchObject({ count: 1000, sum: 124_875, min: 0, max: 249.75, avg: 124.875 });
    expect(Math.abs((depth?.percentile(50) ?? 0) - 124.75)).toBeLessThanOrEqual(124.75 * 0.001);
    expect(Math.abs((depth?.percentile(99) ?? 0) - 247.25)).toBeLessThanOrEqual(247.25 * 0.001);
    expect(orders).toMatchObject({ count: 4, sum: 5, min: -1, max: 3 });
    expect(orders?.percentile(50)).toBe(0); // a counter keeps no distribution
  });

  it('merges by name, adding a metric only the other has, and leaves no extremes before any value', () => {
    const a = new CustomMetrics([SPECS[0]]);
    const b = new CustomMetrics([SPECS[1], SPECS[0]]);
    a.record(0, 5);
    b.record(1, 7);
    b.record(1, 1);
    b.record(0, 10);
    a.merge(b);
    expect(figures(a)).toEqual([
      { name: 'depth', kind: 'trend', count: 3, sum: 13, min: 1, max: 7, avg: 13 / 3, p50: 5, p99: 7 },
      { name: 'orders', kind: 'counter', count: 1, sum: 10, min: 10, max: 10, avg: 10, p50: 0, p99: 0 },
    ]);
    const empty = new CustomMetrics(SPECS);
    empty.merge(new CustomMetrics(SPECS));
    expect(empty.summaries().map(({ count, min, max }) => [count, min, max])).toEqual([
      [0, undefined, undefined],
      [0, undefined, undefined],
    ]);
  });

  it('crosses threads and files losslessly: Recorder.encode/decode and the results file’s recorder', () => {
    const recorder = new Recorder(['pay', 'home'], { customMetrics: SPECS });
    for (let index = 0; index < 500; index++) recorder.recordMetric(0, (index % 37) * 1.5);
    recorder.recordMetric(1, 3);
    recorder.recordMetric(1, 4);
    const expected = figures(recorder);
    expect(figures(Recorder.decode(recorder.encode()))).toEqual(expected);
    const document = recorderDocument(recorder);
    expect(document.customMetrics).toEqual(SPECS);
    expect(figures(recorderFromDocument(JSON.parse(JSON.stringify(document)) as typeof document))).toEqual(expected);
    // Merged into a recorder made without them (a merge of workers or shards), they come along.
    const merged = new Recorder(['pay', 'home']);
    merged.merge(Recorder.decode(recorder.encode()));
    merged.merge(Recorder.decode(recorder.encode()));
    expect(figures(merged).map(({ count, sum, max }) => [count, sum, max])).toEqual(
      expected.map(({ count, sum, max }) => [count * 2, sum * 2, max]),
    );
  });

  it('reads a recorder without custom metrics as before, and refuses data and names that disagree', () => {
    const plain = recorderDocument(new Recorder(['a']));
    expect(plain.customMetrics).toBeUndefined();
    expect(recorderFromDocument(plain).customMetrics()).toEqual([]);
    expect(() => recorderFromDocument({ ...plain, customMetrics: [{ name: 'x', kind: 'trend' }] })).toThrow(/do not match/);
  });
});
