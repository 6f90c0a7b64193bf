import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { planAllThresholds } from '../../../src/plan/thresholds.js';
import { buildResults } from '../../../src/results/results-document.js';
import { parseScenario } from '../../../src/scenario/load-scenario.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { builtRunPlan } from '../../helpers/built-engine.js';

/**
 * `sse:` and `stream:` steps on two worker threads: the built-in metrics of both threads merge to the server's
 * own counts, exactly. Worker threads run the compiled engine (test/helpers/built-engine.ts):
 * these tests drive `dist/engine/run-plan.js`, which `npm test` builds first.
 */

let runPlan: Awaited<ReturnType<typeof builtRunPlan>>;
let server: TargetServer;

beforeAll(async () => {
  runPlan = await builtRunPlan();
  server = await startTargetServer();
});

afterAll(async () => {
  await server.close();
});

describe('sse: and stream: steps on worker threads', () => {
  it('workers: 2 count every stream, event and chunk the server sent, exactly', async () => {
    const text = [
      `target: ${server.url}`,
      'workers: 2',
      'flows:',
      '  - name: f',
      '    steps:',
      '      - {name: events, sse: "/sse?events=3&interval_ms=5", until: {event: done}}',
      '      - {name: tokens, stream: "/stream?chunks=3&interval_ms=5"}',
      'load: {profile: constant, users: 4, iterations: 13}',
      '',
    ].join('\n');
    const scenario = parseScenario(text, 'sse-workers.yml', { env: {}, baseDir: '.' });
    const plan = buildPlan(scenario);
    expect(plan.workers).toBe(2);
    const before = server.streamCounts();
    const document = buildResults(plan, planAllThresholds(scenario.data), await runPlan(plan));
    const after = server.streamCounts();
    const sum = (name: string): number | undefined => document.summary.metrics?.find((metric) => metric.name === name)?.sum;
    expect(document.summary.total.failures).toBe(0);
    expect(document.summary.requests.map((request) => [request.name, request.successes])).toEqual([
      ['events', 13],
      ['tokens', 13],
    ]);
    expect(after.sseStreams - before.sseStreams).toBe(13);
    expect(after.streams - before.streams).toBe(13);
    expect(sum('sse_events')).toBe(13 * 4);
    expect(sum('sse_events')).toBe(after.sseEvents - before.sseEvents);
    expect(sum('stream_chunks')).toBe(after.chunks - before.chunks);
    expect(document.summary.metrics?.find((metric) => metric.name === 'sse_event_gap_ms')?.count).toBe(13 * 3);
  });
});
