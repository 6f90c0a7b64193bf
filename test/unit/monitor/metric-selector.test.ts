import { describe, expect, it } from 'vitest';
import { selectedSum } from '../../../src/monitor/metric-selector.js';
import { parsePrometheusText } from '../../../src/monitor/prometheus-text.js';
import { parseMetricSelector } from '../../../src/scenario/metric-selector.js';
import type { MetricSelector } from '../../../src/scenario/metric-selector.js';

/** A selector the test knows to be valid (scenario/metric-selector.test.ts tests the parser). */
function selector(text: string): MetricSelector {
  const parsed = parseMetricSelector(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.selector;
}

const NODE_CPU = parsePrometheusText(
  [
    'node_cpu_seconds_total{cpu="0",mode="idle"} 100',
    'node_cpu_seconds_total{cpu="0",mode="user"} 10',
    'node_cpu_seconds_total{cpu="0",mode="system"} 5',
    'node_cpu_seconds_total{cpu="1",mode="idle"} 90',
    'node_cpu_seconds_total{cpu="1",mode="user"} 20',
    'node_cpu_seconds_total{cpu="1",mode="system"} 2.5',
  ].join('\n'),
).samples;

describe('metric selectors', () => {
  it('sums the series a selector picks: every label set of a bare name, or those its matchers pick', () => {
    expect(selectedSum(selector('node_cpu_seconds_total'), NODE_CPU)).toEqual({ sum: 227.5 });
    expect(selectedSum(selector('node_cpu_seconds_total{mode!="idle"}'), NODE_CPU)).toEqual({ sum: 37.5 });
    expect(selectedSum(selector('node_cpu_seconds_total{mode=~"user|system",cpu="1"}'), NODE_CPU)).toEqual({ sum: 22.5 });
    // Regular expressions match the whole value, as in PromQL.
    expect(selectedSum(selector('node_cpu_seconds_total{mode=~"us"}'), NODE_CPU)).toEqual({
      missing: 'no sample of node_cpu_seconds_total{mode=~"us"}',
    });
    expect(selectedSum(selector('node_cpu_seconds_total{mode!~"idle|system"}'), NODE_CPU)).toEqual({ sum: 30 });
  });

  it('says why there is no sum: no sample, or a value that is not finite', () => {
    const samples = parsePrometheusText('m{a="1"} 1\nm{a="2"} NaN\nn +Inf\n').samples;
    expect(selectedSum(selector('absent'), samples)).toEqual({ missing: 'no sample of absent' });
    expect(selectedSum(selector('m'), samples)).toEqual({ missing: 'm is NaN' });
    expect(selectedSum(selector('m{a="1"}'), samples)).toEqual({ sum: 1 });
    expect(selectedSum(selector('n'), samples)).toEqual({ missing: 'n is Infinity' });
  });

  it('keeps the latest timestamp only when every sample picked has one', () => {
    const samples = parsePrometheusText('m{a="1"} 1 1000\nm{a="2"} 2 3000\nk{a="1"} 1 1000\nk{a="2"} 2\n').samples;
    expect(selectedSum(selector('m'), samples)).toEqual({ sum: 3, timestampMs: 3000 });
    expect(selectedSum(selector('k'), samples)).toEqual({ sum: 3 });
  });
});
