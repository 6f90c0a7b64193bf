/** Number formats every report shares, so the console, Markdown and HTML show the same figures. */

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
