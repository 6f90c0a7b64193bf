import { describe, expect, it } from 'vitest';
import { LoadGenerator, MetricsCollector, SLAPolicy } from '../../../src/index.js';

/** 1, 2, …, 1000 ms: the exact pNN is NN × 10 ms; HDR keeps 3 significant digits (0.1%). */
const ONE_TO_THOUSAND = Array.from({ length: 1000 }, (_, index) => index + 1);

describe('MetricsCollector', () => {
  it('summarises plain millisecond latencies with percentiles exact within HDR precision', () => {
    const summary = new MetricsCollector({
      latencies: ONE_TO_THOUSAND,
      totalRequests: 1000,
      failedRequests: 10,
      durationSeconds: 20,
    }).getSummary();
    expect(summary.totalRequests).toBe(1000);
    expect(summary.errorRate).toBe(0.01);
    expect(summary.rps).toBe(50);
    expect(summary.avg).toBeCloseTo(500.5, 0);
    for (const [key, exact] of [
      ['p50', 500],
      ['p75', 750],
      ['p90', 900],
      ['p95', 950],
      ['p99', 990],
      ['p999', 999],
      ['max', 1000],
      ['min', 1],
    ] as const) {
      expect(Math.abs(summary[key] - exact) / exact, key).toBeLessThanOrEqual(0.001);
    }
  });

  it('returns violations as readable strings and every outcome as data', () => {
    const metrics = new MetricsCollector({ latencies: ONE_TO_THOUSAND, totalRequests: 1000, failedRequests: 20 });
    const validation = metrics.validateSla(
      new SLAPolicy({ maxAvgLatencyMs: 200, p95LatencyMs: 500, maxErrorRate: 0.01, percentiles: { 50: 600 } }),
    );
    expect(validation.passed).toBe(false);
    expect(validation.violations).toEqual(['mean latency 500.5 ms > 200 ms', 'p95 latency 950.3 ms > 500 ms', 'error rate 2% > 1%']); // 950 ms within HDR's 0.1%
    expect(validation.outcomes.map((outcome) => [outcome.threshold.key, outcome.passed])).toEqual([
      ['max_avg_latency_ms', false],
      ['p95_latency_ms', false],
      ['max_error_rate', false],
      ['p50_latency_ms', true],
    ]);
  });

  it('passes a threshold equal to its limit, fails one with no data', () => {
    const exact = new MetricsCollector({ latencies: [100, 100, 100] }).validateSla(
      new SLAPolicy({ maxAvgLatencyMs: 100, maxLatencyMs: 100, maxErrorRate: 0 }),
    );
    expect(exact.violations).toEqual([]);
    const empty = new MetricsCollector({ latencies: [] }).validateSla(new SLAPolicy({ p95LatencyMs: 500, maxErrorRate: 0.5 }));
    expect(empty.violations).toEqual(['p95 latency: no data', 'error rate: no data']);
  });

  it('refuses bad input with a message naming it', () => {
    expect(() => new MetricsCollector({ latencies: [1, Number.NaN] })).toThrow('latencies[1] must be a number of milliseconds');
    expect(() => new SLAPolicy({ p95LatencyMs: -1 })).toThrow('p95LatencyMs must be a number, at least 0 (got -1)');
    expect(() => new SLAPolicy({ p96LatencyMs: 1 } as never)).toThrow('unknown option "p96LatencyMs"');
  });

  it('reads an engine result, per-request thresholds included (from a scenario sla)', async () => {
    // At least 2 ms by the clock the engine measures with: setTimeout(2) may fire sooner by that clock, the
    // event loop's time being cached at the start of a busy turn.
    const atLeast2ms = async (): Promise<void> => {
      const end = performance.now() + 2;
      while (performance.now() < end) await new Promise((resolve) => setImmediate(resolve));
    };
    const result = await new LoadGenerator({ name: 'op', targetFunc: atLeast2ms }).runConstantLoad({ users: 2, iterations: 40 });
    const metrics = new MetricsCollector(result);
    expect(metrics.getSummary().totalRequests).toBe(40);
    expect(metrics.getSummary().p50).toBeGreaterThanOrEqual(2);
    const validation = metrics.validateSla(
      SLAPolicy.fromScenario({ requests: { op: { p99_latency_ms: 1 }, missing: { p99_latency_ms: 1000 } } }),
    );
    expect(validation.violations).toHaveLength(2);
    expect(validation.violations[0]).toMatch(/^p99 latency \d+(\.\d)? ms > 1 ms \(op\)$/);
    expect(validation.violations[1]).toBe('p99 latency: no data (missing)');
  });
});
