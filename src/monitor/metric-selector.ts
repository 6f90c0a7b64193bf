import type { PrometheusSample } from './prometheus-text.js';

/** One label matcher of a selector: `mode="idle"`, `mode!="idle"`, `cpu=~"0|1"`, `cpu!~"1.*"`. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  /** `=~` and `!~`: the value compiled, anchored at both ends. */
  readonly regex?: RegExp;
}

/** A metric name with optional label matchers, as PromQL writes one: `node_cpu_seconds_total{mode!="idle"}`. */
export interface MetricSelector {
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

const SELECTOR = /^\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/s;

/**
 * Parses a metric selector: a name, then optionally `{label="v", label!="v", label=~"re", label!~"re"}` (regular
 * expressions match the whole value, as in PromQL). Undefined when it is not one.
 */
export function parseMetricSelector(text: string): MetricSelector | undefined {
  const match = SELECTOR.exec(text);
  if (match === null) return undefined;
  const matchers: LabelMatcher[] = [];
  let rest = match[2] ?? '';
  while (rest.trim() !== '') {
    const matcher = MATCHER.exec(rest);
    if (matcher === null) return undefined;
    const op = matcher[2] as LabelMatcher['op'];
    const value = (matcher[3] as string).replace(/\\(.)/gs, (_, char: string) => (char === 'n' ? '\n' : char));
    const label = matcher[1] as string;
    if (op === '=~' || op === '!~') {
      const regex = wholeRegex(value);
      if (regex === undefined) return undefined;
      matchers.push({ label, op, value, regex });
    } else {
      matchers.push({ label, op, value });
    }
    rest = rest.slice(matcher[0].length);
  }
  return { name: match[1] as string, matchers };
}

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

/** The selector as written in PromQL. */
export function formatSelector(selector: MetricSelector): string {
  if (selector.matchers.length === 0) return selector.name;
  const matchers = selector.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`);
  return `${selector.name}{${matchers.join(',')}}`;
}

function wholeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${source})$`, 's');
  } catch {
    return undefined;
  }
}
