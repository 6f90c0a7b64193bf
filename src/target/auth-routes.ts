/**
 * Routes for code hooks to exercise (`loadseed serve`): a body signed with HMAC-SHA256, and OAuth 2.0 client
 * credentials with short-lived bearer tokens. Stateless: a token carries its own expiry and an HMAC of it, so
 * any number of clients (and loadseed's worker threads) need no shared memory. Demo secrets, documented in the
 * README: never use them for anything real.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowMethod, failInternally, isPlainObject, quote, readCappedBody, sendJson } from './replies.js';
import type { Route } from './route.js';

/** The key `POST /signed` checks `X-Signature` with: hex HMAC-SHA256 of the raw body. */
export const DEMO_SIGNING_KEY = 'loadseed-demo-key';
/** The client `POST /oauth/token` accepts. */
export const DEMO_CLIENT_ID = 'loadseed-demo';
export const DEMO_CLIENT_SECRET = 'loadseed-demo-secret';
/** A token's lifetime when the token request does not set one (`?ttl=2s`, `?lifetime_ms=2000`). */
export const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;
const MAX_TOKEN_LIFETIME_MS = 24 * 3_600_000;
const MAX_BODY_BYTES = 64 * 1024;
/** Signs the tokens; a constant, so that every server process agrees (this is a demo). */
const TOKEN_KEY = 'loadseed-demo-token-key';
const HEX_SIGNATURE = /^(?:sha256=)?([0-9a-fA-F]{64})$/;
const TTL = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** The routes, registered by routes.ts. */
export const AUTH_ROUTES: readonly (readonly [string, Route])[] = [
  ['/signed', { readsBody: true, handle: ({ req, res }) => signed(req, res) }],
  ['/oauth/token', { readsBody: true, handle: ({ req, res, search }) => oauthToken(req, res, search) }],
  ['/oauth/resource', { handle: ({ req, res }) => oauthResource(req, res) }],
];

/** Hex HMAC-SHA256 of `text` with `key`. */
export function hmacHex(key: string, text: string | Buffer): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/** POST /signed: 200 when `X-Signature` is the hex HMAC-SHA256 of the body with DEMO_SIGNING_KEY, else 401. */
export function signed(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'POST')) return;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    try {
      if (size > MAX_BODY_BYTES) {
        sendJson(res, 413, { error: `body of ${size} bytes is over ${MAX_BODY_BYTES}` });
        return;
      }
      const header = req.headers['x-signature'];
      const given = HEX_SIGNATURE.exec(typeof header === 'string' ? header.trim() : '')?.[1];
      if (given === undefined) {
        sendJson(res, 401, { error: 'missing or malformed X-Signature: expected the hex HMAC-SHA256 of the body' });
        return;
      }
      const expected = Buffer.from(hmacHex(DEMO_SIGNING_KEY, Buffer.concat(chunks, size)), 'hex');
      if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
        sendJson(res, 401, { error: 'bad signature' });
        return;
      }
      sendJson(res, 200, { ok: true, bytes: size });
    } catch {
      failInternally(res);
    }
  });
}

/**
 * POST /oauth/token: client credentials (RFC 6749 §4.4) from a form or JSON body (client_id, client_secret,
 * grant_type=client_credentials) or HTTP Basic; answers {access_token, token_type, expires_in} (seconds;
 * `expires_in_ms` too), the lifetime set by `?ttl=2s` or `?lifetime_ms=2000`.
 */
export function oauthToken(req: IncomingMessage, res: ServerResponse, search: string): void {
  if (!allowMethod(req, res, 'POST')) return;
  const lifetimeMs = lifetimeOf(new URLSearchParams(search));
  if (typeof lifetimeMs === 'string') {
    req.resume();
    sendJson(res, 400, { error: 'invalid_request', error_description: lifetimeMs });
    return;
  }
  readCappedBody(
    req,
    MAX_BODY_BYTES,
    (body) => {
      const fields = { ...basicCredentials(req.headers.authorization), ...bodyFields(body, req.headers['content-type']) };
      if (fields['grant_type'] !== undefined && fields['grant_type'] !== 'client_credentials') {
        sendJson(res, 400, { error: 'unsupported_grant_type' });
        return;
      }
      if (fields['client_id'] !== DEMO_CLIENT_ID || fields['client_secret'] !== DEMO_CLIENT_SECRET) {
        sendJson(res, 401, { error: 'invalid_client' });
        return;
      }
      const expiresAt = Date.now() + lifetimeMs;
      sendJson(
        res,
        200,
        {
          access_token: tokenFor(DEMO_CLIENT_ID, expiresAt),
          token_type: 'Bearer',
          expires_in: Math.max(1, Math.floor(lifetimeMs / 1000)),
          expires_in_ms: lifetimeMs,
        },
        { 'cache-control': 'no-store' },
      );
    },
    (size) => sendJson(res, 413, { error: `body of ${size} bytes is over ${MAX_BODY_BYTES}` }),
  );
}

/** GET /oauth/resource: 200 with a valid, unexpired bearer token from /oauth/token; else 401. */
export function oauthResource(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'GET')) return;
  const authorization = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const problem = token === undefined ? 'missing bearer token' : tokenProblem(token);
  if (problem !== undefined) {
    sendJson(res, 401, { error: 'invalid_token', error_description: problem }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    return;
  }
  sendJson(res, 200, { ok: true, client_id: DEMO_CLIENT_ID });
}

/** A token: `client.expiresAtMs.hmac`, all URL-safe. */
function tokenFor(clientId: string, expiresAtMs: number): string {
  const payload = `${clientId}.${expiresAtMs}`;
  return `${payload}.${hmacHex(TOKEN_KEY, payload)}`;
}

/** Why a token is refused, or undefined when it is good. */
function tokenProblem(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return 'malformed token';
  const [clientId, expiresAt, mac] = parts as [string, string, string];
  const expected = hmacHex(TOKEN_KEY, `${clientId}.${expiresAt}`);
  if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return 'bad token signature';
  if (Number(expiresAt) <= Date.now()) return 'token expired';
  return undefined;
}

function lifetimeOf(params: URLSearchParams): number | string {
  const ttl = params.get('ttl');
  const lifetime = params.get('lifetime_ms');
  let ms = DEFAULT_TOKEN_LIFETIME_MS;
  if (ttl !== null) {
    const match = TTL.exec(ttl);
    if (match === null) return `bad ttl ${quote(ttl)}: use a duration such as 2s, 500ms or 5m`;
    ms = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
  } else if (lifetime !== null) {
    if (!/^[0-9]+$/.test(lifetime)) return `bad lifetime_ms ${quote(lifetime)}: use an integer`;
    ms = Number(lifetime);
  }
  if (ms < 1 || ms > MAX_TOKEN_LIFETIME_MS) return `token lifetime must be 1 ms to ${MAX_TOKEN_LIFETIME_MS / 3_600_000} h`;
  return Math.round(ms);
}

function basicCredentials(authorization: string | undefined): Record<string, string> {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (encoded === undefined) return {};
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? {} : { client_id: decoded.slice(0, colon), client_secret: decoded.slice(colon + 1) };
}

function bodyFields(body: string, contentType: string | undefined): Record<string, string> {
  if (contentType?.toLowerCase().startsWith('application/json') === true) {
    try {
      const value: unknown = JSON.parse(body);
      if (!isPlainObject(value)) return {};
      return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}
