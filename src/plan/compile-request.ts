import { parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import { requestNameOf } from '../scenario/types.js';
import type {
  Auth,
  Expect,
  HeaderValues,
  HttpMethod,
  QueryValue,
  RequestDefaults,
  RequestSpec,
  ThinkTime,
} from '../scenario/types.js';

/** A pause, uniformly random in [minMs, maxMs]; a fixed pause has minMs === maxMs. */
export interface PlannedThinkTime {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * One request, compiled once at plan time so the engine needs nothing from the scenario:
 * the URL split for the dispatcher, headers as a flat list, the body as bytes.
 */
export interface PlannedRequest {
  readonly name: string;
  readonly method: HttpMethod;
  /** The absolute URL, query included: `${origin}${path}`. */
  readonly url: string;
  /** Scheme, host and port, e.g. `http://127.0.0.1:8080`: what a connection is opened to. */
  readonly origin: string;
  /** Path and query as sent on the request line, e.g. `/api/items?page=1&tag=a`. */
  readonly path: string;
  /** `[name, value, name, value, …]`, names lower-cased: defaults merged with the request's own. */
  readonly headers: readonly string[];
  /** The request body, encoded once (`json`, `body` or `form`); absent when there is none. */
  readonly body?: Buffer;
  readonly timeoutMs: number;
  /** Relative weight when one request per iteration is picked by weight. */
  readonly weight?: number;
  /** Statuses that count as success; absent: any 2xx or 3xx. */
  readonly expectedStatuses?: readonly number[];
  /** Pause after this request (its own, else the default); absent when there is none. */
  readonly thinkTime?: PlannedThinkTime;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const JSON_CONTENT_TYPE = 'application/json';
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Compiles one request of a validated scenario. `target` is the scenario's base URL, if any. Never does I/O. */
export function compileRequest(spec: RequestSpec, target: string | undefined, defaults: RequestDefaults = {}): PlannedRequest {
  const method = spec.method ?? 'GET';
  const url = new URL(spec.url ?? joinUrl(target ?? '', spec.path ?? '/'));
  const search = mergeQuery(url.search, defaults.query, spec.query);
  const path = `${url.pathname}${search}`;
  const body = encodeBody(spec);
  const headers = compileHeaders(defaults.headers, spec.headers, spec.auth ?? defaults.auth, body?.contentType);
  const timeout = spec.timeout ?? defaults.timeout;
  const expectedStatuses = expectedStatusesOf(spec.expect ?? defaults.expect);
  const thinkTime = thinkTimeOf(spec.think_time ?? defaults.think_time);
  return {
    name: requestNameOf(spec),
    method,
    url: `${url.origin}${path}`,
    origin: url.origin,
    path,
    headers,
    ...(body === undefined ? {} : { body: body.bytes }),
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : ms(timeout),
    ...(spec.weight === undefined ? {} : { weight: spec.weight }),
    ...(expectedStatuses === undefined ? {} : { expectedStatuses }),
    ...(thinkTime === undefined ? {} : { thinkTime }),
  };
}

/** Joins a base URL and a path, keeping the base's own path (`http://h/api` + `/items` → `http://h/api/items`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** A think time as written → milliseconds; a zero pause is no pause (undefined). */
export function thinkTimeOf(thinkTime: ThinkTime | undefined): PlannedThinkTime | undefined {
  if (thinkTime === undefined) return undefined;
  const range =
    typeof thinkTime === 'object'
      ? { minMs: ms(thinkTime.min), maxMs: ms(thinkTime.max) }
      : { minMs: ms(thinkTime), maxMs: ms(thinkTime) };
  return range.maxMs <= 0 ? undefined : range;
}

/** `expect` → the success statuses, sorted and unique; undefined means "any 2xx or 3xx". */
export function expectedStatusesOf(expect: Expect | undefined): readonly number[] | undefined {
  if (expect === undefined) return undefined;
  const status = typeof expect === 'number' || Array.isArray(expect) ? expect : (expect as { status?: number | readonly number[] }).status;
  if (status === undefined) return undefined;
  const list: readonly number[] = typeof status === 'number' ? [status] : status;
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * The URL's own query (`?a=1` from the path), then defaults.query merged with the request's query (the
 * request wins per name), percent-encoded once. A list value repeats the parameter.
 */
function mergeQuery(
  ownSearch: string,
  defaultQuery: Readonly<Record<string, QueryValue>> | undefined,
  query: Readonly<Record<string, QueryValue>> | undefined,
): string {
  const merged: Record<string, QueryValue> = { ...defaultQuery, ...query };
  const parts: string[] = [];
  for (const [name, value] of Object.entries(merged)) {
    const values: readonly (string | number | boolean)[] = Array.isArray(value) ? value : [value as string | number | boolean];
    for (const item of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(item))}`);
  }
  if (parts.length === 0) return ownSearch;
  return `${ownSearch === '' ? '?' : `${ownSearch}&`}${parts.join('&')}`;
}

function encodeBody(spec: RequestSpec): { readonly bytes: Buffer; readonly contentType?: string } | undefined {
  if (spec.json !== undefined) return { bytes: Buffer.from(JSON.stringify(spec.json), 'utf8'), contentType: JSON_CONTENT_TYPE };
  if (spec.form !== undefined) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.form)) form.append(name, String(value));
    return { bytes: Buffer.from(form.toString(), 'utf8'), contentType: FORM_CONTENT_TYPE };
  }
  if (spec.body !== undefined) return { bytes: Buffer.from(spec.body, 'utf8') };
  return undefined;
}

/**
 * Defaults, then the request's own headers (later wins, names compared lower-cased), then what loadseed
 * derives unless the scenario set it: authorization from `auth`, content-type from `json`/`form`.
 */
function compileHeaders(
  defaultHeaders: HeaderValues | undefined,
  headers: HeaderValues | undefined,
  auth: Auth | undefined,
  contentType: string | undefined,
): string[] {
  const merged = new Map<string, string>();
  for (const source of [defaultHeaders, headers]) {
    for (const [name, value] of Object.entries(source ?? {})) merged.set(name.toLowerCase(), String(value));
  }
  if (auth !== undefined && !merged.has('authorization')) merged.set('authorization', authorizationOf(auth));
  if (contentType !== undefined && !merged.has('content-type')) merged.set('content-type', contentType);
  return [...merged].flat();
}

function authorizationOf(auth: Auth): string {
  if ('bearer' in auth) return `Bearer ${auth.bearer}`;
  const { username, password } = auth.basic;
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Durations here passed the schema, so they parse; a failure is a bug. */
function ms(duration: Duration): number {
  const value = parseDurationMs(duration);
  if (value === undefined) throw new Error(`unparsed duration ${JSON.stringify(duration)} after validation`);
  return value;
}
