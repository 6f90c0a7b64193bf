import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compileJsonBodyTemplate,
  compileTemplate,
  hasTemplate,
  MissingVariableError,
  renderTemplate,
  TemplateSyntaxError,
} from '../../../src/scenario/template.js';
import type { Template, TemplateEscape, TemplateScope } from '../../../src/scenario/template.js';
import { withCpuTime } from '../../helpers/cpu-time.js';

/**
 * Property-based tests of `{{ }}` templates. The contract: compiling throws nothing but TemplateSyntaxError
 * (its offset at the offending `{{`); rendering throws nothing but MissingVariableError; text without `{{` is
 * static and renders to itself. Every call's CPU time is held to a budget (a synchronous hang cannot be
 * interrupted), and each property has a time limit.
 */
const RUNS = { numRuns: 500, interruptAfterTimeLimit: 1_000 } as const;
/** Far above a linear pass over the longest inputs (≈ 60 KB, a few ms), far below a quadratic one (seconds). */
const CALL_BUDGET_MS = 250;
const ESCAPES: readonly TemplateEscape[] = ['none', 'uri', 'json'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
/** Any string that is well-formed UTF-16 (no lone surrogate): what a scenario, a data file or a decoded body holds. */
const wellFormed = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.constantFrom('"', '\\', '\n', '\u2028', '\u2029', '\0', '%', '😀', 'é'),
  ),
});

/** Text shaped like templates, with the edges a parser trips on. */
const templateish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '{{',
        '}}',
        '{',
        '}',
        ' ',
        '$',
        '$uuid',
        '$timestamp',
        '$randomInt',
        '(',
        ')',
        ',',
        '-',
        '$env',
        '.',
        '${',
        ':-',
        '"',
        '\\',
        '\n',
        'NaN',
        '1e999',
        '9'.repeat(30),
        '😀',
        '\u2028',
      ),
      identifier,
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''));
const anyText = fc.oneof(
  templateish,
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc
    .tuple(
      fc.constantFrom('{{', '{{ a', '{{ a }', '{', '{{}}', '{{ $randomInt(1,'),
      fc.integer({ min: 1_000, max: 20_000 }),
      fc.constantFrom('', '}}', 'x'),
    )
    .map(([piece, count, end]) => piece.repeat(count) + end),
);
const anyEnv = fc.dictionary(identifier, wellFormed, { maxKeys: 4 });

function timed<T>(run: () => T): T {
  const { value, cpuMs } = withCpuTime(run);
  expect(cpuMs).toBeLessThan(CALL_BUDGET_MS);
  return value;
}

function scopeOf(values: Readonly<Record<string, string>>): TemplateScope {
  return { get: (name) => (Object.hasOwn(values, name) ? values[name] : undefined) };
}

/** The template, or the TemplateSyntaxError it throws (anything else fails the test). */
function compiled(run: () => Template, text?: string): Template | TemplateSyntaxError {
  try {
    return timed(run);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateSyntaxError);
    const syntaxError = error as TemplateSyntaxError;
    if (text !== undefined) {
      // The offset points at the `{{` that is wrong.
      expect(text.slice(syntaxError.offset, syntaxError.offset + 2)).toBe('{{');
    }
    return syntaxError;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compileTemplate / renderTemplate (fuzz)', () => {
  it('compiling any text throws nothing but TemplateSyntaxError; rendering nothing but MissingVariableError', () => {
    fc.assert(
      fc.property(
        anyText,
        anyEnv,
        fc.constantFrom(...ESCAPES),
        fc.dictionary(identifier, wellFormed, { maxKeys: 4 }),
        (text, env, escape, values) => {
          const template = compiled(() => compileTemplate(text, { env, escape }), text);
          if (template instanceof TemplateSyntaxError) return;
          expect(template.source).toBe(text);
          for (const variable of template.variables) expect(text).toContain(variable);
          for (const name of template.envNames) expect(env[name]).toBeDefined();
          try {
            expect(typeof timed(() => renderTemplate(template, scopeOf(values)))).toBe('string');
          } catch (error) {
            expect(error).toBeInstanceOf(MissingVariableError);
            expect(template.variables).toContain((error as MissingVariableError).variable);
            expect(Object.hasOwn(values, (error as MissingVariableError).variable)).toBe(false);
          }
        },
      ),
      RUNS,
    );
  });

  it('text without {{ is static and renders to itself, whatever the escape, without a lookup', () => {
    const noOpen = fc
      .string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('{', '}', '}}', '$', '${')) })
      .filter((text) => !text.includes('{{'));
    fc.assert(
      fc.property(noOpen, fc.constantFrom(...ESCAPES), (text, escape) => {
        expect(hasTemplate(text)).toBe(false);
        const template = compileTemplate(text, { env: {}, escape });
        expect(template.isStatic).toBe(true);
        expect(renderTemplate(template, { get: () => expect.fail('a static template looks nothing up') })).toBe(text);
      }),
      RUNS,
    );
  });

  it('model: literal text and {{ name }} pieces (any spacing) render to the literals and the values, escaped as asked', () => {
    // A literal holds no `{{` and does not end in `{` (which would open a `{{` with the next piece).
    const literal = wellFormed.map((text) => text.replaceAll('{{', '{').replace(/\{+$/, ''));
    const piece = fc.oneof(
      literal.map((text) => ({ kind: 'literal' as const, text })),
      fc.tuple(identifier, fc.constantFrom('', ' ', '  ', '\t', '\n')).map(([name, space]) => ({ kind: 'variable' as const, name, space })),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }),
        fc.dictionary(identifier, wellFormed),
        fc.constantFrom(...ESCAPES),
        (pieces, values, escape) => {
          const scope: Record<string, string> = { ...values };
          for (const item of pieces) if (item.kind === 'variable') scope[item.name] ??= `value of ${item.name}`;
          const text = pieces.map((item) => (item.kind === 'literal' ? item.text : `{{${item.space}${item.name}${item.space}}}`)).join('');
          const expected = pieces
            .map((item) => (item.kind === 'literal' ? item.text : escaped(scope[item.name] as string, escape)))
            .join('');
          const template = compileTemplate(text, { env: {}, escape });
          expect(renderTemplate(template, scopeOf(scope))).toBe(expected);
          expect(template.variables).toEqual([...new Set(pieces.flatMap((item) => (item.kind === 'variable' ? [item.name] : [])))]);
        },
      ),
      RUNS,
    );
  });

  it("escape 'json' inside quotes always gives parseable JSON: the string of the literals and the values", () => {
    // Literals as a JSON author writes them (already escaped); values anything at all, lone surrogates included.
    const literal = wellFormed.map((text) => JSON.stringify(text).slice(1, -1).replaceAll('{{', '{').replace(/\{+$/, ''));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            literal,
            identifier.map((name) => ({ name })),
          ),
          { maxLength: 8 },
        ),
        fc.string({ unit: 'binary' }),
        (pieces, value) => {
          const text = pieces.map((item) => (typeof item === 'string' ? item : `{{ ${item.name} }}`)).join('');
          const rendered = renderTemplate(compileTemplate(text, { env: {}, escape: 'json' }), { get: () => value });
          const expected = pieces.map((item) => (typeof item === 'string' ? (JSON.parse(`"${item}"`) as string) : value)).join('');
          expect(JSON.parse(`"${rendered}"`)).toBe(expected);
        },
      ),
      RUNS,
    );
  });

  it('$env.NAME is read at compile time and escaped like a value; an unset one is a TemplateSyntaxError at its {{', () => {
    fc.assert(
      fc.property(identifier, wellFormed, fc.constantFrom(...ESCAPES), fc.boolean(), (name, value, escape, set) => {
        const text = `a{{ $env.${name} }}b`;
        const options = { env: set ? { [name]: value } : {}, escape };
        if (!set) {
          expect(() => compileTemplate(text, options)).toThrow(TemplateSyntaxError);
          return;
        }
        const template = compileTemplate(text, options);
        expect(template.isStatic).toBe(true);
        expect(template.envNames).toEqual([name]);
        expect(renderTemplate(template, scopeOf({}))).toBe(`a${escaped(value, escape)}b`);
      }),
      RUNS,
    );
  });

  it('$randomInt(min, max) renders an integer in [min, max] for any Math.random in [0, 1); wrong bounds do not compile', () => {
    const bound = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.maxSafeInteger().map((value) => (value % 2 === 0 ? value : -value)),
    );
    fc.assert(
      fc.property(bound, bound, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (a, b, random) => {
        const text = `{{ $randomInt(${a}, ${b}) }}`;
        if (a > b) {
          expect(() => compileTemplate(text, { env: {} })).toThrow(TemplateSyntaxError);
          return;
        }
        const template = compileTemplate(text, { env: {} });
        vi.spyOn(Math, 'random').mockReturnValue(random);
        const rendered = Number(renderTemplate(template, scopeOf({})));
        vi.restoreAllMocks();
        expect(Number.isInteger(rendered)).toBe(true);
        expect(rendered).toBeGreaterThanOrEqual(a);
        expect(rendered).toBeLessThanOrEqual(b);
      }),
      RUNS,
    );
    for (const text of [
      '{{ $randomInt(1, 99999999999999999999) }}',
      '{{ $randomInt(NaN, 1) }}',
      '{{ $randomInt(1e3, 2e3) }}',
      '{{ $randomInt(1) }}',
    ]) {
      expect(() => compileTemplate(text, { env: {} }), text).toThrow(TemplateSyntaxError);
    }
  });

  it('$uuid renders a UUID v4 and $timestamp the time in ms, with any spacing', () => {
    fc.assert(
      fc.property(fc.constantFrom('', ' ', '  '), fc.constantFrom('', '()', ' ( ) '), (space, call) => {
        expect(renderTemplate(compileTemplate(`{{${space}$uuid${call}${space}}}`, { env: {} }), scopeOf({}))).toMatch(UUID_V4);
        const before = Date.now();
        const timestamp = Number(renderTemplate(compileTemplate(`{{${space}$timestamp${call}${space}}}`, { env: {} }), scopeOf({})));
        expect(timestamp).toBeGreaterThanOrEqual(before);
        expect(timestamp).toBeLessThanOrEqual(Date.now());
      }),
      { numRuns: 50 },
    );
  });
});

describe('compileJsonBodyTemplate (fuzz)', () => {
  it('any JSON value with templated string leaves renders to JSON that parses to the value, leaves substituted', () => {
    const leaf = fc
      .array(
        fc.oneof(
          wellFormed.map((text) => text.replaceAll('{{', '{').replace(/\{+$/, '')),
          identifier.map((name) => ({ name })),
        ),
        { maxLength: 4 },
      )
      .map((pieces) => new Leaf(pieces));
    const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => (value === 0 ? 0 : value)); // JSON has no -0
    const body = fc.letrec((tie) => ({
      value: fc.oneof({ maxDepth: 3 }, leaf, number, fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(
        fc.string({ maxLength: 6 }).filter((key) => key !== '__proto__'),
        tie('value'),
        { maxKeys: 4 },
      ),
    })).value;
    fc.assert(
      fc.property(body, fc.string({ unit: 'binary' }), (shape, value) => {
        const written = mapLeaves(shape, ({ pieces }) =>
          pieces.map((item) => (typeof item === 'string' ? item : `{{ ${item.name} }}`)).join(''),
        );
        const expected = mapLeaves(shape, ({ pieces }) => pieces.map((item) => (typeof item === 'string' ? item : value)).join(''));
        const template = timed(() => compileJsonBodyTemplate(written, { env: {} }));
        const rendered = renderTemplate(template, { get: () => value });
        expect(JSON.parse(rendered)).toEqual(expected);
        expect(JSON.parse(template.source)).toEqual(written);
      }),
      RUNS,
    );
  });

  it('any JSON value at all compiles (or throws TemplateSyntaxError) and, without {{, is exactly JSON.stringify', () => {
    fc.assert(
      fc.property(fc.jsonValue(), anyText, (value, text) => {
        const withText = Array.isArray(value) ? [...value, text] : { value, text };
        for (const shape of [value, withText]) {
          const template = compiled(() => compileJsonBodyTemplate(shape, { env: {} }));
          if (template instanceof TemplateSyntaxError || !template.isStatic) continue;
          expect(renderTemplate(template, scopeOf({}))).toBe(JSON.stringify(shape));
        }
      }),
      RUNS,
    );
  });
});

describe('templates: counterexamples found by the fuzz tests', () => {
  // A lone surrogate in a variable's value (a regex capture that splits an emoji, a JSON capture of "\ud800")
  // has no UTF-8 form: encodeURIComponent would throw URIError; it is sent as U+FFFD instead.
  it("escape 'uri' renders a value holding a lone surrogate as U+FFFD", () => {
    const template = compileTemplate('/items/{{ id }}', { env: {}, escape: 'uri' });
    expect(renderTemplate(template, scopeOf({ id: '\ud83d' }))).toBe('/items/%EF%BF%BD');
  });
});

/** What rendering inserts for a value: the module's own escapes, written out independently. */
function escaped(value: string, escape: TemplateEscape): string {
  switch (escape) {
    case 'none':
      return value;
    case 'uri':
      return encodeURIComponent(value);
    case 'json':
      return JSON.stringify(value).slice(1, -1).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
  }
}

/** A string leaf of a JSON body, as pieces: literal text and `{{ name }}` references. */
class Leaf {
  readonly pieces: readonly (string | { readonly name: string })[];

  constructor(pieces: readonly (string | { readonly name: string })[]) {
    this.pieces = pieces;
  }
}

function mapLeaves(value: unknown, map: (leaf: Leaf) => string): unknown {
  if (value instanceof Leaf) return map(value);
  if (Array.isArray(value)) return value.map((item) => mapLeaves(item, map));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapLeaves(item, map)]));
  return value;
}
