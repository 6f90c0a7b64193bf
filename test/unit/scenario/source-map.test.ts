import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { displayPath, pointerToPath, SourceMap } from '../../../src/scenario/source-map.js';

function sourceMapOf(text: string): SourceMap {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return new SourceMap(doc, lines);
}

describe('pointerToPath', () => {
  it('splits a JSON pointer into segments and unescapes ~1 and ~0', () => {
    expect(pointerToPath('')).toEqual([]);
    expect(pointerToPath('/requests/0/url')).toEqual(['requests', '0', 'url']);
    expect(pointerToPath('/sla/requests/GET ~1items~0x')).toEqual(['sla', 'requests', 'GET /items~x']);
  });
});

describe('displayPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(displayPath([])).toBe('');
    expect(displayPath(['load', 'users'])).toBe('load.users');
    expect(displayPath(['requests', 1, 'url'])).toBe('requests[1].url');
    expect(displayPath(['requests', '0', 'headers', 'x-id'])).toBe('requests[0].headers.x-id');
  });

  it('quotes keys that are not plain names', () => {
    expect(displayPath(['sla', 'requests', 'POST /login'])).toBe('sla.requests["POST /login"]');
    expect(displayPath(['headers', 'a"b'])).toBe('headers["a\\"b"]');
    expect(displayPath(['1x'])).toBe('["1x"]');
  });
});

describe('SourceMap.locate', () => {
  const text = [
    'target: http://127.0.0.1:8080', // 1
    'requests:', // 2
    '  - path: /', // 3
    '  - path: /login', // 4
    '    method: POST', // 5
    'load:', // 6
    '  profile: constant', // 7
    '  users: &n 5', // 8
    'sla:', // 9
    '  requests: { home: { p95_latency_ms: *n } }', // 10
    '',
  ].join('\n');
  const map = sourceMapOf(text);

  it('finds the value at a path', () => {
    expect(map.locate(['target'])).toEqual({ line: 1, column: 9 });
    expect(map.locate(['requests', 1, 'method'])).toEqual({ line: 5, column: 13 });
    expect(map.locate(['requests', '1', 'path'])).toEqual({ line: 4, column: 11 });
  });

  it('finds the key at a path with at: key', () => {
    expect(map.locate(['load', 'users'], 'key')).toEqual({ line: 8, column: 3 });
    expect(map.locate(['sla', 'requests', 'home'], 'key')).toEqual({ line: 10, column: 15 });
  });

  it('gives the value itself, not its anchor, for an anchored value', () => {
    expect(map.locate(['load', 'users'])).toEqual({ line: 8, column: 13 });
  });

  it('follows an alias to the value it names, where the text is written', () => {
    expect(map.locate(['sla', 'requests', 'home', 'p95_latency_ms'])).toEqual({ line: 8, column: 13 });
  });

  it('falls back to the deepest existing ancestor for a path that does not exist', () => {
    expect(map.locate(['load', 'duration'])).toEqual({ line: 7, column: 3 });
    expect(map.locate(['load', 'duration'], 'key')).toEqual({ line: 6, column: 1 });
    expect(map.locate(['requests', 7, 'path'])).toEqual({ line: 3, column: 3 });
    expect(map.locate(['target', 'host'])).toEqual({ line: 1, column: 9 });
  });

  it('gives the start of the document for the empty path', () => {
    expect(map.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('points at the key of a key without a value', () => {
    expect(sourceMapOf('load:\nname: x\n').locate(['load', 'users'], 'key')).toEqual({ line: 1, column: 1 });
  });
});
