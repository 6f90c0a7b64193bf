import { bytes, delay, echo, flaky, json, latency, redirect, status } from './basic-routes.js';
import { AUTH_ROUTES } from './auth-routes.js';
import { capacity } from './capacity-route.js';
import { addCartItem, cart, login, me } from './demo-shop.js';
import { jobsRoute } from './jobs-route.js';
import { sseRoute, streamRoute } from './stream-routes.js';
import { sendJson, sendText } from './replies.js';
import type { Route } from './route.js';

/** Routes matched on the whole path (a trailing slash ignored). */
export const EXACT_ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/', { handle: ({ res }) => sendText(res, 200, 'ok') }],
  ['/json', { handle: ({ res }) => json(res) }],
  ['/echo', { readsBody: true, handle: ({ req, res, path, search }) => echo(req, res, path, search) }],
  ['/flaky', { handle: ({ res, search }) => flaky(res, search) }],
  ['/latency', { handle: ({ state, res, search }) => latency(state, res, search) }],
  ['/capacity', { handle: ({ state, res, search }) => capacity(state, res, search) }],
  ['/redirect', { handle: ({ res, search }) => redirect(res, search) }],
  ['/headers', { handle: ({ req, res }) => sendJson(res, 200, req.headers) }],
  ['/login', { readsBody: true, handle: ({ req, res }) => login(req, res) }],
  ['/me', { handle: ({ req, res }) => me(req, res) }],
  ['/cart', { handle: ({ req, res }) => cart(req, res) }],
  ['/cart/items', { readsBody: true, handle: ({ req, res }) => addCartItem(req, res) }],
  ['/sse', sseRoute],
  ['/stream', streamRoute],
  ...AUTH_ROUTES,
]);

/** Routes with one argument after them (`/delay/20`); without it they answer 400, saying what to give. */
export const ARGUMENT_ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/delay', { handle: ({ state, res, arg }) => delay(state, res, arg) }],
  ['/status', { handle: ({ res, arg }) => status(res, arg) }],
  ['/bytes', { handle: ({ req, res, arg }) => bytes(req, res, arg) }],
  ['/jobs', jobsRoute],
]);

export const NOT_FOUND_BODY =
  'not found; routes: / /delay/:ms /status/:code /json /bytes/:n /echo /flaky?rate=R /latency?mean=MS&p99=MS' +
  ' /capacity?rps=R&queue=N&service_ms=MS' +
  ' /redirect?to=URL&status=302 /headers POST /jobs?pending=N GET /jobs/:id; demo API: POST /login, GET /me, GET /cart, POST /cart/items' +
  '; streams: /sse?events=N&interval_ms=M /stream?chunks=N&interval_ms=M' +
  '; hooks demo: POST /signed, POST /oauth/token, GET /oauth/resource';
