import { describe, expect, it } from 'vitest';
import { compileCapture, extractCapture } from '../../../src/flow/capture.js';
import { createResponseView } from '../../../src/flow/response-view.js';
import type { ResponseView } from '../../../src/flow/response-view.js';

function response(body: string | undefined, headers: Record<string, string | string[]> = {}, status = 200): ResponseView {
  return createResponseView(status, headers, body === undefined ? undefined : Buffer.from(body, 'utf8'));
}

const JSON_BODY = JSON.stringify({
  token: 'abc',
  count: 3,
  active: true,
  nothing: null,
  user: { id: 7, tags: ['a', 'b'] },
  items: [{ id: 'first' }, { id: 'second' }],
});

describe('compileCapture', () => {
  it('compiles each kind', () => {
    expect(compileCapture({ as: 'token', json: '$.token' })).toEqual({ kind: 'json', as: 'token', path: '$.token' });
    expect(compileCapture({ as: 'sid', header: 'Set-Cookie' })).toEqual({ kind: 'header', as: 'sid', name: 'set-cookie' });
    expect(compileCapture({ as: 'code', status: true })).toEqual({ kind: 'status', as: 'code' });
    expect(compileCapture({ as: 'id', regex: 'id=(\\d+)' })).toMatchObject({ kind: 'regex', group: 1 });
    expect(compileCapture({ as: 'id', regex: 'id=\\d+' })).toMatchObject({ kind: 'regex', group: 0 });
    expect(compileCapture({ as: 'id', regex: '(a)(b)', group: 2 })).toMatchObject({ kind: 'regex', group: 2 });
  });

  it('refuses a group the regex does not have, and a regex that does not compile', () => {
    expect(() => compileCapture({ as: 'id', regex: 'id=(\\d+)', group: 2 })).toThrow(
      'capture id: the regex /id=(\\d+)/ has 1 group; group 2 does not exist',
    );
    expect(() => compileCapture({ as: 'id', regex: '(' })).toThrow(SyntaxError);
  });
});

describe('extractCapture', () => {
  const capture = (spec: Parameters<typeof compileCapture>[0], view: ResponseView) => extractCapture(compileCapture(spec), view);

  it('json: strings as they are, numbers and booleans with String(), objects and null as JSON, the first of several', () => {
    const view = response(JSON_BODY);
    expect(capture({ as: 't', json: '$.token' }, view)).toEqual({ ok: true, value: 'abc' });
    expect(capture({ as: 't', json: '$.count' }, view)).toEqual({ ok: true, value: '3' });
    expect(capture({ as: 't', json: '$.active' }, view)).toEqual({ ok: true, value: 'true' });
    expect(capture({ as: 't', json: '$.nothing' }, view)).toEqual({ ok: true, value: 'null' });
    expect(capture({ as: 't', json: '$.user' }, view)).toEqual({ ok: true, value: '{"id":7,"tags":["a","b"]}' });
    expect(capture({ as: 't', json: '$.user.tags' }, view)).toEqual({ ok: true, value: '["a","b"]' });
    expect(capture({ as: 't', json: '$.items[*].id' }, view)).toEqual({ ok: true, value: 'first' });
    expect(capture({ as: 't', json: "$.items[?(@.id === 'second')].id" }, view)).toEqual({ ok: true, value: 'second' });
  });

  it('json: no match, or a body that is not JSON', () => {
    expect(capture({ as: 'token', json: '$.missing' }, response(JSON_BODY))).toEqual({
      ok: false,
      reason: 'capture token: $.missing matched nothing in the JSON body',
    });
    expect(capture({ as: 'token', json: '$.token' }, response('<html>'))).toEqual({
      ok: false,
      reason: 'capture token: the body is not JSON',
    });
    expect(capture({ as: 'token', json: '$.token' }, response(undefined))).toEqual({
      ok: false,
      reason: 'capture token: the body is not JSON',
    });
  });

  it('header: by any case, repeated values joined; absent', () => {
    const view = response('', { 'set-cookie': ['sid=1; Path=/', 'theme=dark'], location: '/next' });
    expect(capture({ as: 'where', header: 'Location' }, view)).toEqual({ ok: true, value: '/next' });
    expect(capture({ as: 'sid', header: 'set-cookie' }, view)).toEqual({ ok: true, value: 'sid=1; Path=/, theme=dark' });
    expect(capture({ as: 'sid', header: 'Set-Cookie' }, response(''))).toEqual({ ok: false, reason: 'capture sid: no set-cookie header' });
  });

  it('regex: group 1 by default when there is one, else the whole match; a chosen group', () => {
    const view = response('<input name="csrf" value="x9y8"> order=123-456');
    expect(capture({ as: 'csrf', regex: 'value="([^"]+)"' }, view)).toEqual({ ok: true, value: 'x9y8' });
    expect(capture({ as: 'order', regex: 'order=\\d+-\\d+' }, view)).toEqual({ ok: true, value: 'order=123-456' });
    expect(capture({ as: 'order', regex: 'order=(\\d+)-(\\d+)', group: 2 }, view)).toEqual({ ok: true, value: '456' });
    expect(capture({ as: 'order', regex: 'order=(\\d+)', group: 0 }, view)).toEqual({ ok: true, value: 'order=123' });
  });

  it('regex: no match, or a group that took no part', () => {
    const view = response('nothing here');
    expect(capture({ as: 'id', regex: 'id=(\\d+)' }, view)).toEqual({
      ok: false,
      reason: 'capture id: /id=(\\d+)/ matched nothing in the body',
    });
    expect(capture({ as: 'id', regex: 'nothing (x)?' }, view)).toEqual({
      ok: false,
      reason: 'capture id: group 1 of /nothing (x)?/ took no part in the match',
    });
  });

  it('status: always there', () => {
    expect(capture({ as: 'code', status: true }, response(undefined, {}, 404))).toEqual({ ok: true, value: '404' });
  });
});
