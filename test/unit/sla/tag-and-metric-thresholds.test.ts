import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import { canBeLostEarly } from '../../../src/sla/abort-on-fail.js';
import { evaluateThresholds } from '../../../src/sla/evaluate-thresholds.js';
import { liveThresholds } from '../../../src/sla/live-thresholds.js';
import { recorderSubjects } from '../../../src/sla/recorder-subjects.js';

const TAGS = [{ name: 'team:a', requestNames: ['a1', 'a2'] }];

/** a1: 10 responses, 2 failing; a2: 10 fine; b: 10, all failing. Depth 1…10 on a1. */
function recorder(): Recorder {
  const recorder = new Recorder(['a1', 'a2', 'b'], { customMetrics: [{ name: 'depth', kind: 'trend' }] });
  for (let index = 0; index < 10; index++) {
    recorder.recordResponse(0, index < 2 ? 500 : 200, index >= 2, 1000, 900, 10, 10, 0);
    recorder.recordResponse(1, 200, true, 3000, 2900, 10, 10, 0);
    recorder.recordResponse(2, 500, false, 5000, 4900, 10, 10, 0);
    recorder.recordMetric(0, index + 1);
  }
  return recorder;
}

describe('tag and custom metric thresholds', () => {
  const thresholds = planThresholds(
    { tags: { 'team:a': { max_error_rate: 0.05, max_latency_ms: 3 } }, metrics: { depth: { p90: 9, avg: 5 } } },
    TAGS,
  );

  it('plans them with the tag’s request names and the metric’s stat', () => {
    expect(
      thresholds.map(({ key, tag, customMetric, requestNames, metric }) => ({ key, tag, customMetric, requestNames, metric })),
    ).toEqual([
      { key: 'max_error_rate', tag: 'team:a', customMetric: undefined, requestNames: ['a1', 'a2'], metric: { kind: 'error-rate' } },
      { key: 'max_latency_ms', tag: 'team:a', customMetric: undefined, requestNames: ['a1', 'a2'], metric: { kind: 'max-latency' } },
      {
        key: 'p90',
        tag: undefined,
        customMetric: 'depth',
        requestNames: undefined,
        metric: { kind: 'custom-metric', stat: { kind: 'percentile', percentile: 90 } },
      },
      {
        key: 'avg',
        tag: undefined,
        customMetric: 'depth',
        requestNames: undefined,
        metric: { kind: 'custom-metric', stat: { kind: 'avg' } },
      },
    ]);
  });

  it('judges a tag on its requests only, and a metric on its values, at the end', () => {
    const recorded = recorder();
    const metrics = recorded.customMetrics();
    const outcomes = evaluateThresholds(thresholds, recorderSubjects(recorded, 1000, undefined, [], TAGS), (name) =>
      metrics.find((metric) => metric.name === name),
    );
    expect(outcomes.map((outcome) => [outcome.passed, outcome.measured, outcome.description])).toEqual([
      [false, 0.1, 'error rate 10% > 5% (tag team:a)'],
      [true, 3, 'max latency 3 ms ≤ 3 ms (tag team:a)'],
      [true, 9, 'depth p90 9 ≤ 9 (metric depth)'],
      [false, 5.5, 'depth avg 5.5 > 5 (metric depth)'],
    ]);
  });

  it('judges a tag live as it will at the end, and leaves a metric to the end (never lost early)', () => {
    const recorded = recorder();
    const live = liveThresholds(thresholds, recorded, recorded.counters(), { iterationsInFlight: 0 });
    expect(live.map(({ state, label }) => [state, label])).toEqual([
      ['lost', 'errors[team:a]'],
      ['passing', 'max[team:a]'],
      ['pending', 'depth p90'],
      ['pending', 'depth avg'],
    ]);
    expect(canBeLostEarly({ kind: 'custom-metric', stat: { kind: 'max' } })).toBe(false);
  });

  it('fails a metric threshold without data, but for a counter’s sum, which is 0', () => {
    const empty = new Recorder(['a1'], {
      customMetrics: [
        { name: 'depth', kind: 'trend' },
        { name: 'orders', kind: 'counter' },
      ],
    });
    const metrics = empty.customMetrics();
    const outcomes = evaluateThresholds(
      planThresholds({ metrics: { depth: { max: 1 }, orders: { sum_max: 0 } } }),
      () => undefined,
      (name) => metrics.find((metric) => metric.name === name),
    );
    expect(outcomes.map((outcome) => [outcome.passed, outcome.description])).toEqual([
      [false, 'depth max: no data (metric depth)'],
      [true, 'orders sum 0 ≤ 0 (metric orders)'],
    ]);
  });
});
