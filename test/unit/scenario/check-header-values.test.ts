import { describe, expect, it } from 'vitest';
import { checkHeaderValues, headerValueProblem } from '../../../src/scenario/check-header-values.js';
import { checkScenario } from '../../../src/scenario/check-scenario.js';
import type { ScenarioData, SingleScenarioData } from '../../../src/scenario/types.js';

const CRLF = 'must not contain CR, LF or NUL';

describe('headerValueProblem', () => {
  it('accepts what RFC 9110 calls a field value: visible ASCII, Latin-1, inner spaces and tabs, nothing at all', () => {
    for (const value of ['', 'text/plain; charset=utf-8', 'a b\tc', 'Müller ñ ÿ', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '\u0080\u00a0x']) {
      expect(headerValueProblem(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('refuses CR, LF and NUL anywhere, naming the character and where it is', () => {
    expect(headerValueProblem('foo\r\nbar')).toBe(`${CRLF} (got "\\r" at character 4)`);
    expect(headerValueProblem('foo\nbar')).toBe(`${CRLF} (got "\\n" at character 4)`);
    expect(headerValueProblem('a\u0000b')).toBe(`${CRLF} (got "\\u0000" at character 2)`);
  });

  it('refuses other control characters (DEL among them) but not tab', () => {
    expect(headerValueProblem('a\u0007')).toBe('must not contain control characters other than tab (got "\\u0007" at character 2)');
    expect(headerValueProblem('a\u007fb')).toBe('must not contain control characters other than tab (got "\\u007f" at character 2)');
  });

  it('refuses characters past Latin-1, counting characters by code point', () => {
    expect(headerValueProblem('ü€')).toBe('must be Latin-1 (got "€" at character 2)');
    expect(headerValueProblem('😀x€')).toBe('must be Latin-1 (got "😀" at character 1)');
    expect(headerValueProblem('ab\u0100')).toBe('must be Latin-1 (got "Ā" at character 3)');
  });

  it('refuses a leading or trailing space or tab rather than trimming it', () => {
    const message = 'must not start or end with a space or tab (a server drops them): remove them';
    for (const value of [' x', 'x ', '\tx', 'x\t', ' ', ' {{ token }}', '{{ token }} '])
      expect(headerValueProblem(value), JSON.stringify(value)).toBe(message);
  });

  it('skips {{ }} templates (their rendered value is checked when sent), counting their characters', () => {
    expect(headerValueProblem('Bearer {{ token }}')).toBeUndefined();
    expect(headerValueProblem('{{ a }}{{ b }}')).toBeUndefined();
    expect(headerValueProblem('{{ a }}€')).toBe('must be Latin-1 (got "€" at character 8)');
    expect(headerValueProblem('{{ a \n')).toBe(`${CRLF} (got "\\n" at character 6)`);
  });
});

describe('checkHeaderValues', () => {
  const base: SingleScenarioData = {
    target: 'http://127.0.0.1:8080',
    requests: [{ path: '/' }],
    load: { profile: 'constant', users: 1, duration: '1s' },
  };

  it('checks requests, setup, before, flow steps and defaults, at each header value', () => {
    const bad = { 'x-a': 'foo\r\nbar', 'x-ok': 'fine', 'x-n': 5 };
    const data: ScenarioData = {
      target: 'http://127.0.0.1:8080',
      load: base.load,
      defaults: { headers: bad },
      setup: [{ path: '/', headers: bad }],
      before: [{ think: '1s' }, { path: '/', headers: bad }],
      flows: [{ name: 'f', steps: [{ path: '/' }, { path: '/', headers: bad }] }],
    };
    const message = `header values ${CRLF} (got "\\r" at character 4)`;
    expect(checkHeaderValues(data)).toEqual([
      { path: ['defaults', 'headers', 'x-a'], at: 'value', message },
      { path: ['setup', 0, 'headers', 'x-a'], at: 'value', message },
      { path: ['before', 1, 'headers', 'x-a'], at: 'value', message },
      { path: ['flows', 0, 'steps', 1, 'headers', 'x-a'], at: 'value', message },
    ]);
  });

  it('checks a bearer token (it becomes the authorization header), not basic credentials (base64-encoded)', () => {
    const data: ScenarioData = {
      ...base,
      defaults: { auth: { bearer: 'abc\ndef' } },
      requests: [
        { path: '/', auth: { bearer: 'tökén€' } },
        { path: '/', auth: { basic: { username: 'ü€', password: 'a\r\nb' } } },
      ],
    };
    expect(checkHeaderValues(data)).toEqual([
      {
        path: ['defaults', 'auth', 'bearer'],
        at: 'value',
        message: `a bearer token (sent in the authorization header) ${CRLF} (got "\\n" at character 4)`,
      },
      {
        path: ['requests', 0, 'auth', 'bearer'],
        at: 'value',
        message: 'a bearer token (sent in the authorization header) must be Latin-1 (got "€" at character 6)',
      },
    ]);
  });

  it('is part of checkScenario', () => {
    expect(checkScenario({ ...base, requests: [{ path: '/', headers: { 'x-c': 'ü€' } }] })).toEqual([
      { path: ['requests', 0, 'headers', 'x-c'], at: 'value', message: 'header values must be Latin-1 (got "€" at character 2)' },
    ]);
  });
});
