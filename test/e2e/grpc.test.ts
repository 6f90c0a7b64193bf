import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startGrpcServer } from '../../src/target/grpc-server.js';
import type { GrpcTargetServer } from '../../src/target/grpc-server.js';
import { ROOT, runBuiltCli } from './built-cli.js';

/** gRPC steps through the built CLI, in worker threads, against the built-in gRPC echo target (`loadseed serve --grpc`). */

let dir: string;
let server: GrpcTargetServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-grpc-e2e-'));
  server = await startGrpcServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('grpc: steps (built CLI)', () => {
  it('scenarios/grpc.yml runs green as shipped: two methods in 2 worker threads, every call OK, as many as the server counted', async () => {
    const before = { unary: server.calls('Unary'), stream: server.calls('ServerStream'), streamed: server.messagesStreamed() };
    const out = await runBuiltCli(['run', join(ROOT, 'scenarios', 'grpc.yml'), '--out', 'grpc.json', '--html', 'grpc.html', '--quiet'], {
      cwd: dir,
      env: { GRPC_TARGET: server.url, DURATION: '1s', USERS: '2' },
      timeoutMs: 20_000,
    });
    expect(out.code, out.stderr).toBe(0);
    const document = JSON.parse(await readFile(join(dir, 'grpc.json'), 'utf8')) as ResultsDocument;
    const byName = Object.fromEntries(document.summary.requests.map((request) => [request.name, request]));
    const unary = byName['unary'];
    const stream = byName['stream'];
    expect(unary?.count).toBeGreaterThan(0);
    expect(unary?.statusCodes).toEqual({ OK: unary?.count });
    expect(stream?.statusCodes).toEqual({ OK: stream?.count });
    expect(document.summary.total.failures).toBe(0);
    // A call the end of the run cut short reached the server but is counted interrupted, not as a call.
    expect(server.calls('Unary') - before.unary).toBe((unary?.count ?? 0) + (unary?.interrupted ?? 0));
    expect(server.calls('ServerStream') - before.stream).toBe((stream?.count ?? 0) + (stream?.interrupted ?? 0));
    expect(await readFile(join(dir, 'grpc.html'), 'utf8')).toContain('gRPC OK');
  });

  it('workers: 2 send exactly the planned calls', async () => {
    await writeFile(join(dir, 'echo.proto'), await readFile(join(ROOT, 'schemas', 'echo.proto')));
    await writeFile(
      join(dir, 'budget.yml'),
      [
        `target: ${server.url}`,
        'proto: ./echo.proto',
        'flows: [{name: rpc, steps: [{name: echo, grpc: loadseed.echo.Echo/Unary, message: {delay_ms: 2}}]}]',
        'workers: 2',
        'load: {profile: constant, users: 4, iterations: 50}',
        'sla: false',
        '',
      ].join('\n'),
    );
    const before = server.calls('Unary');
    const out = await runBuiltCli(['run', 'budget.yml', '--out', 'budget.json', '--quiet'], { cwd: dir, timeoutMs: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    const document = JSON.parse(await readFile(join(dir, 'budget.json'), 'utf8')) as ResultsDocument;
    expect(server.calls('Unary') - before).toBe(50);
    expect(document.summary.requests[0]).toMatchObject({ name: 'echo', count: 50, statusCodes: { OK: 50 } });
    expect(document.summary.metrics?.find((metric) => metric.name === 'grpc_messages_received')?.sum).toBe(50);
  });
});
