import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from '../../../src/scenario/duration.js';
import { withCpuTime } from '../../helpers/cpu-time.js';

/**
 * Property-based tests of the duration parser. Its contract: milliseconds (finite, ≥ 0), or undefined for
 * anything that is not a duration; it never throws. A hang cannot be interrupted in-process (the parser is
 * synchronous), so every call's CPU time is held to a budget and each property has a time limit.
 */
const RUNS = { numRuns: 1000, interruptAfterTimeLimit: 1_000 } as const;
/** Far above a linear pass over the longest inputs (≈ 50 KB, a few ms), far below a quadratic one (seconds). */
const CALL_BUDGET_MS = 250;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Text that is almost a duration: digits, dots, units, signs, whitespace, NaN-ish words, unicode. */
const durationish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'ms',
        's',
        'm',
        'h',
        'd',
        '.',
        '-',
        '+',
        ' ',
        '\t',
        '\u00a0',
        '\ufeff',
        'e',
        'E',
        '1e3',
        'NaN',
        'Infinity',
        '0x10',
        '٣',
        '１',
        '😀',
        '\0',
      ),
      fc.nat({ max: 100_000 }).map(String),
      fc.constant('9'.repeat(400)),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const anyText = fc.oneof(
  durationish,
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  // Long, adversarial repetitions: a regex with nested quantifiers would backtrack for ever on these.
  fc
    .tuple(fc.constantFrom('1', '1.', '1m', '1.1', '0'), fc.integer({ min: 1_000, max: 50_000 }), fc.constantFrom('', 'x', '.', 'm', ' '))
    .map(([unit, count, end]) => unit.repeat(count) + end),
);

function timed<T>(run: () => T): T {
  const { value, cpuMs } = withCpuTime(run);
  expect(cpuMs).toBeLessThan(CALL_BUDGET_MS);
  return value;
}

describe('parseDurationMs (fuzz)', () => {
  it('never throws on any text: undefined or a finite number of milliseconds ≥ 0', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const durationMs = timed(() => parseDurationMs(text));
        if (durationMs === undefined) return;
        expect(Number.isFinite(durationMs)).toBe(true);
        expect(durationMs).toBeGreaterThanOrEqual(0);
        // Only digits, dots and units (around whitespace) are ever read as a duration.
        expect(text.trim()).toMatch(/^[0-9.msh]+$/);
      }),
      RUNS,
    );
  });

  it('reads any number: finite and ≥ 0 → seconds × 1000 when that is finite, undefined otherwise (NaN, ±∞, negative, overflow)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double(), fc.constantFrom(1e306, Number.MAX_VALUE, -0, Number.MIN_VALUE, Number.MAX_VALUE / 10_000)),
        (seconds) => {
          const durationMs = parseDurationMs(seconds);
          if (Number.isFinite(seconds) && seconds >= 0 && Number.isFinite(seconds * 1000)) {
            expect(durationMs).toBe(seconds * 1000);
          } else {
            expect(durationMs).toBeUndefined();
          }
        },
      ),
      RUNS,
    );
  });

  it('a duration built from random parts (any order, units repeated, whitespace around) parses to their sum', () => {
    const part = fc.record({
      whole: fc.nat({ max: 1_000_000 }),
      fraction: fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined }),
      unit: fc.constantFrom<Unit>('ms', 's', 'm', 'h'),
    });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 8 }), fc.constantFrom('', ' ', '\t', '\n '), (parts, padding) => {
        const amounts = parts.map(({ whole, fraction }) => (fraction === undefined ? `${whole}` : `${whole}.${fraction}`));
        const text = padding + parts.map(({ unit }, index) => `${amounts[index]}${unit}`).join('') + padding;
        let expectedMs = 0;
        parts.forEach(({ unit }, index) => (expectedMs += Number(amounts[index]) * UNIT_MS[unit]));
        expect(parseDurationMs(text)).toBe(expectedMs);
      }),
      RUNS,
    );
  });

  it('a valid duration with anything but whitespace, digits, dots and units around it is refused', () => {
    const junk = fc.string({ minLength: 1, maxLength: 3 }).filter((text) => /[^0-9.msh\s]/.test(text));
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.constantFrom('ms', 's', 'm', 'h'), junk, fc.boolean(), (amount, unit, extra, before) => {
        const text = before ? `${extra}${amount}${unit}` : `${amount}${unit}${extra}`;
        expect(parseDurationMs(text)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('formatDuration round-trips through parseDurationMs for whole milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), (durationMs) => {
        expect(parseDurationMs(formatDuration(durationMs))).toBe(durationMs);
      }),
      RUNS,
    );
  });
});

describe('parseDurationMs: counterexamples found by the fuzz tests', () => {
  it('refuses a number of seconds whose milliseconds overflow to Infinity', () => {
    expect(parseDurationMs(1e306)).toBeUndefined();
    expect(parseDurationMs(Number.MAX_VALUE)).toBeUndefined();
    expect(parseDurationMs(1e305)).toBe(1e308);
  });
});
