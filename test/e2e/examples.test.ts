import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { ROOT, runBuiltCli } from './built-cli.js';

/** The example scenarios of scenarios/ run as shipped against the built-in target, a short load each. */

let dir: string;
let server: TargetServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-examples-'));
  server = await startTargetServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs scenarios/<name>.yml for `duration` against the built-in target; every output goes to the temporary dir. */
async function runExample(
  name: string,
  duration: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ document: ResultsDocument; requestsServed: number }> {
  const servedBefore = server.requestCount();
  const out = await runBuiltCli(
    ['run', join(ROOT, 'scenarios', `${name}.yml`), '--out', `${name}.json`, '--html', `${name}.html`, '--quiet'],
    { cwd: dir, env: { TARGET_URL: server.url, DURATION: duration, ...env }, timeoutMs: 20_000 },
  );
  expect(out.code, out.stderr).toBe(0);
  const document = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as ResultsDocument;
  return { document, requestsServed: server.requestCount() - servedBefore };
}

function requestCounts(document: ResultsDocument): Record<string, number> {
  return Object.fromEntries(document.summary.requests.map((request) => [request.name, request.count]));
}

describe('example scenarios against the built-in target (built CLI)', () => {
  it('login-flow.yml: logs in, uses the token and the session cookie, zero failures', async () => {
    const { document, requestsServed } = await runExample('login-flow', '2s');
    const total = document.summary.total;
    expect(total.failures).toBe(0);
    expect(total.errors).toEqual({});
    expect(total.successes).toBe(total.count);
    expect(requestsServed).toBeGreaterThanOrEqual(total.count);
    // Only 200 (login, me, cart, home, catalog) and 201 (add item): no 401 or 403 got through as a pass.
    expect(Object.keys(total.statusCodes).sort()).toEqual(['200', '201']);
    const counts = requestCounts(document);
    // 10 users each start with a flow picked 3:1 for the shopper: every shopper step runs.
    for (const name of ['login', 'me', 'cart', 'add item']) expect(counts[name], name).toBeGreaterThan(0);
    expect(total.statusCodes['201']).toBe(counts['add item']);
  });

  it('poll-until-done.yml: polls each job while it is pending, 4 polls a job, zero failures', async () => {
    const { document, requestsServed } = await runExample('poll-until-done', '2s');
    const total = document.summary.total;
    expect(total.failures).toBe(0);
    expect(total.errors).toEqual({});
    expect(requestsServed).toBe(total.count);
    const counts = requestCounts(document);
    const created = counts['create job'] ?? 0;
    const results = counts['job result'] ?? 0;
    expect(created).toBeGreaterThan(0);
    expect(results).toBeGreaterThan(0);
    // Every finished job took exactly 3 pending polls and 1 done; a job the end of the run cut short, fewer.
    expect(counts['poll job']).toBeGreaterThanOrEqual(4 * results);
    expect(counts['poll job']).toBeLessThanOrEqual(4 * created);
    expect(results).toBeLessThanOrEqual(created);
  });

  it('websocket.yml: chat sessions, every reply awaited, the server counting what the run counted; ws metrics in the report', async () => {
    const before = server.wsCounts();
    const { document } = await runExample('websocket', '1500ms', { USERS: '2' });
    const seen = server.wsCounts();
    const total = document.summary.total;
    expect(total.failures).toBe(0);
    expect(total.errors).toEqual({});
    expect(total.statusCodes).toEqual({ '101': seen.upgrades - before.upgrades });
    const metrics = Object.fromEntries((document.summary.metrics ?? []).map((metric) => [metric.name, metric]));
    // Every session: a hello and five pings, each answered.
    expect(metrics['ws_messages_sent']?.sum).toBe(6 * total.count);
    expect(metrics['ws_messages_sent']?.sum).toBe(seen.messagesReceived - before.messagesReceived);
    expect(metrics['ws_messages_received']?.sum).toBe(seen.messagesSent - before.messagesSent);
    expect(metrics['ws_rtt_ms']?.count).toBe(6 * total.count);
    expect(metrics['ws_rtt_ms']?.min).toBeGreaterThanOrEqual(20);
    expect(
      document.thresholds.filter((threshold) => threshold.metric !== undefined).map((threshold) => [threshold.metric, threshold.passed]),
    ).toEqual([
      ['ws_rtt_ms', true],
      ['ws_connect_ms', true],
    ]);
    const html = await readFile(join(dir, 'websocket.html'), 'utf8');
    for (const name of ['ws_connect_ms', 'ws_rtt_ms', 'ws_messages_sent', 'ws_messages_received']) expect(html).toContain(name);
  });

  it('checks.yml: every kind of check passes, zero failures', async () => {
    const { document } = await runExample('checks', '1s');
    const total = document.summary.total;
    expect(total.failures).toBe(0);
    expect(total.errors).toEqual({});
    expect(total.count).toBeGreaterThan(0);
    for (const request of document.summary.requests) {
      expect(request.count, request.name).toBeGreaterThan(0);
      expect(request.failures, request.name).toBe(0);
    }
  });

  it('signed.yml: a before_request hook signs every body, POST /signed accepts each one', async () => {
    const { document, requestsServed } = await runExample('signed', '1s', { USERS: '2' });
    const total = document.summary.total;
    expect(total.count).toBeGreaterThan(10);
    expect(total.failures).toBe(0);
    expect(total.errors).toEqual({});
    // A 401 (a missing or wrong signature) would show here; every request served was answered 200.
    expect(total.statusCodes).toEqual({ '200': total.count });
    expect(requestsServed).toBe(total.count);
  });

  it('oauth.yml: tokens of 2 s refreshed before they expire over 6 s in 2 worker threads, zero 401s', async () => {
    const { document, requestsServed } = await runExample('oauth', '6s');
    const total = document.summary.total;
    expect(total.count).toBeGreaterThan(20);
    expect(total.failures).toBe(0);
    expect(total.errors).toEqual({});
    expect(total.statusCodes).toEqual({ '200': total.count });
    // 4 users × at least 3 tokens each (6 s / 2 s, refreshed at 1.5 s) beside the measured requests.
    expect(requestsServed - total.count).toBeGreaterThanOrEqual(4 * 3);
  });

  it('shop.yml: three scenarios at once, each with its planned load, zero failures', async () => {
    const { document, requestsServed } = await runExample('shop', '1s');
    const total = document.summary.total;
    expect(total.failures).toBe(0);
    expect(requestsServed).toBe(total.count);
    const scenarios = Object.fromEntries((document.summary.scenarios ?? []).map((part) => [part.name, part]));
    // checkout: 5 arrivals a second for 1 s, three requests each; smoke: 5 iterations of one request.
    expect(scenarios['checkout']?.count).toBe(15);
    expect(scenarios['smoke']?.count).toBe(5);
    expect(scenarios['browse']?.count).toBe(total.count - 20);
    expect(document.thresholds.map((threshold) => [threshold.key, threshold.scenario, threshold.passed])).toEqual([
      ['max_error_rate', undefined, true],
      ['p95_latency_ms', 'checkout', true],
    ]);
  });

  it('sse.yml: event streams until done and token streams, every event the server wrote counted, zero failures', async () => {
    const before = server.streamCounts();
    const { document } = await runExample('sse', '1s', { USERS: '2' });
    const after = server.streamCounts();
    expect(document.summary.total.failures).toBe(0);
    const sum = (name: string): number | undefined => document.summary.metrics?.find((metric) => metric.name === name)?.sum;
    expect(sum('sse_events')).toBeGreaterThan(0);
    expect(sum('sse_events')).toBe(after.sseEvents - before.sseEvents);
    expect(sum('stream_chunks')).toBe(after.chunks - before.chunks);
    expect(document.thresholds.every((threshold) => threshold.passed)).toBe(true);
  });
});
