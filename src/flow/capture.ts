import { JSONPath } from 'jsonpath-plus';
import { jsonPathProblem } from '../scenario/json-path.js';
import type { Capture } from '../scenario/types.js';
import type { ResponseView } from './response-view.js';

/** A `capture:` entry, compiled once: where the value comes from, and the variable it is saved `as`. */
export type PlannedCapture =
  | { readonly kind: 'json'; readonly as: string; readonly path: string }
  | { readonly kind: 'header'; readonly as: string; readonly name: string }
  | { readonly kind: 'regex'; readonly as: string; readonly regex: RegExp; readonly group: number }
  | { readonly kind: 'status'; readonly as: string };

export type CaptureResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/**
 * Compiles a validated capture. Throws (a bug, or a scenario that skipped validation) when it names no
 * source, its JSONPath is not one (scenario/json-path.ts), its regex does not compile, or its group does not exist.
 */
export function compileCapture(spec: Capture): PlannedCapture {
  if (spec.json !== undefined) {
    const problem = jsonPathProblem(spec.json);
    if (problem !== undefined) throw new Error(`capture ${spec.as}: not a valid JSONPath ${spec.json}: ${problem}`);
    return { kind: 'json', as: spec.as, path: spec.json };
  }
  if (spec.header !== undefined) return { kind: 'header', as: spec.as, name: spec.header.toLowerCase() };
  if (spec.regex !== undefined) {
    const regex = new RegExp(spec.regex);
    const groups = groupCountOf(regex);
    const group = spec.group ?? (groups > 0 ? 1 : 0);
    if (group > groups) {
      throw new Error(
        `capture ${spec.as}: the regex /${spec.regex}/ has ${groups} group${groups === 1 ? '' : 's'}; group ${group} does not exist`,
      );
    }
    return { kind: 'regex', as: spec.as, regex, group };
  }
  if (spec.status === true) return { kind: 'status', as: spec.as };
  throw new Error(`capture ${spec.as}: no source (json, header, regex or status)`);
}

/** The captured value, or why there is none (a failure counted against the request, never thrown). */
export function extractCapture(capture: PlannedCapture, response: ResponseView): CaptureResult {
  switch (capture.kind) {
    case 'json': {
      const body = response.json();
      if (!body.ok) return { ok: false, reason: `capture ${capture.as}: the body is not JSON` };
      const first = firstJsonMatch(capture.path, body.value);
      if (first.kind === 'error') return { ok: false, reason: `capture ${capture.as}: ${capture.path} failed: ${first.message}` };
      if (first.kind === 'none') return { ok: false, reason: `capture ${capture.as}: ${capture.path} matched nothing in the JSON body` };
      return { ok: true, value: stringOf(first.value) };
    }
    case 'header': {
      const value = response.header(capture.name);
      return value === undefined ? { ok: false, reason: `capture ${capture.as}: no ${capture.name} header` } : { ok: true, value };
    }
    case 'regex': {
      const match = capture.regex.exec(response.bodyText);
      if (match === null) return { ok: false, reason: `capture ${capture.as}: /${capture.regex.source}/ matched nothing in the body` };
      const value = match[capture.group];
      if (value === undefined) {
        return {
          ok: false,
          reason: `capture ${capture.as}: group ${capture.group} of /${capture.regex.source}/ took no part in the match`,
        };
      }
      return { ok: true, value };
    }
    case 'status':
      return { ok: true, value: String(response.status) };
  }
}

export type JsonMatch =
  { readonly kind: 'match'; readonly value: unknown } | { readonly kind: 'none' } | { readonly kind: 'error'; readonly message: string };

const NONE: JsonMatch = Object.freeze({ kind: 'none' });

/** The first value a JSONPath selects in a parsed body. Filter expressions run in jsonpath-plus's safe evaluator. */
export function firstJsonMatch(path: string, json: unknown): JsonMatch {
  let values: unknown;
  try {
    values = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (!Array.isArray(values) || values.length === 0) return NONE;
  return { kind: 'match', value: values[0] };
}

/** Strings as they are; numbers and booleans with String(); null, objects and arrays as JSON. */
function stringOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'null';
}

/** How many capturing groups a regex has: an empty alternative always matches, with every group unset. */
function groupCountOf(regex: RegExp): number {
  return (new RegExp(`${regex.source}|`, regex.flags).exec('') as RegExpExecArray).length - 1;
}
