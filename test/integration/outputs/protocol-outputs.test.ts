import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startGrpcServer } from '../../../src/target/grpc-server.js';
import type { GrpcTargetServer } from '../../../src/target/grpc-server.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';

/**
 * The ws:, sse: and grpc: steps in one flow, with a JSON Lines output: each step is counted like a request (by
 * name, gRPC statuses by name) and its built-in metrics stream with the custom metrics, the intervals adding up
 * to the results file, and the results to the servers' own counts.
 */

const ECHO_PROTO = fileURLToPath(new URL('../../../schemas/echo.proto', import.meta.url));
const USERS = 2;
const ITERATIONS = 6;

let dir: string;
let target: TargetServer;
let grpc: GrpcTargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-protocol-outputs-'));
  target = await startTargetServer({ port: 0 });
  grpc = await startGrpcServer({ port: 0 });
});
afterAll(async () => {
  await grpc.close();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

interface IntervalLine {
  readonly kind: 'interval';
  readonly requests: number;
  readonly byRequest: Record<string, { requests: number; failures: number }>;
  readonly metrics?: Record<string, { count: number; sum: number }>;
}

describe('protocol steps and the streaming outputs', () => {
  it('ws, sse and grpc steps: counts and built-in metrics stream, add up to the results and to the servers', async () => {
    await writeFile(
      join(dir, 'protocols.yml'),
      [
        'target: ${TARGET_URL}',
        `proto: ${JSON.stringify(ECHO_PROTO)}`,
        'flows:',
        '  - name: all',
        '    steps:',
        '      - name: chat',
        '        ws: /ws/echo',
        '        steps:',
        `          - send: '{"type":"hello"}'`,
        '          - expect: {json: $.type, equals: hello, within: 5s}',
        '          - send_every: {message: ping, interval: 10ms, count: 3, expect: {text: ping}}',
        '      - name: events',
        '        sse: /sse?events=4&interval_ms=5',
        '        until: {event: done}',
        '      - name: echo',
        '        grpc: loadseed.echo.Echo/Unary',
        '        url: ${GRPC_URL}',
        '        message: {message: hi}',
        `load: {profile: constant, users: ${USERS}, iterations: ${ITERATIONS}}`,
        'report: {html: false}',
        '',
      ].join('\n'),
    );
    const wsBefore = target.wsCounts();
    const sseBefore = target.streamCounts();
    const grpcBefore = grpc.calls('Unary');
    const out = await runCliInProcess(['run', 'protocols.yml', '--quiet', '--out', 'protocols.json', '--output', 'jsonl=protocols.jsonl'], {
      cwd: dir,
      env: { TARGET_URL: target.url, GRPC_URL: grpc.url },
    });
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(await readFile(join(dir, 'protocols.json'), 'utf8')) as ResultsDocument;

    // Each step once per iteration, a success, under its name; gRPC's status by name.
    const byName = Object.fromEntries(doc.summary.requests.map((stats) => [stats.name, stats]));
    for (const name of ['chat', 'events', 'echo']) {
      expect(byName[name]?.count, name).toBe(ITERATIONS);
      expect(byName[name]?.failures, name).toBe(0);
    }
    expect(byName['chat']?.statusCodes).toEqual({ '101': ITERATIONS });
    expect(byName['events']?.statusCodes).toEqual({ '200': ITERATIONS });
    expect(byName['echo']?.statusCodes).toEqual({ OK: ITERATIONS });

    // The built-in metrics against the servers' own counts.
    const metric = (name: string): { count: number; sum: number } => {
      const found = doc.summary.metrics?.find((one) => one.name === name);
      if (found === undefined) throw new Error(`no metric ${name}`);
      return found;
    };
    const ws = target.wsCounts();
    expect(ws.upgrades - wsBefore.upgrades).toBe(ITERATIONS);
    expect(metric('ws_messages_sent').sum).toBe(ws.messagesReceived - wsBefore.messagesReceived);
    expect(metric('ws_messages_sent').sum).toBe(ITERATIONS * 4);
    expect(metric('ws_rtt_ms').count).toBe(ITERATIONS * 4);
    const sse = target.streamCounts();
    expect(sse.sseStreams - sseBefore.sseStreams).toBe(ITERATIONS);
    expect(metric('sse_events').sum).toBe(sse.sseEvents - sseBefore.sseEvents);
    expect(grpc.calls('Unary') - grpcBefore).toBe(ITERATIONS);
    expect(metric('grpc_messages_received').sum).toBe(ITERATIONS);

    // The stream: intervals add up to the results, for the steps and for every metric; the summary has them.
    const lines = (await readFile(join(dir, 'protocols.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string });
    const intervals = lines.filter((line): line is IntervalLine => line.kind === 'interval');
    for (const name of ['chat', 'events', 'echo']) {
      expect(
        intervals.reduce((sum, line) => sum + (line.byRequest[name]?.requests ?? 0), 0),
        name,
      ).toBe(ITERATIONS);
    }
    for (const one of doc.summary.metrics ?? []) {
      expect(
        intervals.reduce((sum, line) => sum + (line.metrics?.[one.name]?.count ?? 0), 0),
        one.name,
      ).toBe(one.count);
      expect(
        intervals.reduce((sum, line) => sum + (line.metrics?.[one.name]?.sum ?? 0), 0),
        one.name,
      ).toBeCloseTo(one.sum, 6);
    }
    const summary = lines.at(-1) as { kind: string; metrics?: unknown };
    expect(summary.kind).toBe('summary');
    expect(summary.metrics).toEqual(doc.summary.metrics);
  });
});
