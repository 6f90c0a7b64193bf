import { describe, expect, it } from 'vitest';
import { formatElapsed, formatFigure, formatPercentile } from '../../../src/report/format.js';

describe('the chart formats of the HTML page', () => {
  it('formatFigure: two or three significant digits, grouped thousands, no trailing zeros', () => {
    expect([1234.4, 237.4, 31.6, 31.0, 2.45, 2.5, 0.072, 0.1, 0, -12.5].map(formatFigure)).toEqual([
      '1,234',
      '237',
      '31.6',
      '31',
      '2.45',
      '2.5',
      '0.072',
      '0.1',
      '0',
      '-12.5',
    ]);
    expect([Infinity, NaN].map(formatFigure)).toEqual(['–', '–']);
  });

  it('formatElapsed: seconds in a short run, a clock in a long one', () => {
    expect(formatElapsed(45, false)).toBe('45 s');
    expect(formatElapsed(2.5, false)).toBe('2.5 s');
    expect([59.6, 750, 3720, 36_005].map((seconds) => formatElapsed(seconds, true))).toEqual(['1:00', '12:30', '1:02:00', '10:00:05']);
  });

  it('formatPercentile: up to three decimals', () => {
    expect([0, 50, 99.9, 99.999, 97.4878].map(formatPercentile)).toEqual(['p0', 'p50', 'p99.9', 'p99.999', 'p97.488']);
  });
});
