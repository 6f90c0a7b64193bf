import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../../src/scenario/env.js';
import type { Environment } from '../../../src/scenario/env.js';
import { withCpuTime } from '../../helpers/cpu-time.js';

/**
 * Property-based tests of `${VAR}` / `${VAR:-default}` substitution. Its contract: a Substitution (value,
 * missing, used, malformed); it never throws; text without `${` comes back as is; `$${` is a literal `${`.
 * Every call's CPU time is held to a budget (a synchronous hang cannot be interrupted), each property has a time limit.
 */
const RUNS = { numRuns: 1000, interruptAfterTimeLimit: 1_000 } as const;
/** Far above a linear pass over the longest inputs (≈ 60 KB, a few ms), far below a quadratic one (seconds). */
const CALL_BUDGET_MS = 250;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
/** Text made of the pieces substitution cares about, and unicode, and the rest. */
const envish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '${',
        '$${',
        '$$',
        '$',
        '{',
        '}',
        ':-',
        ':',
        '-',
        '{{',
        '}}',
        ' ',
        '\n',
        '\u2028',
        '😀',
        '\ud800',
        '\0',
        'NaN',
        '1e999',
        '9'.repeat(40),
      ),
      name,
      fc.string({ maxLength: 4 }),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''));
const anyText = fc.oneof(
  envish,
  fc.string(),
  fc.string({ unit: 'binary' }),
  // Long runs of openers without closers, the shape that makes a regex backtrack.
  fc
    .tuple(fc.constantFrom('${', '$', '${A', '${A:-', '$${', '{'), fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom('', '}', 'x'))
    .map(([piece, count, end]) => piece.repeat(count) + end),
);
const anyEnv: fc.Arbitrary<Environment> = fc.dictionary(
  fc.oneof(name, fc.constantFrom('A', 'B', 'HOST', 'USERS')),
  fc.oneof(envish, fc.constant('')),
  {
    maxKeys: 6,
  },
);
/** Text in which substitution finds nothing to do: no `$` at all, or `$` never followed by `{`. */
const noDollar = fc
  .string({ unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('{', '}', ':-', '{{')) })
  .map((text) => text.replaceAll('$', ''));

function timedSubstitute(text: string, env: Environment): ReturnType<typeof substituteEnv> {
  const { value, cpuMs } = withCpuTime(() => substituteEnv(text, env));
  expect(cpuMs).toBeLessThan(CALL_BUDGET_MS);
  return value;
}

/** A literal text written so that substitution gives it back: every `${` as `$${`. */
function escaped(text: string): string {
  return text.replaceAll('${', () => '$${'); // a function: in a replacement string, $$ would stand for $
}

describe('substituteEnv (fuzz)', () => {
  it('never throws; lists valid names only, each once; a used name is set and non-empty, a missing one is not', () => {
    fc.assert(
      fc.property(anyText, anyEnv, (text, env) => {
        const result = timedSubstitute(text, env);
        expect(typeof result.value).toBe('string');
        for (const list of [result.used, result.missing]) {
          expect(new Set(list).size).toBe(list.length);
          for (const variable of list) expect(variable).toMatch(NAME);
        }
        for (const variable of result.used) expect(env[variable]).toBeTruthy();
        for (const variable of result.missing) expect(env[variable] ?? '').toBe('');
        for (const reference of result.malformed) {
          expect(reference.startsWith('${')).toBe(true);
          expect(text).toContain(reference);
        }
        if (!text.includes('${')) expect(result).toEqual({ value: text, missing: [], used: [], malformed: [] });
      }),
      RUNS,
    );
  });

  it('text without $ is returned as is, whatever the environment', () => {
    fc.assert(
      fc.property(noDollar, anyEnv, (text, env) => {
        expect(substituteEnv(text, env)).toEqual({ value: text, missing: [], used: [], malformed: [] });
      }),
      RUNS,
    );
  });

  it('$${ escapes: any text with each ${ written $${ substitutes back to itself, reading nothing', () => {
    fc.assert(
      fc.property(anyText, anyEnv, (text, env) => {
        expect(substituteEnv(escaped(text), env)).toEqual({ value: text, missing: [], used: [], malformed: [] });
      }),
      RUNS,
    );
  });

  it('model: literal pieces, set variables, defaults and escapes substitute to the concatenation, values never read again', () => {
    type Piece =
      | { readonly kind: 'literal'; readonly text: string }
      | { readonly kind: 'set'; readonly name: string; readonly value: string; readonly fallback?: string }
      | { readonly kind: 'unset'; readonly name: string; readonly fallback: string };
    // A literal may not end in $ when a reference follows: `$` + `${A}` reads as `$${A}`, the escape (there is no
    // way to write a $ right before a reference: a limitation of the `$${` syntax, not of the implementation).
    const literal = fc.string().map((text): Piece => ({ kind: 'literal', text: text.replace(/\$+$/, '') }));
    // Values may hold ${...} themselves: they are inserted as they are, never substituted again.
    const set = fc
      .record({
        name,
        value: fc.oneof(envish, fc.constant('${OTHER}')).filter((value) => value !== ''),
        fallback: fc.option(fc.string(), { nil: undefined }),
      })
      .map(({ name: variable, value, fallback }): Piece => ({
        kind: 'set',
        name: variable,
        value,
        ...(fallback === undefined ? {} : { fallback }),
      }));
    // A default runs to the first }, and may not hold ${ (a nested reference is malformed).
    const unset = fc
      .record({ name, fallback: fc.string().map((text) => text.replaceAll('}', '').replaceAll('${', '')) })
      .map(({ name: variable, fallback }): Piece => ({ kind: 'unset', name: `UNSET_${variable}`, fallback }));
    fc.assert(
      fc.property(fc.array(fc.oneof(literal, set, unset), { maxLength: 8 }), (pieces) => {
        const env: Record<string, string> = {};
        for (const piece of pieces) if (piece.kind === 'set') env[piece.name] ??= piece.value;
        let text = '';
        let expected = '';
        const used: string[] = [];
        for (const piece of pieces) {
          switch (piece.kind) {
            case 'literal':
              text += escaped(piece.text);
              expected += piece.text;
              break;
            case 'set':
              text +=
                piece.fallback === undefined
                  ? `\${${piece.name}}`
                  : `\${${piece.name}:-${piece.fallback.replaceAll('}', '').replaceAll('${', '')}}`;
              expected += env[piece.name];
              if (!used.includes(piece.name)) used.push(piece.name);
              break;
            case 'unset':
              text += `\${${piece.name}:-${piece.fallback}}`;
              expected += piece.fallback;
              break;
          }
        }
        expect(substituteEnv(text, env)).toEqual({ value: expected, missing: [], used, malformed: [] });
      }),
      RUNS,
    );
  });

  it('a variable without default that is unset or empty is missing, and its reference is left as written', () => {
    fc.assert(
      fc.property(
        name,
        fc.constantFrom(undefined, ''),
        fc.string().map((text) => text.replaceAll('$', '')),
        (variable, value, around) => {
          const text = `${around}\${${variable}}${around}`;
          const env: Environment = value === undefined ? {} : { [variable]: value };
          expect(substituteEnv(text, env)).toEqual({ value: text, missing: [variable], used: [], malformed: [] });
        },
      ),
      RUNS,
    );
  });
});

describe('substituteEnv: counterexamples found by the fuzz tests', () => {
  it('a default holding a nested reference is malformed, not a silent literal "${B}"', () => {
    // Before: ${A:-${B}} gave the text "${B}" (the default ran to the first }), B never read, nothing reported.
    expect(substituteEnv('${A:-${B}}', { B: 'b' })).toEqual({ value: '${A:-${B}}', missing: [], used: [], malformed: ['${A:-${B}'] });
    expect(substituteEnv('${A:-x}', {}).value).toBe('x');
  });
});
