import type { OutgoingRequest } from './exchange.js';

/** `http.redirects`, normalised: `max` filled in (default 5), origins as written. */
export interface RedirectSettings {
  readonly follow: boolean;
  /** Most redirects followed for one request. */
  readonly max: number;
  /** Origins (`scheme://host[:port]`) a redirect may lead to besides the request's own. */
  readonly allowOrigins: readonly string[];
}

export type RedirectDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'follow'; readonly request: OutgoingRequest }
  | { readonly kind: 'refused'; readonly reason: string };

const NONE: RedirectDecision = Object.freeze({ kind: 'none' });
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Headers that go on to another origin. Everything else is dropped on a cross-origin hop: `authorization`,
 * `proxy-authorization`, `cookie`, and any header the scenario set (`x-api-key`, `x-auth-token`, …), since a
 * custom header may carry a credential as well as a standard one.
 */
const CROSS_ORIGIN_SAFE: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  'cache-control',
  'pragma',
  'content-type',
  'content-language',
]);
/** Headers that describe the body: dropped with it. */
const BODY_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
  'transfer-encoding',
]);

/**
 * What to do with a response to `request` (after `hopsSoFar` redirects already followed for it). Pure.
 *
 * - Not a redirect (301, 302, 303, 307, 308), following off, or no `location`: `none`, the response stands.
 * - `location` is resolved against the request's URL (fragment dropped); a location that is not an http(s)
 *   URL is refused.
 * - `max` hops followed already: refused, `too many redirects (max 5)`.
 * - Another origin (scheme, host and port) that is not in `allowOrigins`: refused, naming it.
 * - 301, 302 and 303 are followed with GET and no body (a HEAD stays HEAD); 307 and 308 keep the method and
 *   the body.
 * - Headers: `host` is always dropped (recomputed for the new URL); the body's headers (`content-type`,
 *   `content-length`…) are dropped with the body. **Credentials never cross origins:** on any hop to another
 *   origin, even an allowed one, only the headers in a fixed safe list (accept, accept-encoding,
 *   accept-language, user-agent, cache-control, pragma, content-type, content-language) are kept;
 *   `authorization`, `proxy-authorization`, `cookie` and every other header the request carried (custom auth
 *   headers such as `x-api-key` included) are dropped. A cookie jar adds the new origin's own cookies. Once
 *   dropped they stay dropped, even if a later hop comes back. Same-origin hops keep the headers.
 */
export function nextRedirect(
  request: OutgoingRequest,
  status: number,
  location: string | undefined,
  settings: RedirectSettings,
  hopsSoFar: number,
): RedirectDecision {
  if (!REDIRECT_STATUSES.has(status) || !settings.follow || location === undefined || location === '') return NONE;
  let url: URL;
  try {
    url = new URL(location, request.origin + request.path);
  } catch {
    return { kind: 'refused', reason: `redirect to an invalid location ${JSON.stringify(location)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'refused', reason: `redirect to ${JSON.stringify(location)} not followed: not an http(s) URL` };
  }
  if (hopsSoFar >= settings.max) return { kind: 'refused', reason: `too many redirects (max ${settings.max})` };
  const origin = url.origin;
  const crossOrigin = origin !== normalOrigin(request.origin);
  if (crossOrigin && !settings.allowOrigins.some((allowed) => normalOrigin(allowed) === origin)) {
    return { kind: 'refused', reason: `redirect to ${origin} not allowed (add it to http.redirects.allow_origins)` };
  }

  const keepBody = status === 307 || status === 308;
  const method = keepBody || request.method === 'HEAD' ? request.method : 'GET';
  const body = keepBody ? request.body : undefined;
  const headers = redirectHeaders(request.headers, keepBody, crossOrigin);
  const path = url.pathname + url.search;
  return {
    kind: 'follow',
    request: body === undefined ? { method, origin, path, headers } : { method, origin, path, headers, body },
  };
}

/** The headers of a redirect's request: `host` dropped, the body's with the body, all but the safe ones across origins. */
function redirectHeaders(requestHeaders: readonly string[], keepBody: boolean, crossOrigin: boolean): string[] {
  const headers: string[] = [];
  for (let i = 0; i + 1 < requestHeaders.length; i += 2) {
    const name = requestHeaders[i] as string;
    if (name === 'host') continue;
    if (!keepBody && BODY_HEADERS.has(name)) continue;
    if (crossOrigin && !CROSS_ORIGIN_SAFE.has(name)) continue;
    headers.push(name, requestHeaders[i + 1] as string);
  }
  return headers;
}

/** `URL.origin` of an origin as written (default port dropped, host lower-cased, trailing slash ignored). */
function normalOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
