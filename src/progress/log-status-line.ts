import type { ChalkInstance } from 'chalk';
import type { ProgressFigures } from './progress-figures.js';
import { statusSegments } from './status-segments.js';

/**
 * The status line for logs (CI, pipes, files): every figure in its longest form, lost thresholds with their
 * measured value, how far the phase is in percent instead of a bar. No control characters: escapes only if
 * `c` has colours on (forced), and no newline — the caller ends the line.
 */
export function logStatusLine(figures: ProgressFigures, c: ChalkInstance): string {
  const { phase, time, figures: segments } = statusSegments(figures, c);
  const first = (variants: readonly { readonly text: string }[]): string => variants[0]?.text ?? '';
  const head = `${first(phase.variants)} ${first(time.variants)} (${Math.floor(figures.fraction * 100)}%)`;
  return [head, ...segments.map((segment) => first(segment.variants))].join(c.dim(' · '));
}
