import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import type { LoadSpec, ScenarioData } from '../../../src/scenario/types.js';

/** A plan from scenario data, as `loadseed run` would build it. */
export function planOf(data: Omit<ScenarioData, 'load'> & { readonly load?: LoadSpec }): Plan {
  return buildPlan({
    file: 'test.yml',
    baseDir: '.',
    data: { load: { profile: 'constant', users: 1, duration: '1s' }, ...data },
    envVarsUsed: [],
  });
}

/** A closed-model load spent as a fixed budget of iterations: exact counts to assert on. */
export const budget = (users: number, iterations: number) => ({ profile: 'constant', users, iterations }) as const;

export interface RawServer {
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** A loopback net server whose every connection is handed to `onSocket` (for resets and garbage). */
export async function startRawServer(onSocket: (socket: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  return listen(server, sockets, () => connections);
}

/**
 * For startRawServer: answers every request on the connection with `answer` (raw bytes), then calls `after`
 * (e.g. to close). Requests are told apart by their blank line: for requests without a body.
 */
export function answerEach(answer: string, after?: (socket: Socket) => void): (socket: Socket) => void {
  return (socket) => {
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end = pending.indexOf('\r\n\r\n');
      while (end !== -1) {
        pending = pending.slice(end + 4);
        socket.write(answer);
        after?.(socket);
        end = pending.indexOf('\r\n\r\n');
      }
    });
  };
}

/** A loopback node:http server answering 200 "ok" that counts its connections and requests. */
export async function startCountingServer(): Promise<RawServer & { requests(): number }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const raw = await listen(server, sockets, () => connections);
  return { ...raw, requests: () => requests };
}

/** A port on 127.0.0.1 that was just listening and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(server: Server, sockets: Set<Socket>, connections: () => number): Promise<RawServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
