import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from '../../../src/scenario/duration.js';

describe('parseDurationMs', () => {
  it('reads each unit', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
  });

  it('adds up combined units', () => {
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1m30s500ms')).toBe(90_500);
    expect(parseDurationMs('30s1m')).toBe(90_000);
  });

  it('reads fractions and surrounding whitespace', () => {
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('0.25m')).toBe(15_000);
    expect(parseDurationMs('  30s  ')).toBe(30_000);
  });

  it('reads a plain number as seconds', () => {
    expect(parseDurationMs(1.5)).toBe(1500);
    expect(parseDurationMs(30)).toBe(30_000);
    expect(parseDurationMs(0)).toBe(0);
  });

  it('reads zero written with a unit as 0 (the schema, not the parser, refuses zero where it must be positive)', () => {
    expect(parseDurationMs('0s')).toBe(0);
    expect(parseDurationMs('0ms')).toBe(0);
  });

  it('rejects negative durations', () => {
    expect(parseDurationMs(-1)).toBeUndefined();
    expect(parseDurationMs('-3s')).toBeUndefined();
  });

  it('rejects empty text, unknown units, a unit without an amount and an amount without a unit', () => {
    expect(parseDurationMs('')).toBeUndefined();
    expect(parseDurationMs('   ')).toBeUndefined();
    expect(parseDurationMs('10x')).toBeUndefined();
    expect(parseDurationMs('s')).toBeUndefined();
    expect(parseDurationMs('30')).toBeUndefined();
    expect(parseDurationMs('1h 30m')).toBeUndefined();
    expect(parseDurationMs('.5s')).toBeUndefined();
  });

  it('rejects NaN and infinities', () => {
    expect(parseDurationMs(Number.NaN)).toBeUndefined();
    expect(parseDurationMs(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDurationMs(Number.NEGATIVE_INFINITY)).toBeUndefined();
    expect(parseDurationMs('NaN')).toBeUndefined();
    expect(parseDurationMs('Infinity')).toBeUndefined();
    expect(parseDurationMs(`${'9'.repeat(400)}h`)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('writes the shortest readable form', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1500)).toBe('1s500ms');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(90_500)).toBe('1m30s500ms');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(3_661_001)).toBe('1h1m1s1ms');
  });

  it('rounds fractions of a millisecond', () => {
    expect(formatDuration(0.4)).toBe('0s');
    expect(formatDuration(249.6)).toBe('250ms');
    expect(formatDuration(999.5)).toBe('1s');
  });

  it('round trips through parseDurationMs', () => {
    for (const durationMs of [0, 1, 250, 999, 1000, 1500, 30_000, 59_999, 90_500, 5_400_000, 7_200_000, 86_400_000, 3_661_001]) {
      expect(parseDurationMs(formatDuration(durationMs))).toBe(durationMs);
    }
    for (const text of ['250ms', '30s', '2m', '1h30m', '1m30s500ms']) {
      const durationMs = parseDurationMs(text);
      expect(durationMs).toBeDefined();
      expect(formatDuration(durationMs ?? Number.NaN)).toBe(text);
    }
  });
});
