import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a route sees of a request: method, path, query, headers and the body as text. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A route's answer: a status and a JSON body (none for 204). */
export interface RouteReply {
  readonly status: number;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `METHOD /path` → the answer; a request no route takes is answered 404 and counted under `unmatched`. */
export type Routes = Readonly<Record<string, (request: SeenRequest) => RouteReply>>;

export interface RouteServer {
  readonly url: string;
  /** Requests answered, by route key (`unmatched` for the rest). */
  readonly counts: Map<string, number>;
  /** Requests answered in all. */
  total(): number;
  close(): Promise<void>;
}

/** A loopback HTTP server answering a table of routes and counting each: the tests' own count of what was sent. */
export async function startRouteServer(routes: Routes): Promise<RouteServer> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const key = `${req.method ?? ''} ${url.pathname}`;
      const route = routes[key];
      const seen = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const reply = route === undefined ? { status: 404, json: { error: `no route ${key}` } } : route(seen);
      const counted = route === undefined ? 'unmatched' : key;
      counts.set(counted, (counts.get(counted) ?? 0) + 1);
      if (reply.json === undefined) {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.json));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((sum, count) => sum + count, 0),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
