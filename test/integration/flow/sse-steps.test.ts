import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { planAllThresholds } from '../../../src/plan/thresholds.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { buildResults } from '../../../src/results/results-document.js';
import type { CustomMetricDocument, ResultsDocument, StatsDocument } from '../../../src/results/results-document.js';
import { parseScenario } from '../../../src/scenario/load-scenario.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { closedPort } from '../engine/servers.js';

/**
 * `sse:` and `stream:` steps on the engine against the built-in target (`loadseed serve`), which paces its
 * streams itself and counts what it sent: time to the first event and the gaps are the server's interval,
 * the events counted are the events it wrote.
 */

let server: TargetServer;
beforeAll(async () => {
  server = await startTargetServer();
  // Loads the modules (undici, the runner, the parser) once, so that no measured run pays for it.
  await run(['flows: [{name: warm, steps: [{sse: "/sse?events=1&interval_ms=1"}]}]', 'load: {profile: constant, users: 1, iterations: 1}']);
});
afterAll(async () => {
  await server.close();
});

async function run(lines: readonly string[]): Promise<{ document: ResultsDocument; lateMs: number }> {
  const text = [`target: ${server.url}`, ...lines, ''].join('\n');
  const scenario = parseScenario(text, 'sse.yml', { env: {}, baseDir: '.' });
  const plan = buildPlan(scenario);
  const { value: result, lateMs } = await withLoopDelay(() => runPlan(plan));
  const document = buildResults(plan, planAllThresholds(scenario.data), result);
  expect(resultsSchemaProblems(JSON.parse(JSON.stringify(document)))).toEqual([]);
  return { document, lateMs };
}

function metric(document: ResultsDocument, name: string): CustomMetricDocument {
  const found = document.summary.metrics?.find((one) => one.name === name);
  if (found === undefined) throw new Error(`no metric ${name}`);
  return found;
}

function request(document: ResultsDocument, name: string): StatsDocument {
  const found = document.summary.requests.find((one) => one.name === name);
  if (found === undefined) throw new Error(`no request ${name}`);
  return found;
}

const INTERVAL_MS = 20;

describe('sse: steps', () => {
  it('times the first event and the gaps at the server interval, and counts every event the server sent', async () => {
    const before = server.streamCounts();
    const { document, lateMs } = await run([
      'flows:',
      '  - name: f',
      '    steps:',
      `      - {name: events, sse: "/sse?events=5&interval_ms=${INTERVAL_MS}", until: {event: done}, idle_timeout: 10s}`,
      'load: {profile: constant, users: 2, iterations: 6}',
    ]);
    const after = server.streamCounts();
    const stats = request(document, 'events');
    expect(stats.count).toBe(6);
    expect(stats.successes).toBe(6);
    expect(after.sseStreams - before.sseStreams).toBe(6);
    expect(after.sseEvents - before.sseEvents).toBe(36);
    expect(metric(document, 'sse_events').sum).toBe(36);
    const first = metric(document, 'sse_first_event_ms');
    const gap = metric(document, 'sse_event_gap_ms');
    expect(first.count).toBe(6);
    expect(gap.count).toBe(30);
    expect(first.p50).toBeGreaterThanOrEqual(INTERVAL_MS - 1);
    expect(first.p50).toBeLessThanOrEqual(INTERVAL_MS + 1 + lateMs);
    expect(Math.abs((gap.p50 ?? 0) - INTERVAL_MS)).toBeLessThanOrEqual(1 + lateMs);
  });

  it('ends at a count of events, and captures from the last event read', async () => {
    const before = server.streamCounts();
    const { document } = await run([
      'flows:',
      '  - name: f',
      '    steps:',
      '      - {name: three, sse: "/sse?events=10&interval_ms=2", until: {events: 3}, capture: [{as: seq, json: $.seq}]}',
      '      - {name: echo, path: "/echo?seq={{ seq }}", expect: {json: [{path: $.query.seq, equals: "3"}]}}',
      'load: {profile: constant, users: 1, iterations: 4}',
    ]);
    expect(request(document, 'three').successes).toBe(4);
    expect(request(document, 'echo').successes).toBe(4);
    expect(metric(document, 'sse_events').sum).toBe(12);
    expect(server.streamCounts().sseStreams - before.sseStreams).toBe(4);
  });

  it('counts each fault by its category, and the run goes on', async () => {
    const refusedPort = await closedPort();
    const before = server.streamCounts();
    const { document } = await run([
      'flows:',
      '  - name: f',
      '    steps:',
      `      - {name: refused, sse: "http://127.0.0.1:${refusedPort}/sse"}`,
      '      - {name: reset, sse: "/sse?events=5&interval_ms=2&reset_after=2", until: {event: done}}',
      '      - {name: stalled, sse: "/sse?events=5&interval_ms=2&stall_after=2", until: {event: done}, idle_timeout: 1s}',
      '      - {name: not-sse, sse: /json}',
      '      - {name: short, sse: "/sse?events=2&interval_ms=2", until: {events: 5}}',
      '      - {name: missing, sse: /nowhere}',
      '      - {name: ok, sse: "/sse?events=1&interval_ms=2", until: {event: done}}',
      '      - {name: tokens-reset, stream: "/stream?chunks=5&interval_ms=2&reset_after=2"}',
      '      - {name: tokens-stalled, stream: "/stream?chunks=5&interval_ms=2&stall_after=2", idle_timeout: 1s}',
      'load: {profile: constant, users: 1, iterations: 2}',
      'sla: false',
    ]);
    expect(request(document, 'refused').errors).toEqual({ connection_refused: 2 });
    expect(request(document, 'reset').errors).toEqual({ connection_reset: 2 });
    expect(request(document, 'stalled').errors).toEqual({ timeout: 2 });
    expect(request(document, 'not-sse').errors).toEqual({ protocol: 2 });
    expect(request(document, 'short').errors).toEqual({ check: 2 });
    expect(request(document, 'missing').statusCodes).toEqual({ 404: 2 });
    expect(request(document, 'missing').failures).toBe(2);
    expect(request(document, 'ok').successes).toBe(2);
    expect(request(document, 'tokens-reset').errors).toEqual({ connection_reset: 2 });
    expect(request(document, 'tokens-stalled').errors).toEqual({ timeout: 2 });
    const samples = (name: string): string[] => (request(document, name).failureSamples ?? []).map((sample) => sample.message);
    expect(samples('stalled')[0]).toContain('no event after 2 within the idle timeout of 1000 ms');
    expect(samples('short')[0]).toContain('the stream ended after 3 events, before until (5 events)');
    // Events read before each fault count: 2 before the reset, 2 before the stall, 3 of the short stream, 2 of ok.
    const sent = server.streamCounts().sseEvents - before.sseEvents;
    expect(sent).toBe(2 * (2 + 2 + 3 + 2));
    expect(metric(document, 'sse_events').sum).toBe(sent);
    const chunks = server.streamCounts().chunks - before.chunks;
    expect(chunks).toBe(2 * (2 + 2));
    expect(metric(document, 'stream_chunks').sum).toBe(chunks);
  });
});

describe('a stream given up', () => {
  it('at the end of the grace period is counted as interrupted, its connection closed at once', async () => {
    const before = server.streamCounts();
    const { document } = await run([
      'flows:',
      '  - name: f',
      '    steps:',
      '      - {name: long, sse: "/sse?events=100&interval_ms=100", timeout: 60s}',
      'load: {profile: constant, users: 2, duration: 200ms, grace_period: 0}',
    ]);
    expect(request(document, 'long').interrupted).toBe(2);
    expect(server.streamCounts().sseStreams - before.sseStreams).toBe(2);
    // The streams would last 10 s: the server sees both closed well before (a bounded wait, not a sleep).
    await vi.waitUntil(() => server.streamCounts().open === 0, { timeout: 2_000, interval: 10 });
    expect(server.streamCounts().open).toBe(0);
  });
});

describe('stream: steps', () => {
  it('times the first chunk and the gaps at the server interval, and counts every chunk (a POST with a body)', async () => {
    const before = server.streamCounts();
    const { document, lateMs } = await run([
      'flows:',
      '  - name: f',
      '    steps:',
      `      - {name: tokens, stream: "/stream?chunks=6&interval_ms=${INTERVAL_MS}", method: POST, json: {prompt: hi}, idle_timeout: 10s}`,
      'load: {profile: constant, users: 2, iterations: 4}',
    ]);
    const after = server.streamCounts();
    expect(request(document, 'tokens').successes).toBe(4);
    expect(after.streams - before.streams).toBe(4);
    expect(after.chunks - before.chunks).toBe(24);
    expect(metric(document, 'stream_chunks').sum).toBe(24);
    const first = metric(document, 'stream_first_chunk_ms');
    const gap = metric(document, 'stream_chunk_gap_ms');
    expect(first.count).toBe(4);
    expect(gap.count).toBe(20);
    expect(first.p50).toBeGreaterThanOrEqual(INTERVAL_MS - 1);
    expect(first.p50).toBeLessThanOrEqual(INTERVAL_MS + 1 + lateMs);
    expect(Math.abs((gap.p50 ?? 0) - INTERVAL_MS)).toBeLessThanOrEqual(1 + lateMs);
  });
});
