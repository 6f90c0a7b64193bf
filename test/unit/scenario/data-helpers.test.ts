import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/scenario/seeded-random.js';
import { compileTemplate, renderTemplate, TemplateSyntaxError } from '../../../src/scenario/template.js';
import type { TemplateEscape } from '../../../src/scenario/template.js';

const NO_VARIABLES = { get: () => undefined };
const render = (text: string, random?: () => number, escape: TemplateEscape = 'none'): string =>
  renderTemplate(compileTemplate(text, { env: {}, escape }), NO_VARIABLES, random);
const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('data helpers in templates', () => {
  it('$randomString(n): n letters and digits', () => {
    const values = Array.from({ length: 50 }, () => render('{{ $randomString(12) }}'));
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(new Set(values).size).toBe(50);
  });

  it('$pick(\'a\', "b", 3): one of the values listed, each of them over many draws', () => {
    const random = seededRandom(7, 0);
    const seen = new Map<string, number>();
    for (let draw = 0; draw < 3000; draw++) {
      const value = render(`{{ $pick('a', "b c", 3, 'it\\'s') }}`, random);
      seen.set(value, (seen.get(value) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['3', 'a', 'b c', "it's"]);
    // Uniform: each near 750 of 3000 (a seeded stream, so this is exact and stable).
    for (const count of seen.values()) expect(count).toBeGreaterThan(650);
    expect(render(`{{ $pick('a b') }}`, undefined, 'uri')).toBe('a%20b');
  });

  it('$now: the time as ISO-8601', () => {
    const before = Date.now();
    const value = render('{{ $now }}');
    expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(value)).toBeGreaterThanOrEqual(before - 1);
  });

  it('with a seed, every random helper repeats its sequence per stream; streams and seeds differ', () => {
    const text = '{{ $uuid }} {{ $randomInt(1, 1000000) }} {{ $randomString(8) }} {{ $pick(1, 2, 3, 4, 5, 6, 7, 8, 9) }}';
    const sequence = (seed: number, stream: number): string[] => {
      const random = seededRandom(seed, stream);
      return Array.from({ length: 5 }, () => render(text, random));
    };
    expect(sequence(42, 3)).toEqual(sequence(42, 3));
    expect(sequence(42, 3)).not.toEqual(sequence(42, 4));
    expect(sequence(42, 3)).not.toEqual(sequence(43, 3));
    for (const line of sequence(42, 3)) expect(line.split(' ')[0]).toMatch(V4_UUID);
    expect(render('{{ $uuid }}')).toMatch(V4_UUID);
  });

  it('refuses bad arguments, at the offset of the template', () => {
    const refused = (text: string): TemplateSyntaxError => {
      try {
        compileTemplate(text, { env: {} });
      } catch (error) {
        if (error instanceof TemplateSyntaxError) return error;
      }
      throw new Error(`${text} compiled`);
    };
    expect(refused('/x/{{ $randomString(0) }}')).toMatchObject({ offset: 3 });
    expect(refused('{{ $randomString(10001) }}').message).toContain('from 1 to 10000');
    expect(refused('{{ $randomString }}').message).toContain('$randomString(n)');
    expect(refused('{{ $pick() }}').message).toContain("$pick('a', 'b', ...)");
    expect(refused("{{ $pick('a' 'b') }}").message).toContain('bad arguments to $pick');
    expect(refused("{{ $pick('a', b) }}").message).toContain('bad arguments to $pick');
    expect(refused("{{ $pick('a') x }}").message).toContain('bad arguments to $pick');
    expect(refused('{{ $now(1) }}').message).toContain('it takes none');
  });
});
