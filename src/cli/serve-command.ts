import { ExitCode, UsageError } from '../errors.js';
import { startTargetServer } from '../target/target-server.js';
import type { GrpcTargetServer } from '../target/grpc-server.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `loadseed serve`: the built-in target until SIGINT/SIGTERM, then a clean stop (exit 0). */
export async function serveCommand(
  options: { readonly port: string; readonly host: string; readonly grpc?: string | undefined },
  globals: GlobalOptions,
  io: CliIo,
): Promise<ExitCode> {
  const port = Number(options.port);
  if (!/^[0-9]+$/.test(options.port) || port > 65_535) {
    throw new UsageError(`--port must be a port number from 0 to 65535 (got "${options.port}")`);
  }
  const grpcPort = options.grpc === undefined ? undefined : grpcPortOf(options.grpc);
  const c = colorsFor(io.stderr, io.env, !globals.color);
  let server;
  try {
    server = await startTargetServer({ port, host: options.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`port ${port} on ${options.host} is already in use: pick another with --port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on host "${options.host}" (${code})`);
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on port ${port}: pick one above 1023`);
    throw error;
  }
  const grpcServer = grpcPort === undefined ? undefined : await startGrpcTarget(grpcPort, options.host, server);
  if (!LOOPBACK.has(options.host)) {
    io.stderr.write(c.yellow(`warning: listening on ${options.host}: other machines may reach this server\n`));
  }
  // The URL goes to stdout alone, so scripts can read it; the rest is for people.
  io.stdout.write(`${server.url}\n`);
  if (grpcServer !== undefined) io.stdout.write(`${grpcServer.url}\n`);
  io.stderr.write(
    `${c.green('loadseed target')} listening on ${c.bold(server.url)} — routes: / /delay/:ms /status/:code /json /bytes/:n /echo /flaky?rate= /latency?mean=&p99= /headers /redirect?to= /ws/echo (WebSocket) /sse?events=&interval_ms= (Server-Sent Events) /stream?chunks=&interval_ms= and a demo API: POST /login, /me, /cart, POST /cart/items (Ctrl-C to stop)\n`,
  );
  if (grpcServer !== undefined) {
    io.stderr.write(
      `${c.green('loadseed gRPC target')} listening on ${c.bold(grpcServer.url)} — service loadseed.echo.Echo (Unary, ServerStream) of schemas/echo.proto\n`,
    );
  }
  if (!io.signal.aborted) {
    await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  await Promise.all([server.close(), grpcServer?.close()]);
  io.stderr.write(`stopped after ${server.requestCount()} requests\n`);
  if (grpcServer !== undefined)
    io.stderr.write(`stopped after ${grpcServer.calls('Unary') + grpcServer.calls('ServerStream')} gRPC calls\n`);
  return ExitCode.Ok;
}

function grpcPortOf(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65_535) throw new UsageError(`--grpc must be a port number from 0 to 65535 (got "${text}")`);
  return port;
}

/** The gRPC echo target beside the HTTP one (loaded only with --grpc); the HTTP one is closed if it cannot start. */
async function startGrpcTarget(port: number, host: string, httpServer: { close(): Promise<void> }): Promise<GrpcTargetServer> {
  try {
    return await (await import('../target/grpc-server.js')).startGrpcServer({ port, host });
  } catch (error) {
    await httpServer.close();
    // grpc-js reports a failed bind as an Error naming no errno ("No address added out of total 1 resolved").
    throw new UsageError(`cannot serve gRPC on ${host}:${port}: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
}
