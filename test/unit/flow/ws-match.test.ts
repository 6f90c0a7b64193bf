import { describe, expect, it } from 'vitest';
import type { ProtocolUser } from '../../../src/flow/protocol-step.js';
import { wsMatcherOf } from '../../../src/flow/ws-match.js';
import { compileRequest } from '../../../src/plan/compile-request.js';
import type { PlannedWsExpect, PlannedWsStep } from '../../../src/plan/planned-ws.js';
import { renderTemplate } from '../../../src/scenario/template.js';
import type { WsExpect } from '../../../src/scenario/types.js';

const variables: Record<string, string> = { room: 'room-7' };
const user: ProtocolUser = {
  userIndex: 0,
  get: (name) => variables[name],
  render(template) {
    return renderTemplate(template, this);
  },
  set: (name, value) => void (variables[name] = value),
  redact: (text) => text,
};

function matcher(expect: WsExpect) {
  const step = compileRequest({ ws: '/ws', steps: [{ expect }] }, 'http://h:1').protocol as PlannedWsStep;
  return wsMatcherOf((step.actions[0] as { expect: PlannedWsExpect }).expect, user, new Map());
}

describe('wsMatcherOf', () => {
  it('json + equals: compared as JSON; a string rendered from its template; a non-JSON message never matches', () => {
    expect(matcher({ json: '$.type', equals: 'hello' }).matches('{"type":"hello"}')).toBe(true);
    expect(matcher({ json: '$.type', equals: 'hello' }).matches('{"type":"bye"}')).toBe(false);
    expect(matcher({ json: '$.type', equals: 'hello' }).matches('hello')).toBe(false);
    expect(matcher({ json: '$.n', equals: 1 }).matches('{"n":1}')).toBe(true);
    expect(matcher({ json: '$.n', equals: 1 }).matches('{"n":"1"}')).toBe(false);
    expect(matcher({ json: '$.n', equals: '1' }).matches('{"n":1}')).toBe(false);
    expect(matcher({ json: '$.room', equals: '{{ room }}' }).matches('{"room":"room-7"}')).toBe(true);
    expect(matcher({ json: '$.a', equals: { b: [1] } }).matches('{"a":{"b":[1]}}')).toBe(true);
  });

  it('json alone: the path selects something; with contains or regex: on the value as text', () => {
    expect(matcher({ json: '$.room' }).matches('{"room":null}')).toBe(true);
    expect(matcher({ json: '$.room' }).matches('{"other":1}')).toBe(false);
    expect(matcher({ json: '$.msg', contains: 'room-7' }).matches('{"msg":"in room-7 now"}')).toBe(true);
    expect(matcher({ json: '$.list', contains: '2' }).matches('{"list":[1,2]}')).toBe(true);
    expect(matcher({ json: '$.n', regex: '^4\\d$' }).matches('{"n":42}')).toBe(true);
  });

  it('text, contains and regex on the whole message', () => {
    expect(matcher({ text: 'ping {{ room }}' }).matches('ping room-7')).toBe(true);
    expect(matcher({ text: 'ping' }).matches('ping ')).toBe(false);
    expect(matcher({ contains: 'ng' }).matches('ping')).toBe(true);
    expect(matcher({ regex: '^p.ng$' }).matches('pong')).toBe(true);
    expect(matcher({ regex: '^p.ng$' }).matches('pongs')).toBe(false);
  });

  it('throws as rendering does when a variable is missing', () => {
    expect(() => matcher({ text: '{{ nobody }}' })).toThrow(/nobody/);
  });
});
