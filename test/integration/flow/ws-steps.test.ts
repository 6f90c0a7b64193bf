import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import type { WsEchoCounts } from '../../../src/target/ws-echo.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { closedPort } from '../engine/servers.js';
import { runBuiltCliInProcess, runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * `ws:` steps end to end, in-process (`main`), against the built-in target's /ws/echo, which counts upgrades and
 * messages itself and measures how long it held each reply: the run's figures are checked against those.
 */

let dir: string;
let server: TargetServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-ws-'));
  server = await startTargetServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function run(...argv: string[]): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env: { TARGET_URL: server.url } });
}

/** Worker threads run the compiled engine, so a run with `workers: 2` goes through the built CLI, in-process all the same. */
function runBuilt(...argv: string[]): Promise<InProcessOutcome> {
  return runBuiltCliInProcess(argv, { cwd: dir, env: { TARGET_URL: server.url } });
}

async function results(name: string): Promise<ResultsDocument> {
  return JSON.parse(await readFile(join(dir, name), 'utf8')) as ResultsDocument;
}

/** A chat session: hello, its room captured, `pings` pings each awaiting its echo, then close. */
function chatSteps(query: string, pings: number): string[] {
  return [
    '      - name: chat',
    `        ws: /ws/echo${query}`,
    '        steps:',
    `          - send: '{"type":"hello","user":"{{ user }}"}'`,
    '          - expect: {json: $.type, equals: hello, within: 2s}',
    '          - capture: {as: room, json: $.room}',
    `          - send_every: {message: 'ping {{ room }}', interval: 10ms, count: ${pings}, expect: {text: 'ping {{ room }}'}}`,
    '          - close: {}',
  ];
}

async function writeScenario(name: string, lines: readonly string[]): Promise<string> {
  await writeFile(join(dir, `${name}.yml`), [...lines, ''].join('\n'));
  return `${name}.yml`;
}

function since(before: WsEchoCounts): WsEchoCounts {
  const after = server.wsCounts();
  return {
    upgrades: after.upgrades - before.upgrades,
    messagesReceived: after.messagesReceived - before.messagesReceived,
    messagesSent: after.messagesSent - before.messagesSent,
  };
}

function metric(document: ResultsDocument, name: string) {
  const found = document.summary.metrics?.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`no metric ${name} in the results`);
  return found;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1] ?? Number.NaN;
}

/** The scenario of the main test: `users` users, `iterations` chat sessions of 1 hello + 4 pings. */
function chatScenario(name: string, options: { readonly query?: string; readonly extra?: readonly string[]; readonly load?: string } = {}) {
  return writeScenario(name, [
    `name: ${name}`,
    'target: ${TARGET_URL}',
    'variables: {user: ada}',
    'workers: 1',
    'flows:',
    '  - name: chat',
    '    steps:',
    ...chatSteps(options.query ?? '', 4),
    `load: ${options.load ?? '{profile: constant, users: 2, iterations: 12}'}`,
    ...(options.extra ?? []),
    `report: {json: ${name}.json, html: false}`,
  ]);
}

describe('ws steps against /ws/echo', () => {
  it('measures the round trip to within 1 ms of the delay the server held each reply, and counts exactly what it saw', async () => {
    const before = server.wsCounts();
    const heldBefore = server.wsHeldMs().length;
    const file = await chatScenario('rtt', { query: '?delay_ms=20' });
    const { value: out, lateMs } = await withLoopDelay(() => run('run', file));
    expect(out.code, out.stderr).toBe(0);
    const document = await results('rtt.json');
    const seen = since(before);
    const held = server.wsHeldMs().slice(heldBefore);

    // 12 sessions × (1 hello + 4 pings), every reply awaited.
    expect(seen).toEqual({ upgrades: 12, messagesReceived: 60, messagesSent: 60 });
    const total = document.summary.total;
    expect(total.count).toBe(seen.upgrades);
    expect(total.statusCodes).toEqual({ '101': 12 });
    expect(total.failures).toBe(0);
    expect(metric(document, 'ws_messages_sent').sum).toBe(seen.messagesReceived);
    expect(metric(document, 'ws_messages_received').sum).toBe(seen.messagesSent);
    expect(metric(document, 'ws_connect_ms').count).toBe(12);

    const rtt = metric(document, 'ws_rtt_ms');
    expect(rtt.count).toBe(60);
    const heldP50 = median(held);
    expect(heldP50).toBeGreaterThanOrEqual(20);
    // A round trip holds the server's wait and two loopback hops: never below it, at most 1 ms (and the
    // loop delay this busy machine added) above it.
    expect(rtt.p50).toBeGreaterThanOrEqual(heldP50 - 0.01);
    expect(rtt.p50).toBeLessThanOrEqual(heldP50 + 1 + lateMs);
    // The session spans its five round trips.
    expect(total.latencyMs.p50).toBeGreaterThanOrEqual(5 * 20);
  });

  it('judges ws_rtt_ms thresholds (exit 0 and 1) and a per-step threshold on the session', async () => {
    const passing = await chatScenario('sla-pass', {
      extra: ['sla: {max_error_rate: 0, metrics: {ws_rtt_ms: {p95: 5000}}, requests: {chat: {p95_latency_ms: 10000}}}'],
      load: '{profile: constant, users: 1, iterations: 3}',
    });
    const ok = await run('run', passing);
    expect(ok.code, ok.stderr).toBe(0);
    const passed = await results('sla-pass.json');
    expect(
      passed.thresholds.filter((threshold) => threshold.metric === 'ws_rtt_ms').map(({ key, limit, passed }) => ({ key, limit, passed })),
    ).toEqual([{ key: 'p95', limit: 5000, passed: true }]);
    const rtt = metric(passed, 'ws_rtt_ms');
    expect(passed.thresholds.find((threshold) => threshold.metric === 'ws_rtt_ms')?.measured).toBeCloseTo(rtt.p95 ?? Number.NaN, 2);
    expect(passed.thresholds.find((threshold) => threshold.request === 'chat')?.passed).toBe(true);

    const failing = await chatScenario('sla-fail', {
      query: '?delay_ms=5',
      extra: ['sla: {metrics: {ws_rtt_ms: {p95: 1}}}'],
      load: '{profile: constant, users: 1, iterations: 2}',
    });
    const violated = await run('run', failing);
    expect(violated.code, violated.stderr).toBe(1);
    const document = await results('sla-fail.json');
    expect(document.thresholds.find((threshold) => threshold.metric === 'ws_rtt_ms')?.passed).toBe(false);

    const perStep = await chatScenario('sla-step', {
      query: '?delay_ms=5',
      extra: ['sla: {requests: {chat: {p50_latency_ms: 1}}}'],
      load: '{profile: constant, users: 1, iterations: 2}',
    });
    expect((await run('run', perStep)).code).toBe(1);
    const step = await results('sla-step.json');
    expect(step.thresholds.find((threshold) => threshold.request === 'chat')).toMatchObject({ key: 'p50_latency_ms', passed: false });
  });

  it('with workers: 2, and as two shards merged, counts exactly what the server saw', async () => {
    const before = server.wsCounts();
    const file = await writeScenario('workers', [
      'name: workers',
      'target: ${TARGET_URL}',
      'variables: {user: ada}',
      'workers: 2',
      'flows:',
      '  - name: chat',
      '    steps:',
      ...chatSteps('', 2),
      'load: {profile: constant, users: 4, iterations: 20}',
      'report: {json: workers.json, html: false}',
    ]);
    const out = await runBuilt('run', file);
    expect(out.code, out.stderr).toBe(0);
    const seen = since(before);
    expect(seen).toEqual({ upgrades: 20, messagesReceived: 60, messagesSent: 60 });
    const document = await results('workers.json');
    expect(document.summary.total.statusCodes).toEqual({ '101': 20 });
    expect(metric(document, 'ws_messages_sent').sum).toBe(60);
    expect(metric(document, 'ws_messages_received').sum).toBe(60);
    expect(metric(document, 'ws_rtt_ms').count).toBe(60);

    const shardsBefore = server.wsCounts();
    const sharded = await chatScenario('sharded', { load: '{profile: constant, users: 4, iterations: 21}' });
    for (const index of [1, 2]) {
      const shard = await run('run', sharded, '--shard', `${index}/2`, '--out', `sharded-${index}.json`, '--quiet');
      expect(shard.code, shard.stderr).toBe(0);
    }
    const merged = await run('merge', 'sharded-1.json', 'sharded-2.json', '-o', 'sharded.json');
    expect(merged.code, merged.stderr).toBe(0);
    const shardsSeen = since(shardsBefore);
    expect(shardsSeen).toEqual({ upgrades: 21, messagesReceived: 105, messagesSent: 105 });
    const doc = await results('sharded.json');
    expect(doc.summary.total.statusCodes).toEqual({ '101': 21 });
    expect(metric(doc, 'ws_messages_sent').sum).toBe(105);
    expect(metric(doc, 'ws_messages_received').sum).toBe(105);
    expect(metric(doc, 'ws_rtt_ms').count).toBe(105);
  });

  it('counts faults by category, and the run goes on: refused, reset mid-session, an expect timed out, a strict miss, a 404', async () => {
    const port = await closedPort();
    const before = server.wsCounts();
    const file = await writeScenario('faults', [
      'name: faults',
      'target: ${TARGET_URL}',
      'workers: 1',
      'flows:',
      '  - name: faults',
      '    steps:',
      `      - {name: refused, ws: 'ws://127.0.0.1:${port}/ws/echo', steps: [{send: a}]}`,
      // The server answers one message, then resets: the second expect loses the connection.
      '      - {name: reset, ws: /ws/echo?reset_after=1, steps: [{send: a}, {expect: {text: a}}, {expect: {text: b}}]}',
      '      - {name: silent, ws: /ws/echo, steps: [{expect: {text: never, within: 50ms}}]}',
      '      - {name: strict, ws: /ws/echo, steps: [{send: a}, {expect: {text: b, strict: true}}]}',
      '      - {name: missing, ws: /ws/nowhere, steps: [{send: a}]}',
      '      - {name: fine, ws: /ws/echo, steps: [{send: a}, {expect: {text: a}}]}',
      'load: {profile: constant, users: 1, iterations: 3}',
      'sla: false',
      'report: {json: faults.json, html: false}',
    ]);
    const out = await run('run', file);
    expect(out.code, out.stderr).toBe(0);
    const document = await results('faults.json');
    const byName = Object.fromEntries(document.summary.requests.map((request) => [request.name, request]));
    expect(byName['refused']?.errors).toEqual({ connection_refused: 3 });
    expect(byName['reset']?.errors).toEqual({ connection_reset: 3 });
    expect(byName['silent']?.errors).toEqual({ timeout: 3 });
    expect(byName['strict']?.errors).toEqual({ check: 3 });
    expect(byName['missing']?.statusCodes).toEqual({ '404': 3 });
    expect(byName['missing']?.failures).toBe(3);
    expect(byName['fine']?.successes).toBe(3);
    // Upgrades: reset, silent, strict and fine, three times each (refused never connected, missing got a 404).
    const seen = since(before);
    expect(seen.upgrades).toBe(12);
    expect(document.summary.total.count).toBe(18);
    // Messages: reset 1 (answered, then the reset), strict 1, fine 1: the server saw what the run counted.
    expect(metric(document, 'ws_messages_sent').sum).toBe(seen.messagesReceived);
    expect(metric(document, 'ws_messages_received').sum).toBe(seen.messagesSent);
  });

  it('send_every without expect sends and awaits nothing; the replies are still counted, exactly', async () => {
    const before = server.wsCounts();
    const file = await writeScenario('fire', [
      'name: fire',
      'target: ${TARGET_URL}',
      'workers: 1',
      'flows:',
      '  - name: fire',
      '    steps:',
      '      - {name: fire, ws: /ws/echo, steps: [{send_every: {message: x, interval: 5ms, count: 3}}, {close: {}}]}',
      'load: {profile: constant, users: 2, iterations: 6}',
      'sla: {max_error_rate: 0}',
      'report: {json: fire.json, html: false}',
    ]);
    const out = await run('run', file);
    expect(out.code, out.stderr).toBe(0);
    const document = await results('fire.json');
    expect(since(before)).toEqual({ upgrades: 6, messagesReceived: 18, messagesSent: 18 });
    expect(metric(document, 'ws_messages_sent').sum).toBe(18);
    expect(metric(document, 'ws_messages_received').sum).toBe(18);
    // No expect: no round trip measured.
    expect(metric(document, 'ws_rtt_ms').count).toBe(0);
  });

  it('refuses bad ws steps with exit 2 and a located message', async () => {
    const cases: readonly (readonly [step: string, message: RegExp])[] = [
      ['{ws: /ws/echo, method: POST, steps: [{send: a}]}', /6:\d+ +flows\[0\]\.steps\[0\]\.method +unknown key "method"/],
      [
        '{ws: "http://127.0.0.1:1/ws", steps: [{send: a}]}',
        /flows\[0\]\.steps\[0\]\.ws +expected a path starting with \/ \(on target\) or a ws:\/\/ or wss:\/\/ URL/,
      ],
      ['{ws: /ws/echo}', /flows\[0\]\.steps\[0\] .*steps/],
      ['{ws: /ws/echo, steps: [{send: a, close: {}}]}', /flows\[0\]\.steps\[0\]\.steps\[0\]/],
      ['{ws: /ws/echo, steps: [{capture: {as: x, json: $.a}}]}', /steps\[0\]\.capture +a capture reads the last message an expect matched/],
      ['{ws: /ws/echo, steps: [{expect: {equals: 1}}]}', /steps\[0\]\.expect\.equals +equals compares the value a JSONPath selects/],
      ['{ws: /ws/echo, steps: [{close: {}}, {send: a}]}', /steps\[0\]\.close +close ends the session/],
      ["{ws: /ws/echo, steps: [{send: '{{ nobody }}'}]}", /steps\[0\]\.send +.*nobody/],
    ];
    for (const [index, [step, message]] of cases.entries()) {
      const file = await writeScenario(`bad-${index}`, [
        `name: bad-${index}`,
        'target: ${TARGET_URL}',
        'flows:',
        '  - name: bad',
        '    steps:',
        `      - ${step}`,
        'load: {profile: constant, users: 1, iterations: 1}',
      ]);
      const out = await run('validate', file);
      expect(out.code, `${step}\n${out.stderr}`).toBe(2);
      expect(out.stderr, step).toMatch(message);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
