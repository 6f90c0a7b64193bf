import { describe, expect, it } from 'vitest';
import type { RunProgress, RunResult } from '../../../src/engine/run-result.js';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import type { StreamInterval, StreamOutput, StreamSummary } from '../../../src/outputs/stream-output.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { StreamFeed } from '../../../src/run/stream-feed.js';

/** An output that keeps what it is given. */
function collector(needsTotals = false): StreamOutput & { intervals: StreamInterval[]; summaries: StreamSummary[] } {
  const intervals: StreamInterval[] = [];
  const summaries: StreamSummary[] = [];
  return {
    kind: 'jsonl',
    target: 'memory',
    needsTotals,
    intervals,
    summaries,
    start: () => {},
    interval: (point) => intervals.push(point),
    threshold: () => {},
    finish: (summary) => {
      summaries.push(summary);
      return Promise.resolve();
    },
    report: () => ({ kind: 'jsonl', target: 'memory', sent: intervals.length, dropped: 0 }),
  };
}

function progress(recorder: Recorder, elapsedMs: number, phase: RunProgress['phase'] = 'measured'): RunProgress {
  return { phase, elapsedMs, plannedDurationMs: 3000, activeUsers: 3, inFlight: 0, stopping: false, recorder };
}

const RESULTS = {
  verdict: 'passed',
  run: { durationMs: 2500 },
  summary: {
    total: { count: 0, failures: 0, errorRate: 0, requestsPerSec: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } },
    requests: [],
  },
  thresholds: [],
} as unknown as ResultsDocument;

describe('StreamFeed', () => {
  it('sends what the counters gained per interval; the last one, from the final recorder, makes the sum exact', async () => {
    const recorder = new Recorder(['home', 'cart']);
    recorder.start(0);
    const output = collector(true);
    const feed = new StreamFeed([output], { runId: 'r', scenario: 's', requestNames: ['home', 'cart'] });
    feed.start();
    let at = 0;
    const respond = (count: number, untilMs: number): void => {
      for (let index = 0; index < count; index++) {
        at = Math.min(untilMs, at + 7);
        if (index % 10 === 9) recorder.recordError(1, ErrorCategoryId.timeout, 30_000, 30_000, 0, 80, at);
        else recorder.recordResponse(index % 2, index % 5 === 4 ? 503 : 200, index % 5 !== 4, 20_000, 19_000, 100, 80, at);
      }
    };
    feed.update(progress(recorder, 400, 'warmup'));
    respond(100, 990);
    feed.update(progress(recorder, 500)); // not due yet
    feed.update(progress(recorder, 1000));
    respond(80, 1990);
    feed.update(progress(recorder, 2001));
    // Requests the last tick did not see, and the final recorder's.
    respond(33, 2500);
    const result = { recorder, elapsedMs: 2500, startedAtEpochMs: 1_000_000, endedAtEpochMs: 1_002_500 } as unknown as RunResult;
    const reports = await feed.finish(result, RESULTS);

    expect(output.intervals.map((point) => [point.offsetMs, point.durationMs])).toEqual([
      [0, 1000],
      [1000, 1001],
      [2001, 499],
    ]);
    expect(output.intervals.map((point) => point.requests)).toEqual([100, 80, 33]);
    // Timestamps only move on: receivers refuse a sample older than the one before.
    const ends = output.intervals.map((point) => point.endEpochMs);
    expect(ends.every((end, index) => index === 0 || end > (ends[index - 1] ?? 0))).toBe(true);
    const total = recorder.counters().total;
    expect(output.intervals.reduce((sum, point) => sum + point.failures, 0)).toBe(total.failures);
    const byKind = (kind: string): number => output.intervals.reduce((sum, point) => sum + (point.failuresByKind[kind] ?? 0), 0);
    expect(byKind('timeout') + byKind('status')).toBe(total.failures);
    expect(byKind('timeout')).toBe(21);
    expect(output.intervals.reduce((sum, point) => sum + (point.byRequest['cart']?.requests ?? 0), 0)).toBe(
      recorder.counters().requests[1]?.requests,
    );
    expect(output.intervals[0]?.latencyMs.p95).toBeCloseTo(30, 0);
    // Totals: cumulative, statuses and errors adding up to the requests.
    const totals = output.intervals.at(-1)?.totals;
    const cart = totals?.byRequest.find((request) => request.name === 'cart');
    expect(Object.values(cart?.byStatus ?? {}).reduce((sum, count) => sum + count, 0)).toBe(cart?.requests);
    expect(cart?.byStatus['error']).toBe(21);
    expect(totals?.responseTime.count).toBe(total.requests);
    expect(output.summaries).toHaveLength(1);
    expect(reports).toEqual([{ kind: 'jsonl', target: 'memory', sent: 3, dropped: 0 }]);
  });

  it('flushes one interval even when the run ends before the first is due', async () => {
    const recorder = new Recorder(['home']);
    recorder.start(0);
    recorder.recordResponse(0, 200, true, 1000, 900, 10, 10, 100);
    const output = collector();
    const feed = new StreamFeed([output], { runId: 'r', scenario: 's', requestNames: ['home'] });
    await feed.finish({ recorder, elapsedMs: 300, startedAtEpochMs: 0, endedAtEpochMs: 300 } as unknown as RunResult, RESULTS);
    expect(output.intervals.map((point) => [point.offsetMs, point.durationMs, point.requests])).toEqual([[0, 300, 1]]);
    expect(output.intervals[0]?.totals).toBeUndefined();
  });

  it("hides the scenario's secrets in every name and target it sends, as the results file does", async () => {
    const recorder = new Recorder(['GET s3cret-token']);
    recorder.start(0);
    recorder.recordResponse(0, 200, true, 1000, 900, 10, 10, 100);
    const output = collector(true);
    const redact = (text: string): string => text.split('s3cret-token').join('***');
    const feed = new StreamFeed([output], { runId: 'r', scenario: 'on s3cret-token', requestNames: ['GET s3cret-token'] }, redact);
    expect(feed.meta).toMatchObject({ scenario: 'on ***', requestNames: ['GET ***'] });
    const reports = await feed.finish(
      { recorder, elapsedMs: 300, startedAtEpochMs: 0, endedAtEpochMs: 300 } as unknown as RunResult,
      RESULTS,
    );
    expect(Object.keys(output.intervals[0]?.byRequest ?? {})).toEqual(['GET ***']);
    expect(output.intervals[0]?.totals?.byRequest[0]?.name).toBe('GET ***');
    expect(reports[0]?.target).toBe('memory');
  });
});
