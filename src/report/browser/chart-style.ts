import type UPlot from 'uplot';

/** The page's look, repeated on the canvas (which CSS does not reach). */
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const INK = '#667085';
const GRID = '#eef0f3';

export const COLORS = {
  response: '#2563eb',
  service: '#ea580c',
  throughput: '#2563eb',
  users: '#667085',
  p50: '#2563eb',
  p95: '#f79009',
  p99: '#d92d20',
  failures: '#d92d20',
  dropped: '#f79009',
  target: '#7c3aed',
  baseline: '#475467',
  achieved: '#059669',
} as const;

/** Options whose entries may be undefined: those are left out, so that uPlot applies its own default. */
export type Loose<T> = { [K in keyof T]?: T[K] | undefined };

function defined<T extends object>(options: Loose<T>): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `#2563eb` at opacity `a`, for fills under a line. */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
}

/** An axis in the page's font and grey, with `extra` on top. */
export function axis(extra: Loose<UPlot.Axis>): UPlot.Axis {
  return {
    stroke: INK,
    font: FONT,
    labelFont: FONT,
    grid: { stroke: GRID, width: 1 },
    ticks: { stroke: GRID, width: 1, size: 4 },
    ...defined(extra),
  };
}

/** A line without points, with `extra` on top. */
export function line(label: string, color: string, extra: Loose<UPlot.Series> = {}): UPlot.Series {
  return { label, stroke: color, width: 1.75, points: { show: false }, ...defined(extra) };
}

/**
 * Steps rather than slopes: a value holds over its interval. `align: 1` holds it after its point (an interval's
 * start), `-1` before it (a sample that is the mean over the interval ending at it).
 */
export function steppedPaths(uplot: typeof UPlot, align: 1 | -1): UPlot.Series.PathBuilder | undefined {
  return uplot.paths.stepped?.({ align });
}
