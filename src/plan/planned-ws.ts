import { parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import { compileTemplate } from '../scenario/template.js';
import type { Template } from '../scenario/template.js';
import type { RequestSpec, WsAction, WsCapture, WsExpect } from '../scenario/types.js';
import type { PlannedHeaderTemplate, TemplateEnvironment } from './compile-request.js';

/** A `ws:` step's `timeout` when it gives none: it bounds the whole session, connect to close. */
export const DEFAULT_WS_TIMEOUT_MS = 60_000;
/** An `expect`'s `within` when it gives none. */
export const DEFAULT_WS_WITHIN_MS = 10_000;
/** A `close`'s code when it gives none: a normal closure. */
export const DEFAULT_WS_CLOSE_CODE = 1000;

/** A `ws:` step, compiled at plan time (see planned-protocol.ts). Plain data: it crosses to worker threads. */
export interface PlannedWsStep {
  readonly kind: 'ws';
  /** `ws://host:port` or `wss://host:port`: where the session connects. */
  readonly origin: string;
  /** Path and query of the upgrade request; variable values are percent-encoded. */
  readonly path: Template;
  /** The upgrade request's headers (defaults, the step's own, authorization from `defaults.auth`), names lower-cased. */
  readonly headers: readonly PlannedHeaderTemplate[];
  readonly actions: readonly PlannedWsAction[];
}

/** One step of a session, in order. */
export type PlannedWsAction =
  | { readonly kind: 'send'; readonly message: Template }
  | { readonly kind: 'expect'; readonly expect: PlannedWsExpect }
  | { readonly kind: 'capture'; readonly capture: WsCapture }
  | {
      readonly kind: 'sendEvery';
      readonly message: Template;
      readonly intervalMs: number;
      readonly count: number;
      /** Each message waits for its matching reply before the next is due. */
      readonly expect?: PlannedWsExpect;
    }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** What a message must be to match, and how long to wait for it. */
export interface PlannedWsExpect {
  /** A JSONPath into the message parsed as JSON; absent: the test is on the whole text. */
  readonly json?: string;
  readonly test: PlannedWsTest;
  readonly withinMs: number;
  /** The next message must match (else the step fails as a check); false: others are passed over. */
  readonly strict: boolean;
  /** The expect as written, for failure reasons. */
  readonly source: string;
}

/**
 * `exists`: the JSONPath selects something. `equals`: the selected value equals `value` as JSON; `equalsText`:
 * it is the string `value` renders to. `contains`, `regex`: on the selected value's text (or the message's).
 * `text`: the whole message is exactly what `value` renders to.
 */
export type PlannedWsTest =
  | { readonly kind: 'exists' }
  | { readonly kind: 'equals'; readonly value: unknown }
  | { readonly kind: 'equalsText'; readonly value: Template }
  | { readonly kind: 'contains'; readonly value: Template }
  | { readonly kind: 'regex'; readonly source: string }
  | { readonly kind: 'text'; readonly value: Template };

/**
 * Compiles a validated `ws:` step: `httpOrigin` is the http(s) origin its URL resolved to (compile-request.ts),
 * `path` and `headers` its upgrade request's templates.
 */
export function compileWsStep(
  spec: RequestSpec,
  httpOrigin: string,
  path: Template,
  headers: readonly PlannedHeaderTemplate[],
  env: TemplateEnvironment,
): PlannedWsStep {
  return {
    kind: 'ws',
    origin: httpOrigin.replace(/^http/, 'ws'),
    path,
    headers,
    actions: (spec.steps ?? []).map((action) => compileAction(action, env)),
  };
}

/** `ws://h/p` → `http://h/p`, `wss://` → `https://`: the URL an upgrade request is made to. */
export function httpUrlOfWs(url: string): string {
  return url.replace(/^ws(s?):\/\//i, 'http$1://');
}

function compileAction(action: WsAction, env: TemplateEnvironment): PlannedWsAction {
  if ('send' in action) return { kind: 'send', message: compileTemplate(action.send, { env }) };
  if ('expect' in action) return { kind: 'expect', expect: compileExpect(action.expect, env) };
  if ('capture' in action) return { kind: 'capture', capture: action.capture };
  if ('send_every' in action) {
    const every = action.send_every;
    return {
      kind: 'sendEvery',
      message: compileTemplate(every.message, { env }),
      intervalMs: ms(every.interval),
      count: every.count,
      ...(every.expect === undefined ? {} : { expect: compileExpect(every.expect, env) }),
    };
  }
  return { kind: 'close', code: action.close.code ?? DEFAULT_WS_CLOSE_CODE, reason: action.close.reason ?? '' };
}

function compileExpect(expect: WsExpect, env: TemplateEnvironment): PlannedWsExpect {
  return {
    ...(expect.json === undefined ? {} : { json: expect.json }),
    test: testOf(expect, env),
    withinMs: expect.within === undefined ? DEFAULT_WS_WITHIN_MS : ms(expect.within),
    strict: expect.strict === true,
    source: JSON.stringify(expect),
  };
}

function testOf(expect: WsExpect, env: TemplateEnvironment): PlannedWsTest {
  if (expect.text !== undefined) return { kind: 'text', value: compileTemplate(expect.text, { env }) };
  if (expect.contains !== undefined) return { kind: 'contains', value: compileTemplate(expect.contains, { env }) };
  if (expect.regex !== undefined) return { kind: 'regex', source: expect.regex };
  if (expect.equals !== undefined) {
    return typeof expect.equals === 'string'
      ? { kind: 'equalsText', value: compileTemplate(expect.equals, { env }) }
      : { kind: 'equals', value: expect.equals };
  }
  return { kind: 'exists' };
}

/** Durations here passed the schema, so they parse; a failure is a bug. */
function ms(duration: Duration): number {
  const value = parseDurationMs(duration);
  if (value === undefined) throw new Error(`unparsed duration ${JSON.stringify(duration)} after validation`);
  return value;
}
