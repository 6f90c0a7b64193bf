import type { Capture, MetricSpec, RequestSpec } from './types.js';

/** A custom metric's kind: a `trend` keeps the values' distribution, a `counter` their sum. */
export type CustomMetricKind = 'trend' | 'counter';

/** A custom metric of the run: its name and kind (every request feeding it agrees on the kind). */
export interface CustomMetricDefinition {
  readonly name: string;
  readonly kind: CustomMetricKind;
}

/** A request's `metric`, as a list (it may be one or several). */
export function metricSpecsOf(spec: RequestSpec): readonly MetricSpec[] {
  const metric = spec.metric;
  if (metric === undefined) return [];
  return Array.isArray(metric) ? (metric as readonly MetricSpec[]) : [metric as MetricSpec];
}

/** `kind`, defaulted: a trend. */
export function metricKindOf(spec: MetricSpec): CustomMetricKind {
  return spec.kind ?? 'trend';
}

/**
 * A metric's `from` as the capture that reads the same value: `json $.depth`, `header x-queue`,
 * `regex depth=(\d+)` (its first group, else the whole match) or `status`. Undefined for any other text (the
 * schema refuses it).
 */
export function captureOfMetric(spec: MetricSpec): Capture | undefined {
  const from = spec.from;
  const space = from.indexOf(' ');
  const source = space === -1 ? from : from.slice(0, space);
  const argument = space === -1 ? '' : from.slice(space + 1).trim();
  switch (source) {
    case 'json':
      return argument === '' ? undefined : { as: spec.name, json: argument };
    case 'header':
      return argument === '' ? undefined : { as: spec.name, header: argument };
    case 'regex':
      return argument === '' ? undefined : { as: spec.name, regex: argument };
    case 'status':
      return argument === '' ? { as: spec.name, status: true } : undefined;
    default:
      return undefined;
  }
}
