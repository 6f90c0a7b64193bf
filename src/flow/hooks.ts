import type { ExchangeResult, OutgoingRequest } from '../transport/exchange.js';
import { FRAMING_HEADERS } from '../transport/http-rules.js';
import { invalidHeaderOf } from '../transport/invalid-header.js';
import { requestError } from '../transport/request-errors.js';

/** A function of the scenario's `hooks:` module. */
export type HookFunction = (...args: unknown[]) => unknown;

/** The module's exported functions by name, imported once per thread. */
export type HookFunctions = ReadonlyMap<string, HookFunction>;

/** A hook a request calls, with its name for messages. */
export interface BoundHook {
  readonly name: string;
  readonly fn: HookFunction;
}

/** What a hook's `context` is: the user's variables (read and set) and its index in the whole run. */
export interface HookContext {
  readonly user: number;
  readonly vars: { get(name: string): string | undefined; set(name: string, value: unknown): void };
}

/**
 * Imports the hooks module (a file: URL; `scenario/load-hooks.ts` checked it before the run) on this thread,
 * worker threads included: its exported functions by name.
 */
export async function importHookFunctions(url: string): Promise<HookFunctions> {
  const namespace = (await import(url)) as Record<string, unknown>;
  const functions = new Map<string, HookFunction>();
  for (const [name, value] of Object.entries(namespace)) if (typeof value === 'function') functions.set(name, value as HookFunction);
  return functions;
}

/** The hook of that name; a name the module lacks was refused when the scenario was loaded, so this is a bug. */
export function bindHook(functions: HookFunctions | undefined, name: string | undefined): BoundHook | undefined {
  if (name === undefined) return undefined;
  const fn = functions?.get(name);
  if (fn === undefined) throw new Error(`hook ${name} is not in the hooks module (checked when the scenario was loaded)`);
  return { name, fn };
}

/**
 * The request a `before_request` hook gets, and may change: method, url (absolute), headers (an object, names
 * lower-case; content-length and the connection headers are the transport's) and body (text, undefined when
 * there is none).
 */
export class HookRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  readonly #outgoing: OutgoingRequest;
  readonly #url: string;
  readonly #body: string | undefined;

  constructor(outgoing: OutgoingRequest) {
    this.#outgoing = outgoing;
    this.method = outgoing.method;
    this.url = this.#url = `${outgoing.origin}${outgoing.path}`;
    const headers: Record<string, string> = {};
    const list = outgoing.headers;
    for (let index = 0; index + 1 < list.length; index += 2) headers[list[index] as string] = list[index + 1] as string;
    this.headers = headers;
    this.body = this.#body = outgoing.body?.toString('utf8');
  }

  /** The request to send, as the hook left it. Throws a request error (LS_SCRIPT, LS_INVALID_HEADER) on what cannot be sent. */
  toOutgoing(): OutgoingRequest {
    const before = this.#outgoing;
    let origin = before.origin;
    let path = before.path;
    if (this.url !== this.#url) {
      let parsed: URL;
      try {
        parsed = new URL(String(this.url));
      } catch {
        throw requestError('LS_SCRIPT', `the hook set request.url to ${JSON.stringify(this.url)}, not an absolute URL`);
      }
      origin = parsed.origin;
      path = `${parsed.pathname}${parsed.search}`;
    }
    const headers: string[] = [];
    for (const [name, value] of Object.entries(this.headers ?? {})) {
      const lower = name.toLowerCase();
      // The transport sets the framing headers itself (the body's length, the connection's use).
      if (value !== undefined && value !== null && !FRAMING_HEADERS.has(lower)) headers.push(lower, String(value));
    }
    const invalid = invalidHeaderOf(headers);
    if (invalid !== undefined) throw invalid;
    const bodyText = this.body;
    let body = before.body;
    if (bodyText !== this.#body) body = bodyText === undefined || bodyText === null ? undefined : Buffer.from(String(bodyText), 'utf8');
    return { method: String(this.method).toUpperCase(), origin, path, headers, ...(body === undefined ? {} : { body }) };
  }
}

/** The response an `after_response` hook gets: status, headers (lower-case names) and the body as text, decoded when read. */
export class HookResponse {
  readonly status: number;
  readonly headers: ExchangeResult['headers'];
  readonly #result: ExchangeResult;
  #text: string | undefined;

  constructor(result: ExchangeResult) {
    this.#result = result;
    this.status = result.status;
    this.headers = result.headers;
  }

  get body(): string {
    this.#text ??= this.#result.body?.toString('utf8') ?? '';
    return this.#text;
  }
}

/** A promise (or any thenable) a hook returned. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** What a hook threw or rejected with, as a request error counted under `script`: `name: message`. */
export function scriptError(name: string, error: unknown, redact: (text: string) => string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return requestError('LS_SCRIPT', redact(`${name}: ${message}`));
}

/** An `after_response` hook's verdict: a string or an Error fails the request (as a check), anything else passes. */
export function verdictOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? 'failed the response' : value;
  if (value instanceof Error) return value.message;
  return undefined;
}
