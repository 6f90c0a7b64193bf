import { describe, expect, it } from 'vitest';
import { formatSelector, parseMetricSelector } from '../../../src/scenario/metric-selector.js';

describe('parseMetricSelector', () => {
  it('parses a bare name and a name with matchers', () => {
    expect(parseMetricSelector('process_cpu_seconds_total')).toEqual({
      ok: true,
      selector: { name: 'process_cpu_seconds_total', matchers: [] },
    });
    const parsed = parseMetricSelector('node_cpu_seconds_total{mode!="idle", cpu=~"0|1",job="a\\"b"}');
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.selector.matchers.map(({ label, op, value }) => ({ label, op, value }))).toEqual([
      { label: 'mode', op: '!=', value: 'idle' },
      { label: 'cpu', op: '=~', value: '0|1' },
      { label: 'job', op: '=', value: 'a"b' },
    ]);
    expect(formatSelector(parsed.selector)).toBe('node_cpu_seconds_total{mode!="idle",cpu=~"0|1",job="a\\"b"}');
  });

  it.each([
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'node_cpu_seconds_total{mode!="idle"}',
    'node_memory_Active_bytes',
    'job:cpu:rate5m',
    ' m { a = "1" , b !~ "x|y" , } ',
    'm{}',
    'm{a="line\\nbreak"}',
  ])('accepts %s (README and PromQL forms)', (text) => {
    expect(parseMetricSelector(text).ok).toBe(true);
  });

  it.each([
    ['', 'expected a metric name (letters, digits, _ and :, not starting with a digit) at character 1, found the end'],
    ['1abc', 'expected a metric name (letters, digits, _ and :, not starting with a digit) at character 1, found "1"'],
    ['a b', 'unexpected "b" at character 3: a selector is a name, then optionally {label="value", ...}'],
    ['bar{', '"{" at character 4 is never closed'],
    ['a{mode="x"', '"{" at character 2 is never closed'],
    ['a{mode}', 'expected =, !=, =~ or !~ after the label mode at character 7, found "}"'],
    ['a{mode=x}', 'expected a value in double quotes at character 8, found "x"'],
    ['a{mode="x', 'the quote at character 8 is never closed'],
    ['a{mode="x\\"}', 'the quote at character 8 is never closed'],
    ['a{1mode="x"}', 'expected a label name (letters, digits and _, not starting with a digit) at character 3, found "1"'],
    ['a{mo-de="x"}', 'expected =, !=, =~ or !~ after the label mo at character 5, found "-"'],
    ['a{,}', 'expected a label name (letters, digits and _, not starting with a digit) at character 3, found ","'],
    ['a{mode="x" cpu="1"}', 'expected , or } at character 12, found "c"'],
    ['a{mode="x"}}', 'unexpected "}" at character 12: a selector is a name, then optionally {label="value", ...}'],
    ['foo{a=~"(("}', 'the regular expression at character 8 does not compile: Invalid regular expression: /((/: Unterminated group'],
    [
      'a{mode!~"["}',
      'the regular expression at character 9 does not compile: Invalid regular expression: /[/: Unterminated character class',
    ],
  ])('refuses %j: %s', (text, problem) => {
    expect(parseMetricSelector(text)).toEqual({ ok: false, problem });
  });
});
