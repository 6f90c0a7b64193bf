import { jsonPathProblem } from '../scenario/json-path.js';
import type { Expect, ExpectChecks } from '../scenario/types.js';
import { firstJsonMatch } from './capture.js';
import type { PlannedCapture } from './capture.js';
import type { ResponseView } from './response-view.js';

/**
 * The content checks of an `expect:` (its `status` and `max_latency` are judged elsewhere), compiled once:
 * header names lower-cased, the body regex built.
 */
export interface PlannedChecks {
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly bodyContains?: string;
  readonly bodyMatches?: RegExp;
  readonly json: readonly { readonly path: string; readonly equals: unknown }[];
}

/** Longest quoted value in a failure reason: reasons are counted, so they stay short. */
const MAX_VALUE_CHARS = 80;

/**
 * The checks of an `expect:`; undefined when it checks nothing beyond status and latency. Throws (a bug, or a
 * scenario that skipped validation) when a JSONPath is not one or the body regex does not compile.
 */
export function compileChecks(expect: Expect | undefined): PlannedChecks | undefined {
  if (expect === undefined || typeof expect !== 'object' || Array.isArray(expect)) return undefined;
  const spec = expect as ExpectChecks;
  const headers = Object.entries(spec.headers ?? {}).map(([name, value]) => ({ name: name.toLowerCase(), value }));
  const json = spec.json ?? [];
  for (const { path } of json) {
    const problem = jsonPathProblem(path);
    if (problem !== undefined) throw new Error(`check json: not a valid JSONPath ${path}: ${problem}`);
  }
  if (headers.length === 0 && json.length === 0 && spec.body_contains === undefined && spec.body_matches === undefined) return undefined;
  return {
    headers,
    ...(spec.body_contains === undefined ? {} : { bodyContains: spec.body_contains }),
    ...(spec.body_matches === undefined ? {} : { bodyMatches: new RegExp(spec.body_matches) }),
    json,
  };
}

/**
 * undefined when every check passes; else why the first failing one failed, short and stable enough to count.
 * `redact` hides secrets in each quoted value before it is clipped: a clipped secret can no longer be found.
 */
export function evaluateChecks(
  checks: PlannedChecks,
  response: ResponseView,
  redact: (text: string) => string = (text) => text,
): string | undefined {
  const quote = (text: string): string => JSON.stringify(clip(redact(text)));
  const show = (value: unknown): string => clip(redact(JSON.stringify(value) ?? 'undefined'));
  for (const { name, value } of checks.headers) {
    const actual = response.header(name);
    if (actual === undefined) return `check header ${name}: expected ${quote(value)}, but the header is absent`;
    if (actual !== value) return `check header ${name}: expected ${quote(value)}, got ${quote(actual)}`;
  }
  if (checks.bodyContains !== undefined && !response.bodyText.includes(checks.bodyContains)) {
    return `check body_contains ${quote(checks.bodyContains)} failed`;
  }
  if (checks.bodyMatches !== undefined && !checks.bodyMatches.test(response.bodyText)) {
    return `check body_matches ${clip(`/${checks.bodyMatches.source}/`)} failed`;
  }
  if (checks.json.length > 0) {
    const body = response.json();
    for (const { path, equals } of checks.json) {
      if (!body.ok) return `check json ${path}: the body is not JSON`;
      const match = firstJsonMatch(path, body.value);
      if (match.kind === 'error') return `check json ${path}: ${clip(redact(match.message))}`;
      if (match.kind === 'none') return `check json ${path}: expected ${show(equals)}, matched nothing`;
      if (!jsonEqual(match.value, equals)) return `check json ${path}: expected ${show(equals)}, got ${show(match.value)}`;
    }
  }
  return undefined;
}

/** Whether the transport must keep the response body for these checks and captures. */
export function needsBody(checks: PlannedChecks | undefined, captures: readonly PlannedCapture[] = []): boolean {
  if (checks !== undefined && (checks.bodyContains !== undefined || checks.bodyMatches !== undefined || checks.json.length > 0))
    return true;
  return captures.some((capture) => capture.kind === 'json' || capture.kind === 'regex');
}

/** Whether the transport must keep the response headers for these checks and captures. */
export function needsHeaders(checks: PlannedChecks | undefined, captures: readonly PlannedCapture[] = []): boolean {
  if (checks !== undefined && checks.headers.length > 0) return true;
  return captures.some((capture) => capture.kind === 'header');
}

/** Deep equality of JSON values; object keys in any order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, index) => jsonEqual(item, b[index]));
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function clip(text: string): string {
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS - 1)}…`;
}
