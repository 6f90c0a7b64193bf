import { describe, expect, it } from 'vitest';
import { formatSelector, parseMetricSelector, selectedSum } from '../../../src/monitor/metric-selector.js';
import { parsePrometheusText } from '../../../src/monitor/prometheus-text.js';

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
  it('parses a bare name and a name with matchers', () => {
    expect(parseMetricSelector('process_cpu_seconds_total')).toEqual({ name: 'process_cpu_seconds_total', matchers: [] });
    const selector = parseMetricSelector('node_cpu_seconds_total{mode!="idle", cpu=~"0|1",job="a\\"b"}');
    expect(selector?.matchers.map(({ label, op, value }) => ({ label, op, value }))).toEqual([
      { label: 'mode', op: '!=', value: 'idle' },
      { label: 'cpu', op: '=~', value: '0|1' },
      { label: 'job', op: '=', value: 'a"b' },
    ]);
    expect(formatSelector(selector!)).toBe('node_cpu_seconds_total{mode!="idle",cpu=~"0|1",job="a\\"b"}');
  });

  it('refuses what is not a selector', () => {
    for (const text of ['', '1abc', 'a b', 'a{mode}', 'a{mode="x"', 'a{mode=x}', 'a{mode=~"("}', 'a{mode="x" cpu="1"}']) {
      expect(parseMetricSelector(text), text).toBeUndefined();
    }
  });

  it('sums the series a selector picks: every label set of a bare name, or those its matchers pick', () => {
    expect(selectedSum(parseMetricSelector('node_cpu_seconds_total')!, NODE_CPU)).toEqual({ sum: 227.5 });
    expect(selectedSum(parseMetricSelector('node_cpu_seconds_total{mode!="idle"}')!, NODE_CPU)).toEqual({ sum: 37.5 });
    expect(selectedSum(parseMetricSelector('node_cpu_seconds_total{mode=~"user|system",cpu="1"}')!, NODE_CPU)).toEqual({ sum: 22.5 });
    // Regular expressions match the whole value, as in PromQL.
    expect(selectedSum(parseMetricSelector('node_cpu_seconds_total{mode=~"us"}')!, NODE_CPU)).toEqual({ missing: 'no sample of node_cpu_seconds_total{mode=~"us"}' });
    expect(selectedSum(parseMetricSelector('node_cpu_seconds_total{mode!~"idle|system"}')!, NODE_CPU)).toEqual({ sum: 30 });
  });

  it('says why there is no sum: no sample, or a value that is not finite', () => {
    const samples = parsePrometheusText('m{a="1"} 1\nm{a="2"} NaN\nn +Inf\n').samples;
    expect(selectedSum(parseMetricSelector('absent')!, samples)).toEqual({ missing: 'no sample of absent' });
    expect(selectedSum(parseMetricSelector('m')!, samples)).toEqual({ missing: 'm is NaN' });
    expect(selectedSum(parseMetricSelector('m{a="1"}')!, samples)).toEqual({ sum: 1 });
    expect(selectedSum(parseMetricSelector('n')!, samples)).toEqual({ missing: 'n is Infinity' });
  });

  it('keeps the latest timestamp only when every sample picked has one', () => {
    const samples = parsePrometheusText('m{a="1"} 1 1000\nm{a="2"} 2 3000\nk{a="1"} 1 1000\nk{a="2"} 2\n').samples;
    expect(selectedSum(parseMetricSelector('m')!, samples)).toEqual({ sum: 3, timestampMs: 3000 });
    expect(selectedSum(parseMetricSelector('k')!, samples)).toEqual({ sum: 3 });
  });
});
