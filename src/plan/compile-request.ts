import { parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import { captureOfMetric, metricKindOf, metricSpecsOf } from '../scenario/custom-metric-specs.js';
import { requestNameOf, streamTargetOf } from '../scenario/types.js';
import type {
  Auth,
  Capture,
  ExpectChecks,
  Expect,
  HeaderValues,
  HttpMethod,
  QueryValue,
  RequestDefaults,
  RequestSpec,
  SseStepSpec,
  StreamStepSpec,
  ThinkTime,
} from '../scenario/types.js';

import { compileJsonBodyTemplate, compileTemplate, hasTemplate } from '../scenario/template.js';
import type { Template } from '../scenario/template.js';
import type { PlannedProtocol } from './planned-protocol.js';
import { compileSseStep } from './planned-sse.js';
import type { PlannedSseStep } from './planned-sse.js';
import { compileWsStep, DEFAULT_WS_TIMEOUT_MS, httpUrlOfWs } from './planned-ws.js';

/** Environment variables, for `{{ $env.NAME }}` (read when a template is compiled). */
export type TemplateEnvironment = Readonly<Record<string, string | undefined>>;

/** A header whose value is a template; `basic`: the rendered `user:password` is base64-encoded into `Basic …`. */
export interface PlannedHeaderTemplate {
  readonly name: string;
  readonly value: Template;
  readonly basic?: true;
}

/**
 * The parts of a request that hold `{{ }}` templates, compiled once: rendered per request by a flow's session
 * (flow/flow-target.ts). Static parts are templates too (rendering them is free), so the session renders
 * path, headers and body alike.
 */
export interface RequestTemplates {
  /** Path and query; variable values are percent-encoded. */
  readonly path: Template;
  readonly headers: readonly PlannedHeaderTemplate[];
  readonly body?: Template;
}

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
  /** `expect.max_latency`: a slower response (response time) fails its check. */
  readonly maxLatencyMs?: number;
  /** Present when the request holds `{{ }}` templates: it is then sent by a flow's session, rendered per request. */
  readonly templates?: RequestTemplates;
  /** Checks on the response beyond its status (headers, body, JSON), as written; compiled by the flow's session. */
  readonly checks?: ExpectChecks;
  /** Values saved from the response into the user's variables, as written. */
  readonly captures?: readonly Capture[];
  /** `before_request` (its own, else the default): the hooks module's function called before sending. */
  readonly beforeRequest?: string;
  /** `after_response` (its own, else the default): the hooks module's function called with the response. */
  readonly afterResponse?: string;
  /** `metric`: custom metrics read from each response, by metric name (`Plan.customMetrics`), each as a capture reads it. */
  readonly metrics?: readonly PlannedRequestMetric[];
  /** `ws:`, `sse:` or `grpc:`: a step that is not one request/response (plan/planned-protocol.ts), run by a flow's session. */
  readonly protocol?: PlannedProtocol;
}

/** A custom metric a request feeds: the metric's name and where its value is in the response (as a capture, `as` the name). */
export interface PlannedRequestMetric {
  readonly name: string;
  readonly kind: 'trend' | 'counter';
  readonly capture: Capture;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const JSON_CONTENT_TYPE = 'application/json';
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Compiles one request of a validated scenario. `target` is the scenario's base URL, if any. Never does I/O.
 * A request with `{{ }}` templates gets `templates` (compiled here, with `env` for `$env.NAME`), which a flow's
 * session renders; its static `path` and `url` then stand each template in the URL as `x` (only `origin` of
 * them is used to send it).
 */
export function compileRequest(
  spec: RequestSpec,
  target: string | undefined,
  defaults: RequestDefaults = {},
  env: TemplateEnvironment = {},
): PlannedRequest {
  const method = spec.method ?? 'GET';
  const rawUrl = rawUrlOf(spec, target);
  const auth = spec.auth ?? defaults.auth;
  const streamed = streamedStepOf(spec);
  const templated = requestHasTemplate(spec, defaults, auth, rawUrl);
  // The URL is parsed without its templates (URL would percent-encode the braces); they go back in below.
  const url = new URL(templated ? rawUrl.replace(/\{\{[\s\S]*?\}\}/g, 'x') : rawUrl);
  const search = mergeQuery(url.search, defaults.query, spec.query);
  const path = `${url.pathname}${search}`;
  const body = encodeBody(spec);
  const headers = compileHeaders(defaults.headers, spec.headers, auth, body?.contentType);
  const expect = expectOf(spec, defaults);
  const checks = checksOf(expect);
  const templates = templated ? requestTemplates(spec, defaults, auth, rawUrl, url.origin, body?.contentType, env) : undefined;
  const timeout = timeoutOf(spec, defaults);
  const expectedStatuses = statusesOf(streamed, expect);
  const thinkTime = thinkTimeOf(spec.think_time ?? defaults.think_time);
  const maxLatency = maxLatencyOf(expect);
  const captures = capturesOf(spec.capture);
  return {
    name: requestNameOf(spec),
    method,
    url: `${url.origin}${path}`,
    origin: url.origin,
    path,
    headers,
    ...(body === undefined ? {} : { body: body.bytes }),
    timeoutMs: timeoutMsOf(timeout),
    ...(spec.weight === undefined ? {} : { weight: spec.weight }),
    ...(expectedStatuses === undefined ? {} : { expectedStatuses }),
    ...(thinkTime === undefined ? {} : { thinkTime }),
    ...(maxLatency === undefined ? {} : { maxLatencyMs: ms(maxLatency) }),
    ...(templates === undefined ? {} : { templates }),
    ...(checks === undefined ? {} : { checks }),
    ...(captures === undefined ? {} : { captures }),
    ...hooksOf(spec, defaults),
    ...metricsOf(spec),
    ...protocolOf(streamed),
    ...(spec.ws === undefined ? {} : { protocol: wsStepOf(spec, defaults, auth, rawUrl, url.origin, env) }),
  };
}

/** The request's timeout; a ws: session is bounded by its own (default 60s), not by an HTTP request's default. */
function timeoutOf(spec: RequestSpec, defaults: RequestDefaults): Duration | undefined {
  return spec.ws === undefined ? (spec.timeout ?? defaults.timeout) : (spec.timeout ?? `${DEFAULT_WS_TIMEOUT_MS}ms`);
}

/** A `ws:` step (plan/planned-ws.ts): its upgrade request's path and headers as templates, like a templated request's. */
function wsStepOf(
  spec: RequestSpec,
  defaults: RequestDefaults,
  auth: Auth | undefined,
  rawUrl: string,
  origin: string,
  env: TemplateEnvironment,
): PlannedProtocol {
  const { path, headers } = requestTemplates(spec, defaults, auth, rawUrl, origin, undefined, env);
  return compileWsStep(spec, origin, path, headers, env);
}

/** The request's `metric`, each with the capture that reads it (validated: a `from` that reads nothing is a bug). */
function metricsOf(spec: RequestSpec): Pick<PlannedRequest, 'metrics'> {
  const specs = metricSpecsOf(spec);
  if (specs.length === 0) return {};
  return {
    metrics: specs.map((metric) => {
      const capture = captureOfMetric(metric);
      if (capture === undefined) throw new Error(`metric ${metric.name}: unreadable from ${JSON.stringify(metric.from)} after validation`);
      return { name: metric.name, kind: metricKindOf(metric), capture };
    }),
  };
}

/** The request's hooks, its own else the defaults'. */
function hooksOf(spec: RequestSpec, defaults: RequestDefaults): Pick<PlannedRequest, 'beforeRequest' | 'afterResponse'> {
  const beforeRequest = spec.before_request ?? defaults.before_request;
  const afterResponse = spec.after_response ?? defaults.after_response;
  return {
    ...(beforeRequest === undefined ? {} : { beforeRequest }),
    ...(afterResponse === undefined ? {} : { afterResponse }),
  };
}

/** The URL as written: `url`, else `path` joined to `target` (a streamed step's `sse:` or `stream:` likewise). */
function rawUrlOf(spec: RequestSpec, target: string | undefined): string {
  // A ws: step's upgrade is an HTTP request: ws://h/p is made to http://h/p, a path joined to target.
  if (spec.ws !== undefined) return spec.ws.startsWith('/') ? joinUrl(target ?? '', spec.ws) : httpUrlOfWs(spec.ws);
  const streamed = streamTargetOf(spec);
  if (streamed !== undefined) return streamed.target.startsWith('/') ? joinUrl(target ?? '', streamed.target) : streamed.target;
  return spec.url ?? joinUrl(target ?? '', spec.path ?? '/');
}

/**
 * The request's `expect`, else the defaults'. A streamed step's own only: it is about statuses (the defaults'
 * checks and max_latency are for responses read whole).
 */
function expectOf(spec: RequestSpec, defaults: RequestDefaults): Expect | undefined {
  return streamTargetOf(spec) === undefined ? (spec.expect ?? defaults.expect) : spec.expect;
}

/** A streamed step's (`sse:`, `stream:`); undefined for any other request. */
function streamedStepOf(spec: RequestSpec): PlannedSseStep | undefined {
  return streamTargetOf(spec) === undefined ? undefined : compileSseStep(spec as SseStepSpec | StreamStepSpec);
}

function protocolOf(streamed: PlannedSseStep | undefined): Pick<PlannedRequest, 'protocol'> {
  return streamed === undefined ? {} : { protocol: streamed };
}

/** The statuses that count as success: a streamed step's own (default 200), else `expect`'s. */
function statusesOf(streamed: PlannedSseStep | undefined, expect: Expect | undefined): readonly number[] | undefined {
  return streamed?.expectedStatuses ?? expectedStatusesOf(expect);
}

/**
 * Any `{{` in what the request sends: URL, query, headers, auth, body. A streamed step (`sse:`, `stream:`) is
 * always sent by a flow's session from its templates: as if it had one.
 */
function requestHasTemplate(spec: RequestSpec, defaults: RequestDefaults, auth: Auth | undefined, rawUrl: string): boolean {
  if (streamTargetOf(spec) !== undefined) return true;
  const texts: unknown[] = [rawUrl, spec.body, spec.json, spec.form, spec.headers, spec.query, defaults.headers, defaults.query, auth];
  return texts.some((value) => value !== undefined && hasTemplate(typeof value === 'string' ? value : JSON.stringify(value)));
}

/**
 * The request's templates: the path (and query) as written, variable values percent-encoded; headers (defaults,
 * the request's own, then authorization and content-type); the body. Static query values are encoded here.
 */
function requestTemplates(
  spec: RequestSpec,
  defaults: RequestDefaults,
  auth: Auth | undefined,
  rawUrl: string,
  origin: string,
  contentType: string | undefined,
  env: TemplateEnvironment,
): RequestTemplates {
  const afterOrigin = rawUrl.startsWith(origin) ? rawUrl.slice(origin.length) : new URL(rawUrl).pathname;
  const queryIndex = afterOrigin.indexOf('?');
  const ownPath = queryIndex === -1 ? afterOrigin : afterOrigin.slice(0, queryIndex);
  const ownQuery = queryIndex === -1 ? '' : afterOrigin.slice(queryIndex);
  const query = appendQuery(ownQuery, encodedPairs({ ...defaults.query, ...spec.query }, true));
  const path = compileTemplate(`${ownPath === '' ? '/' : ownPath}${query}`, { env, escape: 'uri' });

  const merged = mergedHeaders(defaults.headers, spec.headers);
  const headers: PlannedHeaderTemplate[] = [];
  for (const [name, value] of merged) headers.push({ name, value: compileTemplate(value, { env }) });
  if (auth !== undefined && !merged.has('authorization')) {
    headers.push(
      'bearer' in auth
        ? { name: 'authorization', value: compileTemplate(`Bearer ${auth.bearer}`, { env }) }
        : { name: 'authorization', value: compileTemplate(`${auth.basic.username}:${auth.basic.password}`, { env }), basic: true },
    );
  }
  if (contentType !== undefined && !merged.has('content-type'))
    headers.push({ name: 'content-type', value: compileTemplate(contentType, { env }) });

  let body: Template | undefined;
  if (spec.json !== undefined) body = compileJsonBodyTemplate(spec.json, { env });
  else if (spec.form !== undefined) body = compileTemplate(encodedPairs(spec.form, true).join('&'), { env, escape: 'uri' });
  else if (spec.body !== undefined) body = compileTemplate(spec.body, { env });
  return { path, headers, ...(body === undefined ? {} : { body }) };
}

/** `expect` beyond its status and max_latency (headers, body, JSON), or undefined when there is nothing more. */
function checksOf(expect: Expect | undefined): ExpectChecks | undefined {
  if (typeof expect !== 'object' || Array.isArray(expect)) return undefined;
  const { status: _status, max_latency: _maxLatency, ...rest } = expect as ExpectChecks;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

function timeoutMsOf(timeout: Duration | undefined): number {
  return timeout === undefined ? DEFAULT_TIMEOUT_MS : ms(timeout);
}

/** The request's captures; undefined when there are none. */
function capturesOf(captures: readonly Capture[] | undefined): readonly Capture[] | undefined {
  return captures === undefined || captures.length === 0 ? undefined : captures;
}

function maxLatencyOf(expect: Expect | undefined): Duration | undefined {
  return typeof expect === 'object' && !Array.isArray(expect) ? (expect as { max_latency?: Duration }).max_latency : undefined;
}

/** Joins a base URL and a path, keeping the base's own path (`http://h/api` + `/items` → `http://h/api/items`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** A think time as written → milliseconds; a zero pause is no pause (undefined). */
export function thinkTimeOf(thinkTime: ThinkTime | undefined): PlannedThinkTime | undefined {
  if (thinkTime === undefined) return undefined;
  const range =
    typeof thinkTime === 'object' ? { minMs: ms(thinkTime.min), maxMs: ms(thinkTime.max) } : { minMs: ms(thinkTime), maxMs: ms(thinkTime) };
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
  return appendQuery(ownSearch, encodedPairs({ ...defaultQuery, ...query }, false));
}

/** `?a=1` (or '') with more `name=value` pairs after it. */
function appendQuery(ownSearch: string, parts: readonly string[]): string {
  if (parts.length === 0) return ownSearch;
  return `${ownSearch === '' ? '?' : `${ownSearch}&`}${parts.join('&')}`;
}

/**
 * `name=value` pairs, percent-encoded; a list value repeats the name. With `keepTemplates`, a value holding a
 * `{{ }}` template is left as written: the template encodes what it renders.
 */
function encodedPairs(fields: Readonly<Record<string, QueryValue>>, keepTemplates: boolean): string[] {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const values: readonly (string | number | boolean)[] = Array.isArray(value) ? value : [value as string | number | boolean];
    for (const item of values) {
      const text = String(item);
      parts.push(`${encodeURIComponent(name)}=${keepTemplates && hasTemplate(text) ? text : encodeURIComponent(text)}`);
    }
  }
  return parts;
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
  const merged = mergedHeaders(defaultHeaders, headers);
  if (auth !== undefined && !merged.has('authorization')) merged.set('authorization', authorizationOf(auth));
  if (contentType !== undefined && !merged.has('content-type')) merged.set('content-type', contentType);
  return [...merged].flat();
}

/** Defaults, then the request's own headers: later wins, names lower-cased. */
function mergedHeaders(defaultHeaders: HeaderValues | undefined, headers: HeaderValues | undefined): Map<string, string> {
  const merged = new Map<string, string>();
  for (const source of [defaultHeaders, headers]) {
    for (const [name, value] of Object.entries(source ?? {})) merged.set(name.toLowerCase(), String(value));
  }
  return merged;
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
