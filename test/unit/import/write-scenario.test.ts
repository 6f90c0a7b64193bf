import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scenarioText } from '../../../src/import/write-scenario.js';

const OPTIONS = { format: 'curl', source: 'in.txt', schemaPath: '../schemas/scenario.schema.json', output: 'out.yml' } as const;

describe('scenarioText', () => {
  it('writes the $schema line first, how to check and run it, the variables and notes, then the scenario with a small load', () => {
    const text = scenarioText(
      {
        scenario: {
          name: 'x',
          target: '${TARGET_URL:-http://a.test}',
          requests: [{ path: '/', headers: { authorization: 'Bearer ${AUTH_TOKEN}' } }],
        },
        notes: ['line 1: -k ignored', 'two\nlines'],
        env: ['AUTH_TOKEN'],
      },
      OPTIONS,
    );
    expect(text.split('\n').slice(0, 14)).toEqual([
      '# yaml-language-server: $schema=../schemas/scenario.schema.json',
      '#',
      '# Imported by `loadseed import curl` from in.txt.',
      '# Check it:  loadseed validate out.yml',
      '# Run it:    loadseed run out.yml',
      '#',
      '# Set these environment variables first (secrets of the input, replaced by placeholders):',
      '#   export AUTH_TOKEN=…',
      '#',
      '# Notes:',
      '# - line 1: -k ignored',
      '# - two lines',
      '',
      'name: x',
    ]);
    expect(text).toContain('\n\n# A small, safe load to try the scenario first: raise users and duration once it runs green.\nload:\n');
    expect(parse(text)).toEqual({
      name: 'x',
      target: '${TARGET_URL:-http://a.test}',
      requests: [{ path: '/', headers: { authorization: 'Bearer ${AUTH_TOKEN}' } }],
      load: { profile: 'constant', users: 1, duration: '10s' },
    });
  });

  it("writes the input's own ${ as $${ (a literal), but not the import's placeholders", () => {
    const text = scenarioText(
      {
        scenario: {
          name: 'x',
          load: { profile: 'constant', users: 2, duration: '1s' },
          requests: [{ path: '/${a}', body: '${TOKEN} ${TOKEN:-x} ${OTHER} ${ $${' }],
        },
        notes: [],
        env: ['TOKEN'],
      },
      OPTIONS,
    );
    const data = parse(text) as { requests: { path: string; body: string }[]; load: unknown };
    expect(data.requests[0]).toEqual({ path: '/$${a}', body: '${TOKEN} ${TOKEN:-x} $${OTHER} $${ $$${' });
    expect(data.load).toEqual({ profile: 'constant', users: 2, duration: '1s' });
  });
});
