import { describe, expect, it } from 'vitest';
import { metricOf, planThresholds } from '../../../src/plan/thresholds.js';
import { evaluateThresholds } from '../../../src/sla/evaluate-thresholds.js';
import type { ThresholdSubject } from '../../../src/sla/evaluate-thresholds.js';

function subject(overrides: Partial<ThresholdSubject> = {}): ThresholdSubject {
  return {
    count: 1000,
    failures: 5,
    meanLatencyMs: 42.25,
    maxLatencyMs: 900,
    percentileLatencyMs: (percentile) => percentile * 5, // p95 → 475 ms, p99 → 495 ms
    requestsPerSec: 250,
    arrivals: 0,
    dropped: 0,
    // ttfb: p95 → 95 ms, mean 40 ms, max 300 ms; connect never measured (no new connection).
    timingMs: (phase, statistic) =>
      phase !== 'ttfb' ? undefined : typeof statistic === 'number' ? statistic : statistic === 'avg' ? 40 : 300,
    ...overrides,
  };
}

describe('planThresholds', () => {
  it('flattens run-wide and per-request thresholds in the order written', () => {
    const planned = planThresholds({
      p95_latency_ms: 500,
      max_error_rate: 0.01,
      abort_on_fail: true,
      requests: { checkout: { 'p99.9_latency_ms': 800, min_rps: 10 } },
    });
    expect(planned).toEqual([
      { key: 'p95_latency_ms', metric: { kind: 'percentile-latency', percentile: 95 }, limit: 500 },
      { key: 'max_error_rate', metric: { kind: 'error-rate' }, limit: 0.01 },
      { key: 'p99.9_latency_ms', metric: { kind: 'percentile-latency', percentile: 99.9 }, limit: 800, request: 'checkout' },
      { key: 'min_rps', metric: { kind: 'min-rps' }, limit: 10, request: 'checkout' },
    ]);
    expect(planThresholds(undefined)).toEqual([{ key: 'max_error_rate', metric: { kind: 'error-rate' }, limit: 0.01, default: true }]);
    expect(planThresholds({ abort_on_fail: true })).toEqual(planThresholds(undefined));
    expect(planThresholds(false)).toEqual([]);
  });
});

describe('evaluateThresholds', () => {
  it('passes and fails each kind with its measured value and limit', () => {
    const planned = planThresholds({
      max_avg_latency_ms: 40,
      p95_latency_ms: 500,
      p99_latency_ms: 490,
      max_latency_ms: 1000,
      max_error_rate: 0.01,
      min_rps: 300,
    });
    const outcomes = evaluateThresholds(planned, () => subject());
    expect(outcomes.map((outcome) => [outcome.passed, outcome.measured, outcome.description])).toEqual([
      [false, 42.25, 'mean latency 42.3 ms > 40 ms'],
      [true, 475, 'p95 latency 475 ms ≤ 500 ms'],
      [false, 495, 'p99 latency 495 ms > 490 ms'],
      [true, 900, 'max latency 900 ms ≤ 1000 ms'],
      [true, 0.005, 'error rate 0.5% ≤ 1%'],
      [false, 250, 'throughput 250 req/s < 300 req/s'],
    ]);
  });

  it('names the request a threshold applies to', () => {
    const [outcome] = evaluateThresholds(planThresholds({ requests: { checkout: { p95_latency_ms: 400 } } }), (name) =>
      name === 'checkout' ? subject({ percentileLatencyMs: () => 612.34 }) : undefined,
    );
    expect(outcome?.description).toBe('p95 latency 612.3 ms > 400 ms (checkout)');
    expect(outcome?.passed).toBe(false);
  });

  it('fails a threshold that has no data', () => {
    const outcomes = evaluateThresholds(
      planThresholds({ p95_latency_ms: 500, max_error_rate: 0.5, requests: { gone: { max_latency_ms: 1 } } }),
      (name) => (name === undefined ? subject({ count: 0, failures: 0 }) : undefined),
    );
    expect(outcomes.map((outcome) => [outcome.passed, outcome.description])).toEqual([
      [false, 'p95 latency: no data'],
      [false, 'error rate: no data'],
      [false, 'max latency: no data (gone)'],
    ]);
  });

  it('plans the timing thresholds: phase and statistic (mean, max or a percentile up to 100)', () => {
    expect(
      planThresholds({ ttfb_p95_ms: 200, connect_avg_ms: 10, requests: { home: { 'tls_p99.9_ms': 30, download_max_ms: 5 } } }),
    ).toEqual([
      { key: 'ttfb_p95_ms', metric: { kind: 'timing', phase: 'ttfb', statistic: 95 }, limit: 200 },
      { key: 'connect_avg_ms', metric: { kind: 'timing', phase: 'connect', statistic: 'avg' }, limit: 10 },
      { key: 'tls_p99.9_ms', metric: { kind: 'timing', phase: 'tls', statistic: 99.9 }, limit: 30, request: 'home' },
      { key: 'download_max_ms', metric: { kind: 'timing', phase: 'download', statistic: 'max' }, limit: 5, request: 'home' },
    ]);
    expect(metricOf('ttfb_p101_ms')).toBeUndefined();
    expect(metricOf('tcp_p95_ms')).toBeUndefined();
    expect(metricOf('dns_p100_ms')).toEqual({ kind: 'timing', phase: 'dns', statistic: 100 });
  });

  it('judges a timing phase on its figure, and fails one never measured as without data', () => {
    const outcomes = evaluateThresholds(
      planThresholds({ ttfb_p95_ms: 100, ttfb_p99_ms: 90, ttfb_avg_ms: 40, ttfb_max_ms: 250, connect_p95_ms: 10 }),
      () => subject(),
    );
    expect(outcomes.map((outcome) => [outcome.passed, outcome.description])).toEqual([
      [true, 'ttfb p95 95 ms ≤ 100 ms'],
      [false, 'ttfb p99 99 ms > 90 ms'],
      [true, 'ttfb mean 40 ms ≤ 40 ms'],
      [false, 'ttfb max 300 ms > 250 ms'],
      [false, 'connect p95: no data'],
    ]);
  });

  it('computes the dropped-arrival rate from arrivals, 0 in the closed model', () => {
    const planned = planThresholds({ max_dropped_rate: 0.01 });
    expect(evaluateThresholds(planned, () => subject({ arrivals: 1000, dropped: 50 }))[0]?.description).toBe('dropped arrivals 5% > 1%');
    expect(evaluateThresholds(planned, () => subject())[0]?.passed).toBe(true);
  });
});
