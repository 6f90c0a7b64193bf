import { describe, expect, it } from 'vitest';
import { liveThresholds } from '../../../src/sla/live-thresholds.js';
import type { LiveThreshold } from '../../../src/sla/live-thresholds.js';
import { fill, planOf, recorderFor, thresholdsOf } from '../progress/fixtures.js';

const constant = { profile: 'constant', users: 10, duration: '1m' };
const twoRequests = {
  requests: [
    { name: 'home', path: '/' },
    { name: 'checkout', path: '/checkout', method: 'POST' },
  ],
};

function judge(
  sla: Record<string, unknown>,
  record: (recorder: ReturnType<typeof recorderFor>) => void,
  iterationsInFlight = 0,
): LiveThreshold[] {
  const plan = planOf(constant, twoRequests);
  const recorder = recorderFor(plan);
  record(recorder);
  return liveThresholds(thresholdsOf(sla), recorder, recorder.counters(), { iterationsInFlight });
}

const states = (live: readonly LiveThreshold[]): string[] => live.map((one) => `${one.label} ${one.state}`);

describe('liveThresholds', () => {
  it('loses p95 < 500 ms as soon as the p95 so far is 600 ms, with the wording of the final summary', () => {
    const [p95] = judge({ p95_latency_ms: 500 }, (recorder) => fill(recorder, { startMs: 0, requests: 100, latencyMs: 600 }));
    expect(p95).toMatchObject({ label: 'p95', state: 'lost' });
    expect(p95?.description).toMatch(/^p95 latency 600(\.\d)? ms > 500 ms$/);
  });

  it('keeps p95 < 500 ms passing at 400 ms, and pending before any request', () => {
    expect(states(judge({ p95_latency_ms: 500 }, (recorder) => fill(recorder, { startMs: 0, requests: 100, latencyMs: 400 })))).toEqual([
      'p95 passing',
    ]);
    expect(states(judge({ p95_latency_ms: 500 }, () => {}))).toEqual(['p95 pending']);
  });

  it('judges error rate, max and mean latency; never min_rps, which only the whole run can tell', () => {
    const live = judge(
      { max_error_rate: 0.01, max_latency_ms: 1000, max_avg_latency_ms: 50, min_rps: 1_000_000, p97_latency_ms: 50 },
      (recorder) => {
        fill(recorder, { startMs: 0, requests: 40, latencyMs: 30, failures: 1 }); // 2.5% errors
        fill(recorder, { startMs: 1000, requests: 1, latencyMs: 1500 }); // mean 65.9 ms; p97 still 30 ms
      },
    );
    expect(states(live)).toEqual(['errors lost', 'max lost', 'mean lost', 'rps pending', 'p97 passing']);
    expect(live[0]?.description).toBe('error rate 2.44% > 1%');
  });

  it('scopes a threshold to its request, and loses one that names a request the run does not have', () => {
    const live = judge({ requests: { checkout: { p99_latency_ms: 200 }, nope: { p95_latency_ms: 1 } } }, (recorder) => {
      fill(recorder, { startMs: 0, requests: 100, latencyMs: 10, requestIndex: 0 });
      fill(recorder, { startMs: 0, requests: 100, latencyMs: 250, requestIndex: 1 });
    });
    expect(states(live)).toEqual(['p99(checkout) lost', 'p95(nope) lost']);
    expect(live[0]?.description).toMatch(/^p99 latency 250(\.\d)? ms > 200 ms \(checkout\)$/);
  });

  it('judges with the figures of the final verdict: the p95, max and mean of the response-time histograms', () => {
    const plan = planOf(constant, twoRequests);
    const recorder = recorderFor(plan);
    for (let ms = 1; ms <= 1000; ms++) fill(recorder, { startMs: ms, requests: 1, latencyMs: ms, requestIndex: ms % 2 });
    const stats = recorder.snapshot().total.responseTime;
    const live = liveThresholds(
      thresholdsOf({ p95_latency_ms: 1, max_latency_ms: 1, max_avg_latency_ms: 1 }),
      recorder,
      recorder.counters(),
      {
        iterationsInFlight: 0,
      },
    );
    const ms = (us: number): string => String(Number((us / 1000).toFixed(1)));
    expect(live.map((one) => one.description)).toEqual([
      `p95 latency ${ms(stats.p95Us)} ms > 1 ms`,
      `max latency ${ms(stats.maxUs)} ms > 1 ms`,
      `mean latency ${ms(stats.meanUs)} ms > 1 ms`,
    ]);
  });

  it('counts iterations still in flight as arrivals for the dropped rate', () => {
    const record = (recorder: ReturnType<typeof recorderFor>): void => {
      for (let i = 0; i < 90; i++) recorder.recordIteration();
      for (let i = 0; i < 10; i++) recorder.recordDropped(500);
    };
    // 10 dropped of 100 arrivals: 10% > 5%; of 200 (100 more still running): exactly 5%, passing.
    expect(states(judge({ max_dropped_rate: 0.05 }, record))).toEqual(['dropped lost']);
    expect(states(judge({ max_dropped_rate: 0.05 }, record, 100))).toEqual(['dropped passing']);
  });
});
