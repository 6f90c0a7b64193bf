import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      `      - {name: events, sse: "/sse?events=5&interval_ms=${INTERVAL_MS}", until: {event: done}, idle_timeout: 2s}`,
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
});
