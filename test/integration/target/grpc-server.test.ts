import { Client, credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { echoServiceDefinition, startGrpcServer } from '../../../src/target/grpc-server.js';
import type { GrpcTargetServer } from '../../../src/target/grpc-server.js';

/** The built-in gRPC echo target, called with a plain grpc-js client built from the shipped proto. */
describe('the built-in gRPC target', () => {
  let server: GrpcTargetServer;
  let client: Client;
  const service = echoServiceDefinition();

  beforeAll(async () => {
    server = await startGrpcServer();
    client = new Client(server.url.slice('grpc://'.length), credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  function unary(request: object): Promise<{ error: ServiceError | null; reply: unknown }> {
    const method = service['Unary']!;
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new Metadata(),
        {},
        (error, reply) => resolve({ error: error ?? null, reply }),
      );
    });
  }

  function stream(request: object): Promise<{ replies: unknown[]; code: number }> {
    const method = service['ServerStream']!;
    return new Promise((resolve) => {
      const replies: unknown[] = [];
      const call = client.makeServerStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new Metadata(),
        {},
      );
      call.on('data', (reply: unknown) => replies.push(reply));
      call.on('error', () => undefined);
      call.on('status', (status: { code: number }) => resolve({ replies, code: status.code }));
    });
  }

  it('listens on loopback and prints a grpc:// URL', () => {
    expect(server.url).toBe(`grpc://127.0.0.1:${server.port}`);
  });

  it('echoes a unary call, fails it with fail_code, refuses bad fields, and counts every call', async () => {
    const before = server.calls('Unary');
    const ok = await unary({ message: 'hi', delay_ms: 5 });
    expect(ok.error).toBeNull();
    expect(ok.reply).toEqual({ message: 'hi', index: 0 });
    const failed = await unary({ message: 'hi', fail_code: GrpcStatus.UNAVAILABLE });
    expect(failed.error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(failed.error?.details).toBe('fail_code 14');
    const bad = await unary({ fail_code: 99 });
    expect(bad.error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(server.calls('Unary') - before).toBe(3);
  });

  it('streams count replies then OK, or the fail_code status after them, and counts what it streamed', async () => {
    const before = server.messagesStreamed();
    const ok = await stream({ message: 'tick', count: 3, delay_ms: 1 });
    expect(ok.code).toBe(GrpcStatus.OK);
    expect(ok.replies).toEqual([0, 1, 2].map((index) => ({ message: 'tick', index })));
    const failed = await stream({ message: 'tick', count: 2, fail_code: GrpcStatus.DATA_LOSS });
    expect(failed.code).toBe(GrpcStatus.DATA_LOSS);
    expect(failed.replies).toHaveLength(2);
    expect(server.messagesStreamed() - before).toBe(5);
    expect(server.calls('ServerStream')).toBe(2);
  });
});

describe('loadseed serve --grpc', () => {
  it('prints the gRPC URL after the HTTP one, answers on it, and stops cleanly on the signal', async () => {
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    let printed: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (printed = resolve));
    const io = {
      stdout: {
        write: (text: string) => {
          stdout += text;
          const line = /^http:\/\/127\.0\.0\.1:\d+\n(grpc:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
          if (line !== null) printed(line[1] as string);
        },
      },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NO_COLOR: '1' },
      cwd: process.cwd(),
      signal: controller.signal,
    };
    const exited = main(['serve', '--port', '0', '--grpc', '0'], io);
    const client = new Client((await url).slice('grpc://'.length), credentials.createInsecure());
    const method = echoServiceDefinition()['Unary']!;
    const reply = await new Promise((resolve, reject) => {
      client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, { message: 'x' }, (error, value) =>
        error ? reject(error) : resolve(value),
      );
    });
    client.close();
    expect(reply).toEqual({ message: 'x', index: 0 });
    controller.abort('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('stopped after 1 gRPC calls');
  });

  it('refuses a bad --grpc port with exit 2', async () => {
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      cwd: process.cwd(),
      signal: new AbortController().signal,
    };
    expect(await main(['serve', '--port', '0', '--grpc', '70000'], io)).toBe(2);
    expect(stderr).toContain('--grpc must be a port number from 0 to 65535 (got "70000")');
  });
});
