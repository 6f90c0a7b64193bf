import type UPlot from 'uplot';
import { formatFigure } from '../format.js';

/** Tick labels: uPlot leaves out (null) the splits a log axis has no room to label. */
export function ticks(_plot: UPlot, splits: readonly (number | null)[]): string[] {
  return splits.map((value) => (value == null ? '' : formatFigure(value)));
}

/** A legend's value in `unit` (` ms`, ` req/s`, `%`); `–` where the line has no point. */
export function valueIn(unit: string): (plot: UPlot, value: number | null) => string {
  return (_plot, value) => (value == null ? '–' : `${formatFigure(value)}${unit}`);
}
