/**
 * Number formats of every report, in one module, so the console, Markdown and HTML show the same figures. Pure,
 * without a Node import: the HTML page's script (`browser/`) is bundled with it for its axes and legends.
 */

/** `12,345` */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Requests per second: `1,505` from 100 up, `42.5` below. */
export function formatRate(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/** Milliseconds with three significant digits or so: `237`, `31.6`, `0.12`. */
export function formatMs(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A fraction as a percentage: `0.50%`. */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/**
 * A figure on a chart's axis or in its legend, any unit: `1,234`, `237`, `31.6`, `2.45`, `0.072`; `–` when not
 * finite. Unlike `formatMs`, trailing zeros go: a tick reads `2.5`, not `2.50`.
 */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1000) return formatCount(Math.round(value));
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return withoutTrailingZeros(value.toFixed(1));
  if (abs >= 1) return withoutTrailingZeros(value.toFixed(2));
  return withoutTrailingZeros(value.toPrecision(2));
}

/** Elapsed time on a chart's time axis: `45 s` in a short run, `12:30` or `1:02:00` in a long one. */
export function formatElapsed(seconds: number, long: boolean): string {
  if (!long) return `${formatFigure(seconds)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 && m < 10 ? `0${m}` : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${s < 10 ? '0' : ''}${s}`;
}

/** `p50`, `p99.9`, `p99.999` */
export function formatPercentile(percentile: number): string {
  return `p${withoutTrailingZeros(percentile.toFixed(3))}`;
}

function withoutTrailingZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
