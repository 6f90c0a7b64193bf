/**
 * The built-in gRPC target (`loadseed serve --grpc PORT`): the `loadseed.echo.Echo` service of
 * schemas/echo.proto on an insecure HTTP/2 port, loopback by default, beside the HTTP target.
 *
 *   Unary(EchoRequest)         one EchoReply {message, index: 0} after delay_ms; with fail_code (1..16) that
 *                              status (message "fail_code N") instead, after the delay
 *   ServerStream(EchoRequest)  count replies (0 means 1; at most 10000) {message, index}, each after delay_ms,
 *                              then OK, or the fail_code status after them
 *
 * Out-of-range fields end the call with INVALID_ARGUMENT at once. It counts its own calls per method and the
 * messages it streamed, for tests to compare with what a run recorded.
 */
import { Server, ServerCredentials, status as GrpcStatus } from '@grpc/grpc-js';
import type { GrpcObject, ServerUnaryCall, ServerWritableStream, ServiceClientConstructor, sendUnaryData } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ECHO_PROTO_PATH } from '../assets.js';

export interface GrpcServerOptions {
  /** Port to listen on; 0 (the default) picks a free port. */
  readonly port?: number;
  /** Interface to listen on; defaults to '127.0.0.1' (loopback only). */
  readonly host?: string;
}

export type EchoMethod = 'Unary' | 'ServerStream';

export interface GrpcTargetServer {
  /** `grpc://host:port`, e.g. 'grpc://127.0.0.1:50051' or 'grpc://[::1]:50051'. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Calls received so far by a method (every one, those that failed included). */
  calls(method: EchoMethod): number;
  /** Replies written so far by ServerStream. */
  messagesStreamed(): number;
  /** Stops at once: cancels pending calls, clears delays, closes every connection. Idempotent. */
  close(): Promise<void>;
}

interface EchoRequest {
  readonly message?: string;
  readonly delay_ms?: number;
  readonly count?: number;
  readonly fail_code?: number;
}

interface EchoReply {
  readonly message: string;
  readonly index: number;
}

const DEFAULT_HOST = '127.0.0.1';
const MAX_DELAY_MS = 60_000;
const MAX_COUNT = 10_000;
/** The last gRPC status code (UNAUTHENTICATED). */
const MAX_STATUS_CODE = 16;

/** The Echo service's definition, read from the shipped proto (the same file scenarios name). */
export function echoServiceDefinition(): ServiceClientConstructor['service'] {
  const definition = loadSync(ECHO_PROTO_PATH, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const root = loadPackageDefinition(definition);
  const echo = ((root['loadseed'] as GrpcObject)['echo'] as GrpcObject)['Echo'] as ServiceClientConstructor;
  return echo.service;
}

/** What the server keeps while it runs; every timer is cleared on close. */
interface EchoState {
  readonly timers: Set<ReturnType<typeof setTimeout>>;
  readonly counts: { Unary: number; ServerStream: number; streamed: number };
}

export async function startGrpcServer(options: GrpcServerOptions = {}): Promise<GrpcTargetServer> {
  const host = options.host ?? DEFAULT_HOST;
  const server = new Server();
  const state: EchoState = { timers: new Set(), counts: { Unary: 0, ServerStream: 0, streamed: 0 } };
  let closed = false;
  server.addService(echoServiceDefinition(), {
    Unary: (call: ServerUnaryCall<EchoRequest, EchoReply>, callback: sendUnaryData<EchoReply>) => unary(state, call, callback),
    ServerStream: (call: ServerWritableStream<EchoRequest, EchoReply>) => serverStream(state, call),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`,
      ServerCredentials.createInsecure(),
      (error, bound) => {
        if (error === null) resolve(bound);
        else reject(error);
      },
    );
  });
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    url: `grpc://${authority}`,
    host,
    port,
    calls: (method) => state.counts[method],
    messagesStreamed: () => state.counts.streamed,
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        for (const timer of state.timers) clearTimeout(timer);
        state.timers.clear();
        server.forceShutdown();
      }
      return Promise.resolve();
    },
  };
}

/** Runs `run` after `delayMs`; the timer is the server's to clear on close, and the returned `cancel` clears it now. */
function later(state: EchoState, delayMs: number, run: () => void): () => void {
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    run();
  }, delayMs);
  state.timers.add(timer);
  return () => {
    clearTimeout(timer);
    state.timers.delete(timer);
  };
}

function unary(state: EchoState, call: ServerUnaryCall<EchoRequest, EchoReply>, callback: sendUnaryData<EchoReply>): void {
  state.counts.Unary += 1;
  const request = call.request;
  const invalid = invalidReason(request);
  if (invalid !== undefined) {
    callback({ code: GrpcStatus.INVALID_ARGUMENT, details: invalid });
    return;
  }
  const cancel = later(state, request.delay_ms ?? 0, () => {
    const failCode = request.fail_code ?? 0;
    if (failCode !== 0) callback({ code: failCode, details: `fail_code ${failCode}` });
    else callback(null, { message: request.message ?? '', index: 0 });
  });
  call.on('cancelled', cancel);
}

function serverStream(state: EchoState, call: ServerWritableStream<EchoRequest, EchoReply>): void {
  state.counts.ServerStream += 1;
  const request = call.request;
  const invalid = invalidReason(request);
  if (invalid !== undefined) {
    call.emit('error', { code: GrpcStatus.INVALID_ARGUMENT, details: invalid });
    return;
  }
  const count = Math.max(1, request.count ?? 0);
  const delayMs = request.delay_ms ?? 0;
  let index = 0;
  let cancelled = false;
  let cancel: () => void;
  const next = (): void => {
    if (cancelled) return;
    if (index < count) {
      state.counts.streamed += 1;
      call.write({ message: request.message ?? '', index });
      index += 1;
      cancel = later(state, delayMs, next);
      return;
    }
    const failCode = request.fail_code ?? 0;
    if (failCode !== 0) call.emit('error', { code: failCode, details: `fail_code ${failCode}` });
    else call.end();
  };
  // Each reply after delay_ms, the first too: a stream's first message comes as late as a unary reply.
  cancel = later(state, delayMs, next);
  call.on('cancelled', () => {
    cancelled = true;
    cancel();
  });
}

function invalidReason(request: EchoRequest): string | undefined {
  const delayMs = request.delay_ms ?? 0;
  if (delayMs > MAX_DELAY_MS) return `delay_ms ${delayMs} is above ${MAX_DELAY_MS}`;
  const count = request.count ?? 0;
  if (count > MAX_COUNT) return `count ${count} is above ${MAX_COUNT}`;
  const failCode = request.fail_code ?? 0;
  if (failCode > MAX_STATUS_CODE) return `fail_code ${failCode} is not a gRPC status code (0..${MAX_STATUS_CODE})`;
  return undefined;
}
