import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A known sequence of queue depths, served in turn by /pay (fractions and 0 among them). */
export const DEPTHS: readonly number[] = [0, 1.5, 3, 7, 12, 40, 2.25, 9];

/**
 * A loopback server for tags and custom metrics, which keeps its own books: requests per path, the depths
 * /pay served (`{"depth": n}` from DEPTHS in turn) and the orders / served (header `x-orders`: 1, 2, 3, …).
 * /ship answers `ok`.
 */
export interface MetricServer {
  readonly url: string;
  /** Requests served per path. */
  readonly counts: Map<string, number>;
  readonly depths: number[];
  readonly orders: number[];
  close(): Promise<void>;
}

export async function startMetricServer(): Promise<MetricServer> {
  const counts = new Map<string, number>();
  const depths: number[] = [];
  const orders: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/pay') {
      const depth = DEPTHS[depths.length % DEPTHS.length] as number;
      depths.push(depth);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ depth, ok: true }));
    } else if (path === '/') {
      const placed = (orders.length % 3) + 1;
      orders.push(placed);
      res.writeHead(200, { 'content-type': 'text/plain', 'x-orders': String(placed) });
      res.end('home');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    depths,
    orders,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The nearest-rank percentile of values (what an HDR histogram answers, to its precision). */
export function nearestRank(values: readonly number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function sumOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0);
}
