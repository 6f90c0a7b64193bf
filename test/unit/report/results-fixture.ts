import type { LatencyMs, ResultsDocument, StatsDocument, ThresholdDocument } from '../../../src/results/results-document.js';

const latency = (p95: number): LatencyMs => ({
  min: 1,
  mean: p95 / 2,
  stdDev: 3,
  p50: p95 / 2,
  p75: p95 * 0.7,
  p90: p95 * 0.9,
  p95,
  p99: p95 * 1.5,
  'p99.9': p95 * 2,
  max: p95 * 3,
});

export function stats(name: string, count: number, failures: number, p95: number): StatsDocument {
  return {
    name,
    count,
    successes: count - failures,
    failures,
    errorRate: count === 0 ? 0 : failures / count,
    interrupted: 0,
    requestsPerSec: count / 10,
    latencyMs: latency(p95),
    serviceTimeMs: latency(p95),
    statusCodes: { 200: count - failures, 500: failures },
    errors: {},
    bytesIn: count * 100,
    bytesOut: count * 50,
  };
}

/** A small, fixed results document: two requests, a passed and a violated threshold unless told otherwise. */
export function resultsFixture(overrides: Partial<ResultsDocument> = {}): ResultsDocument {
  const thresholds: ThresholdDocument[] = [
    { key: 'max_error_rate', limit: 0.01, measured: 0.005, passed: true, description: 'error rate 0.5% ≤ 1%' },
    {
      key: 'p95_latency_ms',
      request: 'checkout <b>',
      limit: 500,
      measured: 612.3,
      passed: false,
      description: 'p95 latency 612.3 ms > 500 ms (checkout <b>)',
    },
  ];
  const home = stats('home', 800, 0, 100);
  const checkout = stats('checkout <b>', 200, 5, 612.3);
  return {
    kind: 'loadseed-results',
    version: 1,
    loadseed: '0.0.0-test',
    scenario: { name: 'shop & co', file: 'shop.yml', plan: 'constant 10 users for 10s · 10s · 2 requests: home, checkout <b>' },
    run: {
      startedAt: '2026-11-25T20:00:00.000Z',
      endedAt: '2026-11-25T20:00:10.000Z',
      durationMs: 10_000,
      host: 'ci',
      interrupted: false,
      warmupExcluded: false,
      warmupRequests: 0,
    },
    verdict: 'failed',
    summary: {
      total: stats('total', 1000, 5, 540),
      requests: [home, checkout],
      iterations: 1000,
      droppedArrivals: 0,
      schedulerLagMs: latency(0),
    },
    generator: {
      workers: 1,
      cpuPercent: 40,
      busyPercent: 35,
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 4,
      schedulerLagP99Ms: 0,
      saturated: false,
      threads: [{ busyPercent: 35, saturatedTimePercent: 0, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 4 }],
    },
    thresholds,
    series: [],
    ...overrides,
  } as ResultsDocument;
}
