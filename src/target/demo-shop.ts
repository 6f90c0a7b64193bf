/**
 * The demo API for user-journey scenarios: stateless (tokens and cookies are derived from the user name, never
 * stored), JSON in and out, errors as {"error": "..."}. See target-server.ts for the routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowMethod, failInternally, isPlainObject, readCappedBody, sendJson } from './replies.js';

/** Bodies of the demo API's POST routes are read up to this, else 413. */
const MAX_JSON_BODY_BYTES = 64 * 1024;
/** A demo user name: safe as is in a JSON string, a cookie value and a bearer token. */
const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const TOKEN_PREFIX = 'tok-';
const SESSION_COOKIE = 'session';
const SESSION_PREFIX = 's-';
const PASSWORD_PREFIX = 'pw-';
/** What every cart holds: the cart is not stored, so it never changes. */
const CART_ITEMS: readonly { readonly sku: string; readonly qty: number }[] = [
  { sku: 'a-1', qty: 1 },
  { sku: 'b-2', qty: 2 },
];

/** POST /login: checks the password rule (user U, password "pw-U"), answers a token and a session cookie. */
export function login(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'POST')) return;
  readJsonBody(req, res, (body) => {
    if (!isPlainObject(body)) {
      sendJson(res, 400, { error: 'expected a JSON object {"username": "...", "password": "..."}' });
      return;
    }
    const username = body['username'];
    const password = body['password'];
    if (typeof username !== 'string' || !USER_NAME_PATTERN.test(username) || password !== `${PASSWORD_PREFIX}${username}`) {
      sendJson(res, 401, { error: 'bad credentials' });
      return;
    }
    sendJson(
      res,
      200,
      { token: `${TOKEN_PREFIX}${username}`, user: username },
      { 'set-cookie': `${SESSION_COOKIE}=${SESSION_PREFIX}${username}; Path=/; HttpOnly` },
    );
  });
}

/** GET /me: who the bearer token belongs to. */
export function me(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'GET')) return;
  const username = bearerUser(req.headers.authorization);
  if (username === undefined) {
    sendJson(res, 401, { error: 'missing or bad token' }, { 'www-authenticate': 'Bearer realm="loadseed"' });
    return;
  }
  sendJson(res, 200, { user: username, status: 'ok' });
}

/** GET /cart: the session cookie's user and the (fixed) items of every cart. */
export function cart(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'GET')) return;
  const username = sessionUser(req.headers.cookie);
  if (username === undefined) {
    sendJson(res, 403, { error: 'missing or bad session cookie' });
    return;
  }
  sendJson(res, 200, { user: username, items: CART_ITEMS });
}

/** POST /cart/items: with a session cookie, acknowledges the body's sku (nothing is stored). */
export function addCartItem(req: IncomingMessage, res: ServerResponse): void {
  if (!allowMethod(req, res, 'POST')) return;
  if (sessionUser(req.headers.cookie) === undefined) {
    req.resume();
    sendJson(res, 403, { error: 'missing or bad session cookie' });
    return;
  }
  readJsonBody(req, res, (body) => {
    const sku = isPlainObject(body) ? body['sku'] : undefined;
    sendJson(res, 201, { added: sku ?? null });
  });
}

/**
 * Reads a JSON body of up to MAX_JSON_BODY_BYTES, then calls `onBody` with it parsed; answers 413 when it is
 * longer, 400 when it is not JSON.
 */
function readJsonBody(req: IncomingMessage, res: ServerResponse, onBody: (body: unknown) => void): void {
  readCappedBody(
    req,
    MAX_JSON_BODY_BYTES,
    (text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, { error: 'the request body is not JSON' });
        return;
      }
      try {
        onBody(body);
      } catch {
        failInternally(res);
      }
    },
    (bodyBytes) => sendJson(res, 413, { error: `request body of ${bodyBytes} bytes exceeds the limit of ${MAX_JSON_BODY_BYTES} bytes` }),
  );
}

/** The user of `Authorization: Bearer tok-U` (the scheme in any case), or undefined. */
function bearerUser(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^bearer +(\S+) *$/i.exec(authorization);
  const token = match?.[1];
  if (token === undefined || !token.startsWith(TOKEN_PREFIX)) return undefined;
  const username = token.slice(TOKEN_PREFIX.length);
  return USER_NAME_PATTERN.test(username) ? username : undefined;
}

/** The user of a `session=s-U` cookie in a Cookie header, or undefined. */
function sessionUser(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const equalsAt = pair.indexOf('=');
    if (equalsAt === -1 || pair.slice(0, equalsAt).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(equalsAt + 1).trim();
    if (!value.startsWith(SESSION_PREFIX)) continue;
    const username = value.slice(SESSION_PREFIX.length);
    if (USER_NAME_PATTERN.test(username)) return username;
  }
  return undefined;
}
