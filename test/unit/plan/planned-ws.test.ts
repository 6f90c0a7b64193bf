import { describe, expect, it } from 'vitest';
import { compileRequest } from '../../../src/plan/compile-request.js';
import { DEFAULT_WS_TIMEOUT_MS, DEFAULT_WS_WITHIN_MS, httpUrlOfWs } from '../../../src/plan/planned-ws.js';
import type { PlannedWsStep } from '../../../src/plan/planned-ws.js';
import { renderTemplate } from '../../../src/scenario/template.js';

const scope = (values: Record<string, string>) => ({ get: (name: string) => values[name] });

describe('a ws: step, compiled', () => {
  it('resolves a path on target to ws://, with the step timeout bounding the session (60s by default)', () => {
    const request = compileRequest({ ws: '/ws/echo?room={{ room }}', steps: [{ send: 'hi' }] }, 'http://127.0.0.1:8080/api', {
      headers: { 'x-team': 'a' },
      timeout: '2s',
      auth: { bearer: '{{ token }}' },
    });
    const step = request.protocol as PlannedWsStep;
    expect(request.name).toBe('WS /ws/echo?room={{ room }}');
    expect(request.timeoutMs).toBe(DEFAULT_WS_TIMEOUT_MS);
    expect(step.kind).toBe('ws');
    expect(step.origin).toBe('ws://127.0.0.1:8080');
    expect(renderTemplate(step.path, scope({ room: 'a b' }))).toBe('/api/ws/echo?room=a%20b');
    expect(step.headers.map((header) => [header.name, renderTemplate(header.value, scope({ token: 't' }))])).toEqual([
      ['x-team', 'a'],
      ['authorization', 'Bearer t'],
    ]);
  });

  it('keeps an absolute wss:// URL (https for the upgrade) and its own timeout', () => {
    const request = compileRequest({ name: 'feed', ws: 'wss://feed.example:8443/live', timeout: '5s', steps: [{ close: {} }] }, undefined);
    expect(request.origin).toBe('https://feed.example:8443');
    expect(request.timeoutMs).toBe(5000);
    expect((request.protocol as PlannedWsStep).origin).toBe('wss://feed.example:8443');
    expect((request.protocol as PlannedWsStep).actions).toEqual([{ kind: 'close', code: 1000, reason: '' }]);
    expect(httpUrlOfWs('WS://h/x')).toBe('http://h/x');
  });

  it('compiles each action: durations in ms, expects with their test and defaults', () => {
    const request = compileRequest(
      {
        ws: '/ws',
        steps: [
          { send: 'hello {{ user }}' },
          { expect: { json: '$.type', equals: 'hello' } },
          { expect: { json: '$.n', equals: 3, within: '250ms', strict: true } },
          { expect: { regex: '^p(i)ng$' } },
          { capture: { as: 'room', json: '$.room' } },
          { send_every: { message: 'ping', interval: '1s', count: 5, expect: { text: 'ping' } } },
          { close: { code: 1001, reason: 'bye' } },
        ],
      },
      'http://h:1',
    );
    const actions = (request.protocol as PlannedWsStep).actions;
    expect(actions.map((action) => action.kind)).toEqual(['send', 'expect', 'expect', 'expect', 'capture', 'sendEvery', 'close']);
    expect(actions[1]).toMatchObject({
      kind: 'expect',
      expect: { json: '$.type', test: { kind: 'equalsText' }, withinMs: DEFAULT_WS_WITHIN_MS, strict: false },
    });
    expect(actions[2]).toMatchObject({ expect: { test: { kind: 'equals', value: 3 }, withinMs: 250, strict: true } });
    expect(actions[3]).toMatchObject({ expect: { test: { kind: 'regex', source: '^p(i)ng$' } } });
    expect(actions[5]).toMatchObject({ kind: 'sendEvery', intervalMs: 1000, count: 5, expect: { test: { kind: 'text' } } });
    expect(actions[6]).toEqual({ kind: 'close', code: 1001, reason: 'bye' });
    // Plain data: a plan crosses to worker threads by structured clone.
    expect(structuredClone(request.protocol)).toEqual(request.protocol);
  });
});
