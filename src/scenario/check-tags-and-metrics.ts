import { captureOfMetric, metricKindOf, metricSpecsOf } from './custom-metric-specs.js';
import type { CustomMetricKind } from './custom-metric-specs.js';
import { jsonPathProblem } from './json-path.js';
import { PROTOCOL_METRIC_NAMES, protocolMetricsOf } from './protocol-metrics.js';
import { tagPairsOf, taggedRequestsOf } from './request-tags.js';
import type { TaggedRequest } from './request-tags.js';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { displayPath } from './source-map.js';
import { requestsOf } from './types.js';
import type { RequestSpec, ScenarioData } from './types.js';

const TREND_THRESHOLD = /^(avg|max|p(100|[1-9]?[0-9](\.[0-9]+)?))$/;
const COUNTER_THRESHOLD = /^sum_(min|max)$/;

/**
 * What the schema cannot say about tags and custom metrics: one request name has one set of tags (its figures
 * are one row), `sla.tags` names a tag some request has, a metric keeps one kind, its `from` reads something,
 * `sla.metrics` names a metric that exists with thresholds of its kind, and both are the whole run's.
 */
export function checkTagsAndMetrics(data: ScenarioData): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const report = (path: DataPath, message: string, at: 'key' | 'value' = 'key'): void => {
    issues.push({ path, at, message });
  };
  checkTagKeys(data, report);
  const tagged = [...taggedRequestsOf(data)];
  checkNamesAgreeOnTags(tagged, report);
  checkSlaTags(data, tagged, report);
  const kinds = checkMetrics(data, tagged, report);
  checkSlaMetrics(data, kinds, report);
  for (const [name, part] of Object.entries(data.scenarios ?? {})) {
    for (const key of ['tags', 'metrics'] as const) {
      if (part.sla?.[key] !== undefined)
        report(['scenarios', name, 'sla', key], `sla.${key} is for the whole run: set it in the top-level sla`);
    }
  }
  return issues;
}

type Report = (path: DataPath, message: string, at?: 'key' | 'value') => void;
type Tagged = TaggedRequest;

const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Every `tags` key is a name (a pair is written `key:value`, so a key holds no colon), every `sla.tags` key a pair. */
function checkTagKeys(data: ScenarioData, report: Report): void {
  const check = (tags: Readonly<Record<string, unknown>> | undefined, path: DataPath): void => {
    for (const key of Object.keys(tags ?? {})) {
      if (!TAG_KEY.test(key)) {
        report([...path, key], 'expected a tag key of letters, digits, _ . and - that does not start with a digit');
      }
    }
  };
  check(data.tags, ['tags']);
  for (const [name, part] of Object.entries(data.scenarios ?? {})) {
    check(part.tags, ['scenarios', name, 'tags']);
    for (const [index, flow] of (part.flows ?? []).entries()) check(flow.tags, ['scenarios', name, 'flows', index, 'tags']);
  }
  for (const [index, flow] of (data.flows ?? []).entries()) check(flow.tags, ['flows', index, 'tags']);
  for (const { spec, path } of requestsOf(data)) check(spec.tags, [...path, 'tags']);
  const slaTags = data.sla === false ? undefined : data.sla?.tags;
  for (const pair of Object.keys(slaTags ?? {})) {
    const colon = pair.indexOf(':');
    if (colon === -1 || !TAG_KEY.test(pair.slice(0, colon)) || colon === pair.length - 1) {
      report(['sla', 'tags', pair], 'expected a tag as key:value, e.g. "team:payments"');
    }
  }
}

function checkNamesAgreeOnTags(tagged: readonly Tagged[], report: Report): void {
  const first = new Map<string, Tagged>();
  for (const request of tagged) {
    const earlier = first.get(request.name);
    if (earlier === undefined) {
      first.set(request.name, request);
      continue;
    }
    const these = describeTags(request.tags);
    const those = describeTags(earlier.tags);
    if (these === those) continue;
    report(
      request.spec.tags === undefined ? request.path : [...request.path, 'tags'],
      `the requests named "${request.name}" have different tags (${these} here, ${those} at ${displayPath(earlier.path)}): a name's figures are one row, so give them different names`,
    );
  }
}

function describeTags(tags: Readonly<Record<string, string>>): string {
  const pairs = tagPairsOf(tags).sort();
  return pairs.length === 0 ? 'none' : pairs.join(', ');
}

function checkSlaTags(data: ScenarioData, tagged: readonly Tagged[], report: Report): void {
  const thresholds = data.sla === false ? undefined : data.sla?.tags;
  if (thresholds === undefined) return;
  const valuesOf = new Map<string, Set<string>>();
  for (const { tags } of tagged) {
    for (const [key, value] of Object.entries(tags)) valuesOf.set(key, (valuesOf.get(key) ?? new Set()).add(value));
  }
  for (const pair of Object.keys(thresholds)) {
    const colon = pair.indexOf(':');
    if (colon <= 0) continue; // not a pair: told by checkTagKeys
    const key = pair.slice(0, colon);
    const value = pair.slice(colon + 1);
    const values = valuesOf.get(key);
    const keys = [...valuesOf.keys()];
    if (values === undefined) {
      const known = keys.length === 0 ? 'no request has tags' : `the tag keys are ${keys.map((k) => `"${k}"`).join(', ')}`;
      report(['sla', 'tags', pair], `no request has a tag "${key}" (${known})`);
    } else if (!values.has(value)) {
      report(['sla', 'tags', pair], `no request is tagged ${pair} (${key} is ${[...values].map((v) => `"${v}"`).join(', ')})`);
    }
  }
}

/** Checks every request's metrics; returns each metric's kind (the first request's, when they disagree). */
function checkMetrics(data: ScenarioData, tagged: readonly Tagged[], report: Report): Map<string, CustomMetricKind> {
  const kinds = new Map<string, CustomMetricKind>();
  for (const [index, spec] of (data.setup ?? []).entries()) {
    if (spec.metric !== undefined) report(['setup', index, 'metric'], 'setup is not measured: put a metric on a request of the load');
  }
  for (const { spec, path } of tagged) {
    for (const [index, metric] of metricSpecsOf(spec).entries()) {
      const at = metricPath(spec, path, index);
      const kind = metricKindOf(metric);
      if (PROTOCOL_METRIC_NAMES.has(metric.name)) {
        report(
          [...at, 'name'],
          `${metric.name} is a built-in metric of ${metric.name.split('_')[0] ?? ''} steps: give yours another name`,
          'value',
        );
      }
      const known = kinds.get(metric.name);
      if (known === undefined) kinds.set(metric.name, kind);
      else if (known !== kind) report([...at, 'kind'], `metric ${metric.name} is a ${known} elsewhere: a metric has one kind`, 'value');
      const capture = captureOfMetric(metric);
      if (capture === undefined) {
        report([...at, 'from'], 'expected "json $.path", "header name", "regex pattern" or "status"', 'value');
      } else if (capture.json !== undefined) {
        const problem = jsonPathProblem(capture.json);
        if (problem !== undefined) report([...at, 'from'], `not a valid JSONPath: ${problem}`, 'value');
      } else if (capture.regex !== undefined) {
        try {
          new RegExp(capture.regex);
        } catch (error) {
          report([...at, 'from'], `not a valid regular expression: ${(error as Error).message}`, 'value');
        }
      }
    }
    // The built-in metrics a protocol step feeds (protocol-metrics.ts) take thresholds like any other.
    for (const metric of protocolMetricsOf(spec)) if (!kinds.has(metric.name)) kinds.set(metric.name, metric.kind);
  }
  return kinds;
}

function metricPath(spec: RequestSpec, path: readonly (string | number)[], index: number): DataPath {
  return Array.isArray(spec.metric) ? [...path, 'metric', index] : [...path, 'metric'];
}

function checkSlaMetrics(data: ScenarioData, kinds: ReadonlyMap<string, CustomMetricKind>, report: Report): void {
  const thresholds = data.sla === false ? undefined : data.sla?.metrics;
  if (thresholds === undefined) return;
  const names = [...kinds.keys()];
  for (const [name, spec] of Object.entries(thresholds)) {
    const kind = kinds.get(name);
    if (kind === undefined) {
      const known = names.length === 0 ? 'no request has a metric' : `metrics are ${names.map((n) => `"${n}"`).join(', ')}`;
      report(['sla', 'metrics', name], `no metric is named "${name}" (${known})`);
      continue;
    }
    for (const key of Object.keys(spec)) {
      if (kind === 'trend' && !TREND_THRESHOLD.test(key)) {
        report(['sla', 'metrics', name, key], `${name} is a trend: its thresholds are pNN (e.g. p95), avg and max`);
      } else if (kind === 'counter' && !COUNTER_THRESHOLD.test(key)) {
        report(['sla', 'metrics', name, key], `${name} is a counter: its thresholds are sum_max and sum_min`);
      }
    }
  }
}
