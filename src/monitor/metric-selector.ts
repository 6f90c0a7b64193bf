import { formatSelector } from '../scenario/metric-selector.js';
import type { MetricSelector } from '../scenario/metric-selector.js';
import type { PrometheusSample } from './prometheus-text.js';

/** Whether a sample is one the selector picks (a label the sample lacks counts as the empty string). */
export function selects(selector: MetricSelector, sample: PrometheusSample): boolean {
  if (sample.name !== selector.name) return false;
  return selector.matchers.every((matcher) => {
    const value = sample.labels[matcher.label] ?? '';
    switch (matcher.op) {
      case '=':
        return value === matcher.value;
      case '!=':
        return value !== matcher.value;
      case '=~':
        return matcher.regex?.test(value) === true;
      case '!~':
        return matcher.regex?.test(value) !== true;
    }
  });
}

/**
 * The sum of the values the selector picks, and the latest timestamp among them when every one has one; or
 * why there is none: no sample at all, or a value that is not a finite number.
 */
export function selectedSum(
  selector: MetricSelector,
  samples: readonly PrometheusSample[],
): { readonly sum: number; readonly timestampMs?: number } | { readonly missing: string } {
  let sum = 0;
  let count = 0;
  let timestampMs: number | undefined;
  let everyTimestamped = true;
  for (const sample of samples) {
    if (!selects(selector, sample)) continue;
    if (!Number.isFinite(sample.value)) return { missing: `${formatSelector(selector)} is ${String(sample.value)}` };
    sum += sample.value;
    count += 1;
    if (sample.timestampMs === undefined) everyTimestamped = false;
    else timestampMs = Math.max(timestampMs ?? Number.NEGATIVE_INFINITY, sample.timestampMs);
  }
  if (count === 0) return { missing: `no sample of ${formatSelector(selector)}` };
  return everyTimestamped && timestampMs !== undefined ? { sum, timestampMs } : { sum };
}
