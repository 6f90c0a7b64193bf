import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small API on 127.0.0.1 for the importers' tests, with its own counts: a page that loads a stylesheet, a
 * script and an image, then logs in (POST /login, JSON → a fresh token) and lists items with that token
 * (GET /api/items, `Authorization: Bearer <token>`: 401 for a token it did not issue). Also a form endpoint with
 * basic auth and an API key. Every credential is checked, so a count of accepted requests proves the scenario sent
 * the right ones.
 */
export const API_PASSWORD = 'pw-Kx81-correct-horse';
export const API_STATIC_TOKEN = 'static-tok-7Qz2-battery';
export const API_BASIC_PASSWORD = 'basic-pw-M4t9-staple';
export const API_KEY = 'apikey-Hd55-zebra';

export interface ApiCounts {
  logins: number;
  /** GET /api/items with a token the server issued (or the static one). */
  items: number;
  /** Requests refused for a missing or wrong credential. */
  rejected: number;
  forms: number;
  /** Static assets served. */
  assets: number;
}

export interface ApiServer {
  readonly url: string;
  readonly counts: ApiCounts;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html><head><title>import test</title><link rel="stylesheet" href="/static/app.css"></head>
<body><img src="/static/logo.png" alt="logo"><p id="out">…</p><script src="/static/app.js"></script></body></html>`;

const SCRIPT = `
(async () => {
  const login = await fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ann', password: ${JSON.stringify(API_PASSWORD)} }),
  });
  const { token } = await login.json();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const items = await fetch('/api/items?page=1', { headers: { authorization: 'Bearer ' + token, accept: 'application/json' } });
  document.getElementById('out').textContent = JSON.stringify(await items.json());
  document.title = 'done';
})();
`;

/** A 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export async function startApiServer(): Promise<ApiServer> {
  const counts: ApiCounts = { logins: 0, items: 0, rejected: 0, forms: 0, assets: 0 };
  const tokens = new Set<string>([API_STATIC_TOKEN]);
  const reply = (response: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const json = (response: ServerResponse, status: number, value: unknown): void =>
    reply(response, status, 'application/json', JSON.stringify(value));
  const reject = (response: ServerResponse): void => {
    counts.rejected++;
    json(response, 401, { error: 'unauthorized' });
  };
  const handle = (request: IncomingMessage, body: string, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://x');
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /':
        return reply(response, 200, 'text/html; charset=utf-8', PAGE);
      case 'GET /static/app.css':
        counts.assets++;
        return reply(response, 200, 'text/css', 'body { font-family: sans-serif; }');
      case 'GET /static/app.js':
        counts.assets++;
        return reply(response, 200, 'text/javascript', SCRIPT);
      case 'GET /static/logo.png':
        counts.assets++;
        return reply(response, 200, 'image/png', PNG);
      case 'POST /login': {
        let credentials: { username?: unknown; password?: unknown } = {};
        try {
          credentials = JSON.parse(body) as typeof credentials;
        } catch {
          // refused below
        }
        if (credentials.username !== 'ann' || credentials.password !== API_PASSWORD) return reject(response);
        counts.logins++;
        const token = `tok-${randomBytes(12).toString('hex')}`;
        tokens.add(token);
        return json(response, 200, { token, user: { name: 'ann' } });
      }
      case 'GET /api/items': {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        if (token === undefined || !tokens.has(token)) return reject(response);
        counts.items++;
        return json(response, 200, { page: url.searchParams.get('page'), items: [{ id: 1 }, { id: 2 }] });
      }
      case 'POST /api/form': {
        const basic = `Basic ${Buffer.from(`ann:${API_BASIC_PASSWORD}`).toString('base64')}`;
        const form = new URLSearchParams(body);
        if (request.headers.authorization !== basic || request.headers['x-api-key'] !== API_KEY || form.get('note') !== 'hi there') {
          return reject(response);
        }
        counts.forms++;
        return json(response, 201, { ok: true });
      }
      default:
        return json(response, 404, { error: 'not found' });
    }
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
