import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_PROTO_PATH } from '../../../src/assets.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import type { ResultsDocument, StatsDocument } from '../../../src/results/results-document.js';
import { startGrpcServer } from '../../../src/target/grpc-server.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { GrpcTargetServer } from '../../../src/target/grpc-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { closedPort } from '../engine/servers.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * grpc: steps run by the CLI in-process against the built-in gRPC echo target on loopback: latency against the
 * delay the server imposes, counts against the server's own, statuses and faults by category, thresholds,
 * workers, shards and merge.
 */

let server: GrpcTargetServer;
let dir: string;

beforeAll(async () => {
  server = await startGrpcServer();
  dir = await mkdtemp(join(tmpdir(), 'loadseed-grpc-'));
  await copyFile(ECHO_PROTO_PATH, join(dir, 'echo.proto'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function run(...argv: string[]): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env: { GRPC_TARGET: server.url } });
}

/** A scenario file of grpc steps (YAML lines) against the test's server; `report` names its results file. */
async function scenario(name: string, lines: readonly string[]): Promise<string> {
  await writeFile(join(dir, `${name}.yml`), [`name: ${name}`, 'target: ${GRPC_TARGET}', 'proto: ./echo.proto', ...lines, ''].join('\n'));
  return `${name}.yml`;
}

async function results(file: string): Promise<ResultsDocument> {
  const document: unknown = JSON.parse(await readFile(join(dir, file), 'utf8'));
  expect(resultsSchemaProblems(document)).toEqual([]);
  return document as ResultsDocument;
}

function request(document: ResultsDocument, name: string): StatsDocument {
  const stats = document.summary.requests.find((each) => each.name === name);
  if (stats === undefined) throw new Error(`no request ${name} in ${document.summary.requests.map((each) => each.name).join(', ')}`);
  return stats;
}

const DELAY_MS = 20;

describe('grpc: steps', () => {
  it('measures a unary method at the delay the server imposed, and calls it as often as the server counted', async () => {
    const file = await scenario('unary', [
      'variables: {who: ann}',
      'flows:',
      '  - name: rpc',
      '    steps:',
      '      - name: echo',
      '        grpc: loadseed.echo.Echo/Unary',
      `        message: {message: "hi {{ who }}", delay_ms: ${DELAY_MS}}`,
      '        metadata: {x-user: "{{ who }}"}',
      'load: {profile: constant, users: 2, duration: 1s}',
      'sla: {requests: {echo: {p95_latency_ms: 5000}}}',
      'report: {json: unary.json, html: false}',
    ]);
    const before = server.calls('Unary');
    const { value: out, lateMs } = await withLoopDelay(() => run('run', file));
    expect(out.stderr).not.toContain('Error');
    expect(out.code).toBe(0);
    const document = await results('unary.json');
    const echo = request(document, 'echo');
    expect(echo.count).toBe(server.calls('Unary') - before);
    expect(echo.count).toBeGreaterThan(10);
    expect(echo.statusCodes).toEqual({ OK: echo.count });
    expect(echo.failures).toBe(0);
    expect(echo.latencyMs.p50).toBeGreaterThanOrEqual(DELAY_MS);
    expect(echo.latencyMs.p50).toBeLessThanOrEqual(DELAY_MS + 1 + lateMs);
    const metrics = document.summary.metrics ?? [];
    expect(metrics.find((metric) => metric.name === 'grpc_messages_received')?.sum).toBe(echo.count);
    expect(out.stdout).toContain(`OK: ${echo.count}`);
  });

  it('counts the statuses a server answers, a closed port as connection_refused, a deadline as timeout, and goes on', async () => {
    const port = await closedPort();
    const file = await scenario('faults', [
      'flows:',
      '  - name: rpc',
      '    steps:',
      '      - {name: ok, grpc: loadseed.echo.Echo/Unary, message: {message: a}}',
      '      - {name: unavailable, grpc: loadseed.echo.Echo/Unary, message: {fail_code: 14}}',
      '      - {name: not_found_expected, grpc: loadseed.echo.Echo/Unary, message: {fail_code: 5}, expect: {status: [OK, NOT_FOUND]}}',
      `      - {name: refused, grpc: loadseed.echo.Echo/Unary, url: "grpc://127.0.0.1:${port}"}`,
      '      - {name: slow, grpc: loadseed.echo.Echo/Unary, message: {delay_ms: 5000}, timeout: 100ms}',
      '      - {name: stream, grpc: loadseed.echo.Echo/ServerStream, message: {count: 3, delay_ms: 1, fail_code: 15}}',
      'load: {profile: constant, users: 1, iterations: 4}',
      'sla: false',
      'report: {json: faults.json, html: false}',
    ]);
    const before = { unary: server.calls('Unary'), stream: server.calls('ServerStream'), streamed: server.messagesStreamed() };
    const out = await run('run', file);
    expect(out.code).toBe(0);
    const document = await results('faults.json');
    const ok = request(document, 'ok');
    const iterations = ok.count;
    expect(iterations).toBeGreaterThan(0);
    for (const name of ['unavailable', 'not_found_expected', 'refused', 'slow', 'stream'])
      expect(request(document, name).count, name).toBe(iterations);
    expect(ok.statusCodes).toEqual({ OK: iterations });
    expect(request(document, 'unavailable')).toMatchObject({ statusCodes: { UNAVAILABLE: iterations }, failures: iterations });
    expect(request(document, 'not_found_expected')).toMatchObject({ statusCodes: { NOT_FOUND: iterations }, failures: 0 });
    expect(request(document, 'refused')).toMatchObject({
      statusCodes: {},
      failures: iterations,
      errors: { connection_refused: iterations },
    });
    expect(request(document, 'slow')).toMatchObject({ statusCodes: {}, failures: iterations, errors: { timeout: iterations } });
    expect(request(document, 'stream')).toMatchObject({ statusCodes: { DATA_LOSS: iterations }, failures: iterations });
    // The server saw every call but the refused ones: ok, unavailable, not_found_expected and slow.
    expect(server.calls('Unary') - before.unary).toBe(4 * iterations);
    expect(server.calls('ServerStream') - before.stream).toBe(iterations);
    const received = document.summary.metrics?.find((metric) => metric.name === 'grpc_messages_received')?.sum;
    // Replies: ok's one per call, and the stream's three.
    expect(received).toBe(iterations + (server.messagesStreamed() - before.streamed));
    expect(document.summary.total.statusCodes).toMatchObject({
      OK: iterations,
      UNAVAILABLE: iterations,
      NOT_FOUND: iterations,
      DATA_LOSS: iterations,
    });
  });
});

describe('grpc: steps at scale and in bad files', () => {
  const unaryFile = (name: string, extra: readonly string[]): Promise<string> =>
    scenario(name, [
      'flows:',
      '  - name: rpc',
      '    steps:',
      '      - name: echo',
      '        grpc: loadseed.echo.Echo/Unary',
      '        message: {message: hi, delay_ms: 5}',
      ...extra,
    ]);

  it('judges per-method and built-in metric thresholds: exit 0 when met, 1 when not', async () => {
    const met = await unaryFile('met', [
      'load: {profile: constant, users: 1, iterations: 10}',
      'sla: {requests: {echo: {p95_latency_ms: 5000}}, metrics: {grpc_first_message_ms: {p95: 5000}}}',
      'report: {json: met.json, html: false}',
    ]);
    const metOut = await run('run', met);
    expect(metOut.code, metOut.stderr).toBe(0);
    const violated = await unaryFile('violated', [
      'load: {profile: constant, users: 1, iterations: 10}',
      // The server waits 5 ms: no call can be under 1 ms.
      'sla: {requests: {echo: {p95_latency_ms: 1}}}',
      'report: {json: violated.json, html: false}',
    ]);
    const out = await run('run', violated);
    expect(out.code).toBe(1);
    expect((await results('violated.json')).verdict).toBe('failed');
  });

  it('sends exactly the planned calls with two shards, merged', async () => {
    const sharded = await unaryFile('sharded', ['load: {profile: constant, users: 4, iterations: 41}', 'sla: false']);
    const before = server.calls('Unary');
    for (const index of [1, 2]) {
      const out = await run('run', sharded, '--shard', `${index}/2`, '--out', `sharded-${index}.json`, '--quiet');
      expect(out.code, out.stderr).toBe(0);
    }
    const merged = await run('merge', 'sharded-1.json', 'sharded-2.json', '-o', 'sharded.json');
    expect(merged.code, merged.stderr).toBe(0);
    expect(server.calls('Unary') - before).toBe(41);
    const mergedDocument = await results('sharded.json');
    expect(request(mergedDocument, 'echo')).toMatchObject({ count: 41, statusCodes: { OK: 41 } });
    expect(mergedDocument.summary.metrics?.find((metric) => metric.name === 'grpc_messages_received')?.sum).toBe(41);
  });

  it('refuses a bad proto, an unknown service or method, a field the message lacks: exit 2, located, nothing sent', async () => {
    await writeFile(join(dir, 'broken.proto'), 'syntax = "proto3";\nmessage X { string m = 1 }\n');
    const file = await scenario('bad', [
      'flows:',
      '  - name: rpc',
      '    steps:',
      '      - grpc: loadseed.echo.Echoo/Unary',
      '      - grpc: loadseed.echo.Echo/Unar',
      '      - grpc: loadseed.echo.Echo/Unary',
      '        message: {mesage: hi}',
      '      - grpc: loadseed.echo.Echo/Unary',
      '        proto: ./broken.proto',
      'load: {profile: constant, users: 1, iterations: 1}',
    ]);
    const before = server.calls('Unary');
    const out = await run('run', file);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      'bad.yml:7:15  flows[0].steps[0].grpc  no service loadseed.echo.Echoo in ./echo.proto (its services: loadseed.echo.Echo); did you mean loadseed.echo.Echo?',
    );
    expect(out.stderr).toContain(
      'bad.yml:8:15  flows[0].steps[1].grpc  no method Unar in service loadseed.echo.Echo (its methods: Unary, ServerStream); did you mean Unary?',
    );
    expect(out.stderr).toContain(
      'bad.yml:10:19  flows[0].steps[2].message.mesage  EchoRequest has no field mesage (its fields: message, delay_ms, count, fail_code); did you mean message?',
    );
    expect(out.stderr).toMatch(/bad\.yml:12:16 {2}flows\[0\]\.steps\[3\]\.proto {2}cannot load the proto \.\/broken\.proto: .*line 2/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(server.calls('Unary')).toBe(before);
  });
});

describe('a gRPC server that drops the connection mid-stream', () => {
  it('counts the stream as connection_reset, once per call', async () => {
    let calls = 0;
    const sockets = new Set<Socket>();
    // Answers every call with its headers and one message (an empty EchoReply), then drops the connection.
    const resetting = createHttp2Server((request, response) => {
      calls += 1;
      request.resume();
      response.writeHead(200, { 'content-type': 'application/grpc' });
      response.write(Buffer.from([0, 0, 0, 0, 0]), () => {
        for (const socket of sockets) socket.destroy();
      });
    });
    resetting.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const port = (resetting.address() as AddressInfo).port;
    try {
      const file = await scenario('reset', [
        'flows:',
        '  - name: rpc',
        '    steps:',
        `      - {name: stream, grpc: loadseed.echo.Echo/ServerStream, url: "grpc://127.0.0.1:${port}", message: {count: 5}, timeout: 3s}`,
        'load: {profile: constant, users: 1, iterations: 3}',
        'sla: false',
        'report: {json: reset.json, html: false}',
      ]);
      const out = await run('run', file);
      expect(out.code, out.stderr).toBe(0);
      const stream = request(await results('reset.json'), 'stream');
      expect(stream).toMatchObject({ count: 3, failures: 3, statusCodes: {}, errors: { connection_reset: 3 } });
      expect(calls).toBe(3);
    } finally {
      resetting.close();
    }
  });
});

describe('a flow of gRPC and HTTP steps', () => {
  it('gives up a slow HTTP step after a gRPC one at its own timeout, each counted once', async () => {
    const http = await startTargetServer();
    try {
      const file = await scenario('mixed', [
        'flows:',
        '  - name: rpc',
        '    steps:',
        '      - {name: echo, grpc: loadseed.echo.Echo/Unary, message: {message: a}}',
        `      - {name: slow http, url: "${http.url}/delay/3000", timeout: 100ms}`,
        'load: {profile: constant, users: 1, iterations: 3}',
        'sla: false',
        'report: {json: mixed.json, html: false}',
      ]);
      const out = await run('run', file);
      expect(out.code, out.stderr).toBe(0);
      const document = await results('mixed.json');
      expect(request(document, 'echo')).toMatchObject({ count: 3, statusCodes: { OK: 3 } });
      expect(request(document, 'slow http')).toMatchObject({ count: 3, failures: 3, errors: { timeout: 3 } });
      // Given up at 100 ms, not waited out for the 3 s the server takes.
      expect(request(document, 'slow http').latencyMs.max).toBeLessThan(3000);
    } finally {
      await http.close();
    }
  });
});
