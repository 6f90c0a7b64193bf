import { describe, expect, it } from 'vitest';
import { compileCapture } from '../../../src/flow/capture.js';
import { compileChecks, evaluateChecks, jsonEqual, needsBody, needsHeaders } from '../../../src/flow/checks.js';
import type { PlannedChecks } from '../../../src/flow/checks.js';
import { createResponseView } from '../../../src/flow/response-view.js';
import type { ResponseView } from '../../../src/flow/response-view.js';
import type { ExpectChecks } from '../../../src/scenario/types.js';

function response(body: string | undefined, headers: Record<string, string | string[]> = {}): ResponseView {
  return createResponseView(200, headers, body === undefined ? undefined : Buffer.from(body, 'utf8'));
}

function compiled(expect: ExpectChecks): PlannedChecks {
  const checks = compileChecks(expect);
  if (checks === undefined) throw new Error('expected checks');
  return checks;
}

describe('compileChecks', () => {
  it('has nothing to check for statuses, latency or no expect at all', () => {
    expect(compileChecks(undefined)).toBeUndefined();
    expect(compileChecks(200)).toBeUndefined();
    expect(compileChecks([200, 201])).toBeUndefined();
    expect(compileChecks({ status: 200, max_latency: '1s' })).toBeUndefined();
  });

  it('lower-cases header names and compiles the regex once', () => {
    const checks = compiled({ headers: { 'Content-Type': 'application/json' }, body_matches: '^ok$' });
    expect(checks.headers).toEqual([{ name: 'content-type', value: 'application/json' }]);
    expect(checks.bodyMatches).toBeInstanceOf(RegExp);
  });
});

describe('evaluateChecks', () => {
  it('headers: exact match, names case-insensitive', () => {
    const checks = compiled({ headers: { 'Content-Type': 'application/json' } });
    expect(evaluateChecks(checks, response('', { 'content-type': 'application/json' }))).toBeUndefined();
    expect(evaluateChecks(checks, response('', { 'content-type': 'text/html' }))).toBe(
      'check header content-type: expected "application/json", got "text/html"',
    );
    expect(evaluateChecks(checks, response('', {}))).toBe(
      'check header content-type: expected "application/json", but the header is absent',
    );
  });

  it('body_contains', () => {
    const checks = compiled({ body_contains: 'ok' });
    expect(evaluateChecks(checks, response('{"status":"ok"}'))).toBeUndefined();
    expect(evaluateChecks(checks, response('fail'))).toBe('check body_contains "ok" failed');
    expect(evaluateChecks(checks, response(undefined))).toBe('check body_contains "ok" failed');
  });

  it('body_matches', () => {
    const checks = compiled({ body_matches: '"id":\\s*\\d+' });
    expect(evaluateChecks(checks, response('{"id": 12}'))).toBeUndefined();
    expect(evaluateChecks(checks, response('{"id": "x"}'))).toBe('check body_matches /"id":\\s*\\d+/ failed');
  });

  it('json: deep equality with the first value', () => {
    const checks = compiled({
      json: [
        { path: '$.status', equals: 'ok' },
        { path: '$.data', equals: { b: [1, 2], a: null } },
        { path: '$.items[*].n', equals: 1 },
      ],
    });
    expect(evaluateChecks(checks, response('{"status":"ok","data":{"a":null,"b":[1,2]},"items":[{"n":1},{"n":2}]}'))).toBeUndefined();
    expect(evaluateChecks(checks, response('{"status":"error","data":{}}'))).toBe('check json $.status: expected "ok", got "error"');
    expect(evaluateChecks(checks, response('{"status":"ok","data":{"a":null,"b":[1]}}'))).toBe(
      'check json $.data: expected {"b":[1,2],"a":null}, got {"a":null,"b":[1]}',
    );
    expect(evaluateChecks(checks, response('{"data":{}}'))).toBe('check json $.status: expected "ok", matched nothing');
    expect(evaluateChecks(checks, response('<html>'))).toBe('check json $.status: the body is not JSON');
  });

  it('keeps reasons short: values clipped to 80 characters', () => {
    const long = 'x'.repeat(500);
    const reason = evaluateChecks(compiled({ json: [{ path: '$.v', equals: 'short' }] }), response(JSON.stringify({ v: long })));
    expect(reason).toBe(`check json $.v: expected "short", got ${`"${'x'.repeat(78)}`}…`);
    const header = evaluateChecks(compiled({ headers: { etag: 'a' } }), response('', { etag: long }));
    expect(header).toBe(`check header etag: expected "a", got "${'x'.repeat(79)}…"`);
  });

  it('redacts quoted values before clipping them: no part of a long secret is left', () => {
    const jwt = `eyJ${'a1B2c3'.repeat(30)}`;
    const redact = (text: string): string => text.split(jwt).join('***');
    const reason = evaluateChecks(
      compiled({ json: [{ path: '$.v', equals: 'short' }] }),
      response(JSON.stringify({ v: `Bearer ${jwt}` })),
      redact,
    );
    expect(reason).toBe('check json $.v: expected "short", got "Bearer ***"');
    const header = evaluateChecks(compiled({ headers: { authorization: 'a' } }), response('', { authorization: `Bearer ${jwt}` }), redact);
    expect(header).toBe('check header authorization: expected "a", got "Bearer ***"');
  });

  it('reports the first failure in order: headers, body_contains, body_matches, json', () => {
    const checks = compiled({ headers: { a: '1' }, body_contains: 'x', body_matches: 'y', json: [{ path: '$.z', equals: 1 }] });
    expect(evaluateChecks(checks, response('{}', {}))).toMatch(/^check header a/);
    expect(evaluateChecks(checks, response('{}', { a: '1' }))).toMatch(/^check body_contains/);
    expect(evaluateChecks(checks, response('{"x":0}', { a: '1' }))).toMatch(/^check body_matches/);
    expect(evaluateChecks(checks, response('{"x":0,"y":0}', { a: '1' }))).toMatch(/^check json/);
  });
});

describe('jsonEqual', () => {
  it('compares JSON values deeply, keys in any order', () => {
    expect(jsonEqual({ a: [1, { b: 'c' }] }, { a: [1, { b: 'c' }] })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
  });
});

describe('needsBody and needsHeaders', () => {
  it('asks for the body only for body checks and json/regex captures, headers only for header checks and captures', () => {
    expect(needsBody(undefined, [])).toBe(false);
    expect(needsHeaders(undefined, [])).toBe(false);
    expect(needsBody(compiled({ headers: { a: '1' } }))).toBe(false);
    expect(needsHeaders(compiled({ headers: { a: '1' } }))).toBe(true);
    expect(needsBody(compiled({ body_contains: 'x' }))).toBe(true);
    expect(needsBody(compiled({ json: [{ path: '$', equals: 1 }] }))).toBe(true);
    expect(needsBody(undefined, [compileCapture({ as: 'a', json: '$.a' })])).toBe(true);
    expect(needsBody(undefined, [compileCapture({ as: 'a', regex: 'a' })])).toBe(true);
    expect(needsBody(undefined, [compileCapture({ as: 'a', header: 'x' }), compileCapture({ as: 'b', status: true })])).toBe(false);
    expect(needsHeaders(undefined, [compileCapture({ as: 'a', header: 'x' })])).toBe(true);
    expect(needsHeaders(undefined, [compileCapture({ as: 'a', status: true })])).toBe(false);
  });
});
