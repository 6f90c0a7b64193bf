import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../../src/monitor/prometheus-text.js';

describe('parsePrometheusText', () => {
  it('reads counters with labels, gauges, HELP and TYPE lines, comments and blank lines', () => {
    const text = [
      '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 12.47',
      '',
      '# a free comment, ignored',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="get", code="400" } 3 1395066363000',
      '  # TYPE process_resident_memory_bytes gauge',
      'process_resident_memory_bytes 4.5056e+07',
      'go_goroutines\t8',
    ].join('\n');
    const parsed = parsePrometheusText(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.problemCount).toBe(0);
    expect(parsed.samples).toEqual([
      { name: 'process_cpu_seconds_total', labels: {}, value: 12.47 },
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
      { name: 'http_requests_total', labels: { method: 'get', code: '400' }, value: 3, timestampMs: 1395066363000 },
      { name: 'process_resident_memory_bytes', labels: {}, value: 45_056_000 },
      { name: 'go_goroutines', labels: {}, value: 8 },
    ]);
    expect([...parsed.types]).toEqual([
      ['process_cpu_seconds_total', 'counter'],
      ['http_requests_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
    ]);
  });

  it('unescapes \\\\, \\" and \\n in label values, and keeps braces, commas and = inside quotes', () => {
    const text =
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\n' +
      'm{a="x,y}=z",b=""} 1\n';
    const parsed = parsePrometheusText(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.samples[0]?.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(parsed.samples[0]?.value).toBe(1_458_255_915);
    expect(parsed.samples[1]?.labels).toEqual({ a: 'x,y}=z', b: '' });
  });

  it('reads NaN, +Inf, -Inf, signs, exponents, a trailing comma in labels, CRLF line ends and negative timestamps', () => {
    const parsed = parsePrometheusText('a NaN\r\nb +Inf\r\nc -Inf\r\nd -1.5e-3\r\ne{x="1",} .5\r\nf 1 -200\r\n');
    expect(parsed.problems).toEqual([]);
    const values = parsed.samples.map((sample) => sample.value);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.0015, 0.5, 1]);
    expect(parsed.samples[4]?.labels).toEqual({ x: '1' });
    expect(parsed.samples[5]?.timestampMs).toBe(-200);
  });

  it('reports each malformed line with its number and reads the others', () => {
    const text = [
      'good 1', // 1
      '9bad 1', // 2: name
      'no_value', // 3
      'bad_value{a="b"} twelve', // 4
      'unclosed{a="b" 1', // 5
      'bad_escape{a="\\t"} 1', // 6
      'no_quotes{a=b} 1', // 7
      'dup{a="1",a="2"} 1', // 8
      'bad_ts 1 12.5', // 9
      'extra 1 2 3', // 10
      '# TYPE broken', // 11
      'also_good{le="+Inf"} 2', // 12
    ].join('\n');
    const parsed = parsePrometheusText(text, { maxProblems: 20 });
    expect(parsed.samples.map((sample) => [sample.name, sample.value])).toEqual([
      ['good', 1],
      ['also_good', 2],
    ]);
    expect(parsed.problems).toEqual([
      'line 2: expected a metric name',
      'line 3: no_value: expected a value',
      'line 4: bad_value: "twelve" is not a number',
      'line 5: unclosed: expected , or } after a label',
      'line 6: bad_escape: label a: invalid escape \\t',
      'line 7: no_quotes: label a: expected a quoted value',
      'line 8: dup: label a given twice',
      'line 9: bad_ts: "12.5" is not a timestamp (integer ms)',
      'line 10: extra: unexpected text after the timestamp',
      'line 11: expected `# TYPE name type`',
    ]);
    expect(parsed.problemCount).toBe(10);
  });

  it('keeps the first few problems and counts them all', () => {
    const parsed = parsePrometheusText('x y\n'.repeat(12));
    expect(parsed.problems).toHaveLength(5);
    expect(parsed.problemCount).toBe(12);
  });

  it('reads only the names asked for, skipping other lines unchecked (malformed ones too)', () => {
    const text = 'wanted{a="1"} 2\nnot_wanted{{{ garbage\nwanted{a="2"} 3\nother 1\n';
    const parsed = parsePrometheusText(text, { names: new Set(['wanted']) });
    expect(parsed.problems).toEqual([]);
    expect(parsed.samples.map((sample) => sample.value)).toEqual([2, 3]);
  });

  it('never throws, whatever the input', () => {
    for (const text of ['', '\n\n', '{', '"', 'a{', 'a{b', 'a{b=', 'a{b="', 'a{b="\\', '#', '# TYPE', '\u0000', 'a 1 2\u2028']) {
      expect(() => parsePrometheusText(text)).not.toThrow();
    }
  });
});
