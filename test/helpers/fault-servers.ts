import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions } from 'node:tls';
import { expect } from 'vitest';
import type { HttpTransport } from '../../src/engine/http-transport.js';
import { httpTransportOf } from '../../src/engine/http-transport.js';
import type { ErrorCategory } from '../../src/metrics/error-category.js';
import { ERROR_CATEGORIES } from '../../src/metrics/error-category.js';
import type { RequestStats } from '../../src/metrics/recorder-snapshot.js';
import type { Plan } from '../../src/plan/build-plan.js';
import type { LoadSpec, RequestSpec, ScenarioData } from '../../src/scenario/types.js';
import { planOf } from '../integration/engine/servers.js';

/**
 * Loopback servers that misbehave on purpose, for fault-injection tests. Every one listens on 127.0.0.1 (port
 * 0 unless told), counts the TCP connections it accepted and the requests it read (a request ends at its blank
 * line: GET-style requests, without a body), and destroys every socket on close.
 */
export type Fault =
  /** A well-behaved server: `200 ok`, kept alive. */
  | { readonly kind: 'ok' }
  /** Every response has this status (and a short body), kept alive. */
  | { readonly kind: 'status'; readonly status: number }
  /** Resets (RST) every connection as soon as it is accepted, before reading anything. */
  | { readonly kind: 'reset-on-accept' }
  /** Sends the head and `sentBytes` of a `bodyBytes` body, waits `resetAfterMs`, then resets the connection. */
  | { readonly kind: 'reset-mid-body'; readonly bodyBytes: number; readonly sentBytes: number; readonly resetAfterMs: number }
  /** Reads requests and never answers (the connection stays open until the client gives it up). */
  | { readonly kind: 'silent' }
  /** Sends the head at once, then the body one byte every `intervalMs`. */
  | { readonly kind: 'trickle'; readonly bodyBytes: number; readonly intervalMs: number }
  /** Answers every request with these raw bytes, as they are (malformed status lines, headers…), kept alive. */
  | { readonly kind: 'raw'; readonly response: string }
  /**
   * Answers the n-th request it reads (counted from 0 over all connections) with `responses[n % length]`, raw
   * and kept alive: odd replies and well-formed ones in turn, to see what follows an odd one.
   */
  | { readonly kind: 'raw-sequence'; readonly responses: readonly string[] }
  /** A `bodyBytes` body, streamed from one reused chunk with backpressure: the server holds no copy. */
  | { readonly kind: 'big-body'; readonly bodyBytes: number }
  /**
   * Answers one request per connection, then closes it: saying so (`connection: close`) when `announce`, or
   * silently (a keep-alive response, then FIN), as servers with a short idle timeout do.
   */
  | { readonly kind: 'close-after-response'; readonly announce: boolean }
  /** Whatever arrives (a TLS ClientHello, say), answers as a plain HTTP server does: 400, then close. */
  | { readonly kind: 'plain-http' }
  /**
   * Answers `200 ok` (kept alive), but every `every`-th request it reads (counted over all connections) it
   * closes the connection without answering: the request was received, and never answered.
   */
  | { readonly kind: 'drop-every'; readonly every: number };

export interface FaultServer {
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests read so far (a head up to its blank line). */
  requests(): number;
  /** Every byte of HTTP received so far (over TLS: decrypted), as latin1 text, chunk by chunk as they came. */
  received(): string;
  close(): Promise<void>;
}

/** A server that can go down (stop listening, drop every connection) and come back on the same port. */
export interface FlappingServer extends FaultServer {
  /** Whether it is listening now. */
  readonly isUp: boolean;
  down(): Promise<void>;
  up(): Promise<void>;
}

export const OK_RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok';

/** A loopback server with the given fault. */
export async function startFaultServer(fault: Fault): Promise<FaultServer> {
  const counts = { connections: 0, requests: 0, received: [] as string[] };
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => accept(socket, fault, counts, sockets));
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => counts.connections,
    requests: () => counts.requests,
    received: () => counts.received.join(''),
    close: () => closeServer(server, sockets),
  };
}

/**
 * A TLS server (HTTP over it answers `fault`, default `ok`) whose certificate and key are the caller's: given
 * a certificate the client does not trust, every handshake fails. `url` is `https://127.0.0.1:port`.
 */
export async function startTlsFaultServer(options: Pick<TlsOptions, 'cert' | 'key'>, fault: Fault = { kind: 'ok' }): Promise<FaultServer> {
  const counts = { connections: 0, requests: 0, received: [] as string[] };
  const sockets = new Set<Socket>();
  // A reset goes to the TCP connection under the TLS one: found by the client's port.
  const tcpByPort = new Map<number, Socket>();
  const reset = (socket: Socket): void => {
    const tcp = socket.remotePort === undefined ? undefined : tcpByPort.get(socket.remotePort);
    if (tcp === undefined) socket.destroy();
    else tcp.resetAndDestroy();
  };
  const server = createTlsServer(options, (socket) => accept(socket, fault, counts, sockets, reset));
  server.on('connection', (socket: Socket) => {
    counts.connections += 1;
    sockets.add(socket);
    const port = socket.remotePort;
    if (port !== undefined) tcpByPort.set(port, socket);
    socket.on('error', ignore);
    socket.once('close', () => {
      sockets.delete(socket);
      if (port !== undefined && tcpByPort.get(port) === socket) tcpByPort.delete(port);
    });
  });
  server.on('tlsClientError', ignore);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    connections: () => counts.connections,
    requests: () => counts.requests,
    received: () => counts.received.join(''),
    close: () => closeServer(server, sockets),
  };
}

/** A `fault` server (default `ok`) that can be taken down and brought back on the same port; counts span both lives. */
export async function startFlappingServer(fault: Fault = { kind: 'ok' }): Promise<FlappingServer> {
  const counts = { connections: 0, requests: 0, received: [] as string[] };
  const sockets = new Set<Socket>();
  let server = createNetServer((socket) => accept(socket, fault, counts, sockets));
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  let isUp = true;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get isUp() {
      return isUp;
    },
    connections: () => counts.connections,
    requests: () => counts.requests,
    received: () => counts.received.join(''),
    async down() {
      if (!isUp) return;
      isUp = false;
      await closeServer(server, sockets);
    },
    async up() {
      if (isUp) return;
      server = createNetServer((socket) => accept(socket, fault, counts, sockets));
      await listen(server, port);
      isUp = true;
    },
    close: async () => {
      if (isUp) await closeServer(server, sockets);
      isUp = false;
    },
  };
}

/** One chunk, reused for every big body: 64 KiB of 'x'. */
const BIG_CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * Serves one connection with `fault`. `reset`: how to reset it, given only for a TLS connection (whose TCP
 * connection the TLS server accepted, counted and tracked itself); a plain one is counted and tracked here.
 */
function accept(
  socket: Socket,
  fault: Fault,
  counts: { connections: number; requests: number; received: string[] },
  sockets: Set<Socket>,
  reset?: (socket: Socket) => void,
): void {
  const resetSocket = reset ?? ((plain: Socket) => plain.resetAndDestroy());
  if (reset === undefined) {
    counts.connections += 1;
    sockets.add(socket);
    socket.on('error', ignore);
    socket.once('close', () => sockets.delete(socket));
  } else {
    socket.on('error', ignore);
  }
  if (fault.kind === 'reset-on-accept') {
    resetSocket(socket);
    return;
  }
  if (fault.kind === 'plain-http') {
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'));
    return;
  }
  let pending = '';
  /** This connection is answering (a body being streamed or trickled), or done with requests. */
  let busy = false;
  const timers = new Set<NodeJS.Timeout>();
  socket.once('close', () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });
  const later = (delayMs: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
  };
  const next = (): void => {
    if (busy || socket.destroyed) return;
    const end = pending.indexOf('\r\n\r\n');
    if (end === -1) return;
    pending = pending.slice(end + 4);
    counts.requests += 1;
    answer();
  };
  const answer = (): void => {
    switch (fault.kind) {
      case 'ok':
        socket.write(OK_RESPONSE);
        next();
        return;
      case 'status':
        socket.write(`HTTP/1.1 ${fault.status} Whatever\r\ncontent-length: 5\r\n\r\nerror`);
        next();
        return;
      case 'raw':
        socket.write(fault.response);
        next();
        return;
      case 'raw-sequence':
        socket.write(fault.responses[(counts.requests - 1) % fault.responses.length] as string);
        next();
        return;
      case 'silent':
        busy = true; // and stays so
        return;
      case 'reset-mid-body':
        busy = true;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${fault.bodyBytes}\r\n\r\n${'x'.repeat(fault.sentBytes)}`);
        later(fault.resetAfterMs, () => resetSocket(socket));
        return;
      case 'trickle': {
        busy = true;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${fault.bodyBytes}\r\n\r\n`);
        let left = fault.bodyBytes;
        const drip = (): void => {
          if (socket.destroyed) return;
          socket.write('x');
          left -= 1;
          if (left > 0) later(fault.intervalMs, drip);
          else {
            busy = false;
            next();
          }
        };
        later(fault.intervalMs, drip);
        return;
      }
      case 'big-body': {
        busy = true;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${fault.bodyBytes}\r\n\r\n`);
        let left = fault.bodyBytes;
        const pump = (): void => {
          while (left > 0 && !socket.destroyed) {
            const bytes = Math.min(left, BIG_CHUNK.length);
            left -= bytes;
            if (!socket.write(bytes === BIG_CHUNK.length ? BIG_CHUNK : BIG_CHUNK.subarray(0, bytes))) {
              socket.once('drain', pump);
              return;
            }
          }
          busy = false;
          next();
        };
        pump();
        return;
      }
      case 'drop-every':
        if (counts.requests % fault.every === 0) {
          busy = true;
          socket.destroy();
          return;
        }
        socket.write(OK_RESPONSE);
        next();
        return;
      case 'close-after-response':
        busy = true; // one request per connection; whatever else arrives is never answered
        socket.end(fault.announce ? 'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok' : OK_RESPONSE);
        return;
      default:
        throw new Error(`not a per-request fault: ${JSON.stringify(fault)}`);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    counts.received.push(text);
    pending += text;
    next();
  });
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}

function ignore(): void {
  // Intentionally empty.
}

/** The two transports a fault is tried on: static requests, and the same made dynamic (a flow; both on raw sockets). */
export type FaultTransport = Extract<HttpTransport, 'socket' | 'flow'>;
export const FAULT_TRANSPORTS: readonly FaultTransport[] = ['socket', 'flow'];

/** Scenario data whose requests are listed (`requests:`), for `faultPlan`. */
export type FaultScenario = Omit<ScenarioData, 'load' | 'requests' | 'flows'> & {
  readonly load: LoadSpec;
  readonly requests: readonly RequestSpec[];
};

/**
 * The scenario as written (static requests: the socket transport), or its requests as the steps of one flow,
 * each with a `x-n: {{ $uuid }}` header (a user journey: the flow transport). Asserts which transport
 * the plan takes, so a test can't silently run on the other one.
 */
export function faultPlan(transport: FaultTransport, scenario: FaultScenario): Plan {
  let plan: Plan;
  if (transport === 'socket') {
    plan = planOf(scenario);
  } else {
    const { requests, ...rest } = scenario;
    const steps = requests.map((request) => ({ ...request, headers: { ...request.headers, 'x-n': '{{ $uuid }}' } }));
    plan = planOf({ ...rest, flows: [{ name: 'journey', steps }] });
  }
  expect(httpTransportOf(plan)).toBe(transport);
  return plan;
}

/**
 * Asserts that `stats` failed `count` times, all of them in `category` and nothing else (no status, no other
 * category), and that its failure samples explain it: every sample of that category, readable (one line of
 * words, not `[object Object]`), matching `message`, their counts adding up to `count`.
 */
export function expectOnlyFailures(stats: RequestStats, category: ErrorCategory, count: number, message: RegExp): void {
  const expected = Object.fromEntries(ERROR_CATEGORIES.map((name) => [name, name === category ? count : 0]));
  expect(stats.errorCounts).toEqual(expected);
  expect(stats.failures).toBe(count);
  expect(stats.statusCounts).toEqual({});
  expectReadableSamples(stats, category, count, message);
}

/** Every failure sample of `stats` is of `category`, readable, matches `message`; their counts add up to `count`. */
export function expectReadableSamples(stats: RequestStats, category: ErrorCategory, count: number, message: RegExp): void {
  expect(stats.failureSamples.length).toBeGreaterThan(0);
  for (const sample of stats.failureSamples) {
    expect(sample.kind).toBe(category);
    expect(sample.message).toMatch(/^[\x20-\x7e…]{8,200}$/u); // one line (cut at 200 with an ellipsis)
    expect(sample.message).toMatch(/[a-z]{4}/i);
    expect(sample.message).not.toMatch(/\[object |undefined|^Error$/);
    expect(sample.message).toMatch(message);
  }
  expect(stats.failureSamples.reduce((sum, sample) => sum + sample.count, 0)).toBe(count);
}
