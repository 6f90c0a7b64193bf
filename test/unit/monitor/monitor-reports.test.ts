import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { monitorChartColumns } from '../../../src/monitor/monitor-chart-columns.js';
import { formatMemory, monitorFigures, monitorFiguresText, monitoredProcessesText } from '../../../src/monitor/monitor-figures.js';
import type { MonitorResults, MonitorSourceResults } from '../../../src/monitor/monitor-results.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { consoleSummary } from '../../../src/report/console-summary.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { reportChartData } from '../../../src/report/report-data.js';
import { mergeResults } from '../../../src/results/merge-results.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { assembleResults } from '../../../src/results/results-document.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import type { MonitorSpec } from '../../../src/scenario/types.js';

const START = Date.parse('2026-11-25T20:00:00.000Z');

const MONITOR: MonitorResults = [
  {
    name: 'api',
    kind: 'process',
    target: 'pid 4242',
    intervalMs: 1_000,
    points: [
      { offsetMs: 500, cpuPercent: 20, memoryBytes: 50_000_000 },
      { offsetMs: 1_500, cpuPercent: 80, memoryBytes: 182_400_000 },
      { offsetMs: 2_500, cpuPercent: null, memoryBytes: null },
      { offsetMs: 3_500, cpuPercent: 50, memoryBytes: 120_000_000 },
    ],
    warnings: ['pid 4242 is not running: 1 of 4 samples'],
  },
  {
    name: 'db <b>',
    kind: 'prometheus',
    target: 'http://user:***@127.0.0.1:9187/metrics',
    intervalMs: 1_000,
    points: [],
    warnings: ['cannot reach the endpoint (ECONNREFUSED): every sample'],
  },
];

/** A source by command whose server restarted at 2.1 s and was followed: two processes. */
const FOLLOWED: MonitorSourceResults = {
  name: 'server',
  kind: 'process',
  target: 'command server.js',
  intervalMs: 1_000,
  points: [
    { offsetMs: 100, cpuPercent: null, memoryBytes: 60_000_000 },
    { offsetMs: 1_100, cpuPercent: 40, memoryBytes: 61_000_000 },
    { offsetMs: 2_100, cpuPercent: null, memoryBytes: 55_000_000 },
  ],
  processes: [
    { pid: 4300, commandLine: 'node server.js --port 8080', fromOffsetMs: 0 },
    { pid: 4391, commandLine: 'node server.js <b>', fromOffsetMs: 2_100 },
  ],
  warnings: ['pid 4300 ("server.js") exited; followed pid 4391'],
};

function planWith(monitor: MonitorSpec) {
  return buildPlan({
    file: 'dir/shop.yml',
    baseDir: 'dir',
    data: { target: 'http://h', requests: [{ path: '/' }], load: { profile: 'constant', users: 1, duration: '2s' }, monitor },
    envVarsUsed: [],
  });
}

function resultsWith(monitor: MonitorResults | undefined, startedAtEpochMs = START): ResultsDocument {
  const recorder = new Recorder(['home']);
  recorder.start(0);
  for (let i = 0; i < 40; i++) recorder.recordResponse(0, 200, true, 5_000 + i * 100, 4_000, 100, 50, i * 100);
  recorder.finish(4_000);
  return assembleResults({
    scenario: { name: 'shop', file: 'shop.yml', plan: 'constant 1 user for 4s · 4s · 1 request: home' },
    startedAtEpochMs,
    endedAtEpochMs: startedAtEpochMs + 4_000,
    elapsedMs: 4_000,
    host: 'ci-1',
    interrupted: false,
    warmupExcluded: false,
    warmupRequests: 0,
    recorder,
    thresholds: [],
    generator: {
      workers: 1,
      cpuPercent: 10,
      busyPercent: 10,
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 2,
      schedulerLagP99Ms: 0,
      saturated: false,
      threads: [],
    },
    ...(monitor === undefined ? {} : { monitor }),
  });
}

describe('the plan of a monitor', () => {
  it('fills in the interval, the metrics and names, unique ones', () => {
    const plan = planWith({
      interval: '500ms',
      sources: [
        { process: { pid: 42 } },
        { name: 'api', process: { command: 'node server.js' } },
        { prometheus: { url: 'http://127.0.0.1:9100/metrics' } },
        {
          name: 'api',
          prometheus: { url: 'http://db:9187/metrics', cpu_metric: 'pg_cpu_seconds_total{db="shop"}', memory_metric: 'pg_rss_bytes' },
        },
      ],
    });
    expect(plan.monitor).toEqual({
      intervalMs: 500,
      sources: [
        { kind: 'process', name: 'pid 42', process: { pid: 42 } },
        { kind: 'process', name: 'api', process: { command: 'node server.js' } },
        {
          kind: 'prometheus',
          name: '127.0.0.1:9100/metrics',
          url: 'http://127.0.0.1:9100/metrics',
          cpuMetric: 'process_cpu_seconds_total',
          memoryMetric: 'process_resident_memory_bytes',
        },
        {
          kind: 'prometheus',
          name: 'api (2)',
          url: 'http://db:9187/metrics',
          cpuMetric: 'pg_cpu_seconds_total{db="shop"}',
          memoryMetric: 'pg_rss_bytes',
        },
      ],
    });
    expect(planWith({ sources: [{ process: { command: 'nginx' } }] }).monitor?.intervalMs).toBe(1_000);
  });
});

describe('monitor results in the results file', () => {
  it('are valid against the results schema, and absent when there was no monitor', () => {
    const results = resultsWith(MONITOR);
    expect(results.monitor).toEqual(MONITOR);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(results)))).toEqual([]);
    const none = resultsWith(undefined);
    expect('monitor' in none).toBe(false);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(none)))).toEqual([]);
  });

  it('are checked by the schema', () => {
    const bad = JSON.parse(JSON.stringify(resultsWith(MONITOR))) as { monitor: { points: Record<string, unknown>[]; kind: string }[] };
    bad.monitor[0]!.points[0]!['cpu'] = 1;
    bad.monitor[1]!.kind = 'snmp';
    expect(resultsSchemaProblems(bad)).toEqual([
      '/monitor/0/points/0 has an unexpected property "cpu"',
      '/monitor/1/kind must be equal to one of the allowed values',
    ]);
  });

  it('merge lists every shard’s sources, placed at the shard’s start, names told apart by file when they repeat', () => {
    const merged = mergeResults([
      { file: 's1.json', results: resultsWith(MONITOR) },
      { file: 's2.json', results: resultsWith([MONITOR[0]!], START + 1_000) },
      { file: 's3.json', results: resultsWith(undefined, START + 2_000) },
    ]);
    expect(merged.monitor?.map((source) => [source.name, source.points.map((point) => point.offsetMs)])).toEqual([
      ['api (s1.json)', [500, 1_500, 2_500, 3_500]],
      ['db <b>', []],
      ['api (s2.json)', [1_500, 2_500, 3_500, 4_500]],
    ]);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(merged)))).toEqual([]);
    expect(
      mergeResults([
        { file: 'a.json', results: resultsWith(undefined) },
        { file: 'b.json', results: resultsWith(undefined, START + 1) },
      ]).monitor,
    ).toBeUndefined();
  });
});

describe('the processes of a process source in the results file', () => {
  it('are valid against the schema, and a file without them (written before they were recorded) still is', () => {
    const results = JSON.parse(JSON.stringify(resultsWith([...MONITOR, FOLLOWED]))) as ResultsDocument;
    expect(results.monitor?.[2]?.processes).toEqual(FOLLOWED.processes);
    expect(resultsSchemaProblems(results)).toEqual([]);
    expect(results.monitor?.[0]).not.toHaveProperty('processes');
  });

  it('are checked by the schema: a whole pid, a printable command line of 200 characters at most, 16 at most', () => {
    const bad = JSON.parse(JSON.stringify(resultsWith([FOLLOWED]))) as { monitor: { processes: Record<string, unknown>[] }[] };
    const processes = bad.monitor[0]!.processes;
    processes[0]!['pid'] = 1.5;
    processes[1]!['commandLine'] = 'node \u001b]0;title\u0007';
    processes.push({ pid: 7, commandLine: 'x'.repeat(201), fromOffsetMs: 0 }, { pid: 8, commandLine: 'y', fromOffsetMs: -1 });
    expect(resultsSchemaProblems(bad)).toEqual([
      '/monitor/0/processes/0/pid must be integer',
      '/monitor/0/processes/1/commandLine must match pattern "^[^\\p{Cc}\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"',
      '/monitor/0/processes/2/commandLine must NOT have more than 200 characters',
      '/monitor/0/processes/3/fromOffsetMs must be >= 0',
    ]);
    bad.monitor[0]!.processes = Array.from({ length: 17 }, (_, index) => ({ pid: index + 1, commandLine: '', fromOffsetMs: 0 }));
    expect(resultsSchemaProblems(bad)).toEqual(['/monitor/0/processes must NOT have more than 16 items']);
  });

  it('are kept through merge, placed at their shard’s start like the points', () => {
    const merged = mergeResults([
      { file: 's1.json', results: resultsWith([FOLLOWED]) },
      { file: 's2.json', results: resultsWith([FOLLOWED], START + 1_000) },
    ]);
    expect(
      merged.monitor?.map((source) => [source.name, source.processes?.map((each) => [each.pid, each.commandLine, each.fromOffsetMs])]),
    ).toEqual([
      [
        'server (s1.json)',
        [
          [4300, 'node server.js --port 8080', 0],
          [4391, 'node server.js <b>', 2_100],
        ],
      ],
      [
        'server (s2.json)',
        [
          [4300, 'node server.js --port 8080', 1_000],
          [4391, 'node server.js <b>', 3_100],
        ],
      ],
    ]);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(merged)))).toEqual([]);
  });
});

describe('monitor figures', () => {
  it('mean and peak CPU, peak memory, in words', () => {
    const figures = monitorFigures(MONITOR[0]!);
    expect(figures).toEqual({ meanCpuPercent: 50, maxCpuPercent: 80, maxMemoryBytes: 182_400_000, points: 3 });
    expect(monitorFiguresText(figures)).toBe('CPU mean 50.0%, max 80.0% of one core · memory max 182 MB');
    expect(monitorFiguresText(monitorFigures(MONITOR[1]!))).toBe('no samples');
    expect([formatMemory(42_500_000), formatMemory(3.2e9), formatMemory(12e9)]).toEqual(['42.5 MB', '3200 MB', '12.0 GB']);
  });

  it('chart columns: seconds, % and MB, gaps kept, sources without points left out', () => {
    expect(monitorChartColumns(MONITOR)).toEqual([
      { name: 'api', offsetS: [0.5, 1.5, 2.5, 3.5], cpuPercent: [20, 80, null, 50], memoryMb: [50, 182.4, null, 120] },
    ]);
  });
});

describe('monitor results in the reports', () => {
  it('the console summary has one line per source, then its warnings', () => {
    const text = consoleSummary(resultsWith(MONITOR), new Chalk({ level: 0 }));
    const lines = text.split('\n');
    const at = lines.indexOf('server resources');
    expect(lines.slice(at, at + 5)).toEqual([
      'server resources',
      '  api     CPU mean 50.0%, max 80.0% of one core · memory max 182 MB',
      '  ! api: pid 4242 is not running: 1 of 4 samples',
      '  db <b>  no samples',
      '  ! db <b>: cannot reach the endpoint (ECONNREFUSED): every sample',
    ]);
    expect(consoleSummary(resultsWith(undefined), new Chalk({ level: 0 }))).not.toContain('server resources');
  });

  it('the console summary names the process(es) of a process source, each one followed with when it took over', () => {
    expect(monitoredProcessesText(FOLLOWED.processes ?? [])).toEqual([
      'pid 4300 "node server.js --port 8080"',
      'pid 4391 "node server.js <b>" from 2.1 s',
    ]);
    expect(monitoredProcessesText([{ pid: 2, commandLine: '', fromOffsetMs: 300 }])).toEqual(['pid 2']);
    const lines = consoleSummary(resultsWith([MONITOR[0]!, FOLLOWED]), new Chalk({ level: 0 })).split('\n');
    const at = lines.indexOf('server resources');
    expect(lines.slice(at, at + 7)).toEqual([
      'server resources',
      '  api     CPU mean 50.0%, max 80.0% of one core · memory max 182 MB',
      '  ! api: pid 4242 is not running: 1 of 4 samples',
      '  server  CPU mean 40.0%, max 40.0% of one core · memory max 61.0 MB',
      '  server: pid 4300 "node server.js --port 8080"',
      '  server: pid 4391 "node server.js <b>" from 2.1 s',
      '  ! server: pid 4300 ("server.js") exited; followed pid 4391',
    ]);
  });

  it('the HTML report lists the process(es) under their source, escaped', async () => {
    const html = await renderHtmlReport(resultsWith([FOLLOWED]));
    expect(html).toContain(
      '<b>server</b> <span class="target">command server.js</span> · <span class="num">CPU mean 40.0%, max 40.0% of one core · memory max 61.0 MB</span>' +
        '<br><span class="process">pid 4300 &#34;node server.js --port 8080&#34;</span><br><span class="process">pid 4391 &#34;node server.js &lt;b&gt;&#34; from 2.1 s</span></li>',
    );
  });

  it('the HTML report draws a Server resources chart on the time axis, lists the sources and shows the warnings as notices', async () => {
    const html = await renderHtmlReport(resultsWith(MONITOR));
    expect(html).toContain('<h3>Server resources</h3>');
    expect(html).toContain('id="chart-monitor"');
    expect(html).toContain('on all four.');
    expect(html).toContain('<b>api</b> <span class="target">pid 4242</span>');
    expect(html).toContain('<li><b>db &lt;b&gt;:</b> cannot reach the endpoint (ECONNREFUSED): every sample</li>');
    expect(html).toContain('<b>Monitor:</b> sampling problems with api, db &lt;b&gt;');
    expect(html).not.toContain('<b>db <b>');
    expect(reportChartData(resultsWith(MONITOR)).monitor).toEqual(monitorChartColumns(MONITOR));
  });

  it('the HTML report without a monitor has no such chart', async () => {
    const html = await renderHtmlReport(resultsWith(undefined));
    expect(html).not.toContain('<h3>Server resources</h3>');
    expect(html).not.toContain('id="chart-monitor"');
    expect(html).toContain('on all three.');
    expect(reportChartData(resultsWith(undefined)).monitor).toBeUndefined();
  });
});
