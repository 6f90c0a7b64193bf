import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { checkOutputSpec, parseOutputSpec, shownTarget } from '../../../src/outputs/output-spec.js';

describe('parseOutputSpec', () => {
  it('takes KIND=TARGET, the target as written (an = in it too)', () => {
    expect(parseOutputSpec('jsonl=out/run.jsonl')).toEqual({
      kind: 'jsonl',
      target: 'out/run.jsonl',
      source: '--output "jsonl=out/run.jsonl"',
    });
    expect(parseOutputSpec('jsonl=-').target).toBe('-');
    expect(parseOutputSpec('otlp=http://127.0.0.1:4318').kind).toBe('otlp');
    expect(parseOutputSpec('prometheus-rw=https://h/api/v1/write?a=b').target).toBe('https://h/api/v1/write?a=b');
  });

  it.each([
    ['jsnl=x', 'unknown kind "jsnl"; did you mean jsonl? (kinds: jsonl, otlp, prometheus-rw)'],
    ['otpl=http://h:4318', 'did you mean otlp?'],
    ['prom-rw=http://h', 'did you mean prometheus-rw?'],
    ['graphite=http://h', 'unknown kind "graphite" (kinds: jsonl, otlp, prometheus-rw)'],
    ['=x', 'no kind'],
    ['jsonl', 'expected KIND=TARGET'],
    ['jsonl=', 'no target: jsonl= needs a file, or - for stdout'],
    ['prometheus-rw=', 'no target: prometheus-rw= needs the URL of a remote-write receiver'],
    ['otlp=localhost:4318', 'only http and https URLs are supported'],
    ['otlp=127.0.0.1:4318', '"127.0.0.1:4318" is not a URL (expected http://HOST:PORT/…)'],
    ['prometheus=http://h', 'did you mean prometheus-rw?'],
    ['otlp=http//x', 'is not a URL'],
  ])('refuses %s: %s', (text, message) => {
    expect(() => parseOutputSpec(text)).toThrow(UsageError);
    expect(() => parseOutputSpec(text)).toThrow(message);
  });

  it('names what asked for a spec from the scenario', () => {
    expect(() => checkOutputSpec('otlp', 'ftp://x', 'report.outputs[1] in s.yml')).toThrow(
      /^report\.outputs\[1\] in s\.yml: "ftp:\/\/x": only http/,
    );
  });
});

describe('shownTarget', () => {
  it("hides a URL's password, leaves the rest", () => {
    expect(shownTarget('http://user:secret@h:9090/api/v1/write')).toBe('http://user:***@h:9090/api/v1/write');
    expect(shownTarget('http://h:4318')).toBe('http://h:4318');
    expect(shownTarget('out.jsonl')).toBe('out.jsonl');
  });
});
