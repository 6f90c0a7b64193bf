import { describe, expect, it } from 'vitest';
import { createResponseView } from '../../../src/flow/response-view.js';

describe('createResponseView', () => {
  it('reads headers by lower-case name, joining repeated ones', () => {
    const view = createResponseView(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], empty: [] }, undefined);
    expect(view.status).toBe(201);
    expect(view.header('content-type')).toBe('application/json');
    expect(view.header('Content-Type')).toBe('application/json');
    expect(view.header('set-cookie')).toBe('a=1, b=2');
    expect(view.header('empty')).toBeUndefined();
    expect(view.header('x-missing')).toBeUndefined();
  });

  it('reads only headers the response has: constructor, toString and __proto__ are not inherited ones', () => {
    const view = createResponseView(200, { 'content-type': 'text/plain' }, undefined);
    for (const name of ['constructor', 'toString', '__proto__', 'Constructor']) expect(view.header(name)).toBeUndefined();
    expect(
      createResponseView(200, JSON.parse('{"constructor": "c", "__proto__": "p"}') as Record<string, string>, undefined).header(
        '__proto__',
      ),
    ).toBe('p');
  });

  it('decodes the body once as UTF-8, empty without one', () => {
    expect(createResponseView(204, {}, undefined).bodyText).toBe('');
    const view = createResponseView(200, {}, Buffer.from('héllo', 'utf8'));
    expect(view.bodyText).toBe('héllo');
    expect(view.bodyText).toBe(view.bodyText);
  });

  it('parses JSON once, and says when the body is not JSON', () => {
    const view = createResponseView(200, {}, Buffer.from('{"a":[1,2]}'));
    const first = view.json();
    expect(first).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(view.json()).toBe(first);
    expect(createResponseView(200, {}, Buffer.from('<html>')).json()).toEqual({ ok: false });
    expect(createResponseView(200, {}, undefined).json()).toEqual({ ok: false });
  });
});
