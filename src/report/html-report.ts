import { compareStatusLabels, grpcCodeOfLabel, statusClass } from '../metrics/status-label.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ejs from 'ejs';
import { REPORT_PAGE_SCRIPT_PATH, TEMPLATES_DIR } from '../assets.js';
import { assertNever } from '../errors.js';
import type { ErrorCategory } from '../metrics/error-category.js';
import { monitorFigures, monitorFiguresText, monitoredProcessesText } from '../monitor/monitor-figures.js';
import { metricOf } from '../plan/thresholds.js';
import { describeRegression } from '../results/baseline.js';
import { diagnose } from '../results/diagnose.js';
import type { Diagnosis } from '../results/diagnose.js';
import type { CustomMetricDocument, ResultsDocument, StatsDocument, ThresholdDocument } from '../results/results-document.js';
import { abortedText, partialText, thresholdName } from './console-summary.js';
import { formatCount, formatMs, formatPercent, formatRate } from './format.js';
import { readBundledScript, readUPlotAssets, scriptHash } from './inline-assets.js';
import { TIMING_COLUMNS, timingRows } from './timing-summary.js';
import { findLimitChartData, findLimitLocals, findLimitVerdict } from './find-limit-html.js';
import { reportChartData } from './report-data.js';
import type { ReportChartData, ReportPageData } from './report-page-data.js';
import { scriptSafeJson } from './script-safe-json.js';

/**
 * The HTML report: one self-contained file rendered from a results document alone. Styles, the charting
 * library (uPlot, read from node_modules) and the page's script are inline; the chart data is a JSON block
 * (`scriptSafeJson`). A Content-Security-Policy lets nothing load from anywhere and runs only the two
 * scripts written here (by hash). Every string from the scenario or the target goes through EJS's escaping
 * (`<%=`); the page's script sets text with `textContent` only.
 */
export async function renderHtmlReport(results: ResultsDocument): Promise<string> {
  const assets = await reportAssets();
  const chartData = reportChartData(results);
  return assets.template(reportLocals(results, chartData, assets));
}

/** Line colours of the per-request chart, in order (the busiest request first); the table shows the same swatches. */
export const REQUEST_COLORS = [
  '#2563eb',
  '#d97706',
  '#059669',
  '#db2777',
  '#7c3aed',
  '#0891b2',
  '#dc2626',
  '#65a30d',
  '#9333ea',
  '#ea580c',
  '#0d9488',
  '#4b5563',
] as const;

interface ReportAssets {
  readonly template: ejs.TemplateFunction;
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly clientJs: string;
  /** `script-src` sources: the hash of each inline script. */
  readonly scriptHashes: string;
}

let assetsPromise: Promise<ReportAssets> | undefined;

/** The template (compiled once, fixed options) and the inlined files, read once per process. */
function reportAssets(): Promise<ReportAssets> {
  assetsPromise ??= loadAssets().catch((error: unknown) => {
    assetsPromise = undefined;
    throw error;
  });
  return assetsPromise;
}

async function loadAssets(): Promise<ReportAssets> {
  const templateFile = join(TEMPLATES_DIR, 'report', 'report.html.ejs');
  const [templateText, uplot, clientJs] = await Promise.all([
    readFile(templateFile, 'utf8'),
    readUPlotAssets(),
    readBundledScript(REPORT_PAGE_SCRIPT_PATH, "the HTML report's script"),
  ]);
  const template = ejs.compile(templateText, { filename: templateFile, strict: false, rmWhitespace: false, async: false, client: false });
  const scriptHashes = [uplot.js, clientJs].map(scriptHash).join(' ');
  return { template, uplotJs: uplot.js, uplotCss: uplot.css, clientJs, scriptHashes };
}

/** Everything the template reads: results, preformatted text, and the assets. No function of the template builds markup. */
function reportLocals(results: ResultsDocument, chartData: ReportChartData, assets: ReportAssets): Record<string, unknown> {
  const { summary } = results;
  const total = summary.total;
  const failed: { readonly description: string }[] = [
    ...results.thresholds.filter((threshold) => !threshold.passed),
    ...(results.baseline?.regressions ?? []).map((regression) => ({
      description: `against the baseline: ${describeRegression(regression)}`,
    })),
  ];
  const chartedNames = chartData.spectrum?.requests.map((request) => request.name) ?? [];
  const requestRows = summary.requests.map((stats) => ({ ...requestRow(stats), color: colorOf(chartedNames.indexOf(stats.name)) }));
  return {
    r: results,
    total,
    verdict: verdictText(results, results.thresholds.filter((threshold) => !threshold.passed).length),
    ...diagnosisLocals(results),
    baseline: baselineLocals(results),
    failed,
    figures: keyFigures(results),
    warnings: warnings(results),
    requestRows,
    totalRow: summary.requests.length > 1 ? requestRow(total) : undefined,
    timingTables: timingTables(results),
    timingColumns: TIMING_COLUMNS,
    scenarioRows: (summary.scenarios ?? []).map(requestRow),
    tagRows: (summary.tags ?? []).map(requestRow),
    metricRows: (summary.metrics ?? []).map(metricRow),
    outcomes: outcomeRows(results),
    outcomeColumns: summary.requests.length > 1 && summary.requests.length <= 6 ? summary.requests.map((stats) => stats.name) : [],
    thresholds: results.thresholds.map(thresholdRow),
    details: runDetails(results),
    startedText: utc(results.run.startedAt),
    dataJson: scriptSafeJson({ ...chartData, colors: REQUEST_COLORS, findLimit: findLimitChartData(results) } satisfies ReportPageData),
    findLimit: findLimitLocals(results),
    csp: [
      "default-src 'none'",
      `script-src ${assets.scriptHashes}`,
      "style-src 'unsafe-inline'",
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; '),
    uplotJs: assets.uplotJs,
    uplotCss: assets.uplotCss,
    clientJs: assets.clientJs,
    hasDistribution: chartData.distribution !== undefined,
    distributionUnavailable: chartData.distributionUnavailable,
    requestsNotCharted: chartData.spectrum?.requestsNotCharted ?? 0,
    hasRequestChart: (chartData.spectrum?.requests.length ?? 0) > 0,
    hasSeries: chartData.series.startS.length > 0,
    monitorSources: monitorRows(results, chartData),
    monitorNotices: (results.monitor ?? []).flatMap((source) => source.warnings.map((text): Warning => ({ title: source.name, text }))),
    monitorIntervalText: `${Math.min(...(results.monitor ?? []).map((source) => source.intervalMs)) / 1000} s`,
    hasMonitorChart: chartData.series.startS.length > 0 && (chartData.monitor?.length ?? 0) > 0,
    anyFailures: total.failures > 0,
    anyDropped: chartData.series.anyDropped,
    drainText: drainText(chartData.series.drain),
    openModel: chartData.series.arrivals !== undefined,
  };
}

/** The timing breakdown: a table per request name (and the total, with several) that has any phase measured. */
function timingTables(results: ResultsDocument): { readonly name: string; readonly rows: ReturnType<typeof timingRows> }[] {
  const { requests, total } = results.summary;
  return (requests.length > 1 ? [...requests, total] : requests)
    .map((stats) => ({ name: stats.name, rows: timingRows(stats) }))
    .filter((table) => table.rows.length > 0);
}

/** What broke, in the verdict's box: the likely causes, most likely first (results/diagnose.ts), and their title. */
function diagnosisLocals(results: ResultsDocument): { diagnoses: Diagnosis[]; diagnosesTitle: string } {
  return {
    diagnoses: diagnose(results),
    diagnosesTitle: results.verdict === 'failed' ? 'Likely cause, most likely first' : 'What degraded the run',
  };
}

/** The lead's note on the drain left out of the charts over time, or undefined. */
function drainText(drain: ReportChartData['series']['drain']): string | undefined {
  if (drain === undefined) return undefined;
  const requests = `${formatCount(drain.requests)} request${drain.requests === 1 ? '' : 's'}`;
  const failed = drain.failures > 0 ? `, ${formatCount(drain.failures)} of them failed` : '';
  return `The last ${formatMs(drain.ms)} ms, after the load stopped, are not charted: only the ${requests} still in flight finished then${failed}. They count in every total.`;
}

function colorOf(index: number): string | undefined {
  return index >= 0 ? REQUEST_COLORS[index % REQUEST_COLORS.length] : undefined;
}

interface VerdictText {
  readonly kind: ResultsDocument['verdict'];
  /** `Passed: 3 of 3 thresholds met` */
  readonly headline: string;
  readonly detail?: string;
  readonly listTitle: string;
}

/** The comparison with the baseline (`run --baseline`) as table rows, or undefined without one. */
function baselineLocals(results: ResultsDocument):
  | {
      file: string;
      startedAt: string;
      rows: { metric: string; baseline: string; current: string; change: string; tolerance: string; regression: boolean }[];
      regressions: string[];
    }
  | undefined {
  const baseline = results.baseline;
  if (baseline === undefined) return undefined;
  const value = (metric: string, figure: number | null): string =>
    figure === null
      ? 'n/a'
      : metric === 'error-rate'
        ? `${Number((figure * 100).toFixed(2))}%`
        : metric === 'throughput'
          ? `${formatCount(Math.round(figure))} req/s`
          : `${formatMs(figure)} ms`;
  const change = (metric: string, figure: number | null): string =>
    figure === null
      ? 'n/a'
      : metric === 'error-rate'
        ? `${figure > 0 ? '+' : ''}${Number((figure * 100).toFixed(2))} points`
        : `${figure > 0 ? '+' : ''}${Number((figure * 100).toFixed(1))}%`;
  return {
    file: baseline.file,
    startedAt: utc(baseline.startedAt),
    rows: baseline.total.map((metric) => ({
      metric: metric.metric,
      baseline: value(metric.metric, metric.baseline),
      current: value(metric.metric, metric.current),
      change: change(metric.metric, metric.change),
      tolerance:
        metric.metric === 'error-rate'
          ? `+${Number((metric.tolerance * 100).toFixed(2))} points`
          : `${Number((metric.tolerance * 100).toFixed(1))}%`,
      regression: metric.regression,
    })),
    regressions: baseline.regressions.filter((regression) => regression.request !== 'total').map(describeRegression),
  };
}

function verdictText(results: ResultsDocument, failedCount: number): VerdictText {
  const count = results.thresholds.length;
  const findLimit = results.findLimit;
  // A find-limit run: its thresholds are the limit step's, so "thresholds met" would sit above the step that broke.
  if (findLimit !== undefined && results.verdict !== 'interrupted') return findLimitVerdict(findLimit);
  switch (results.verdict) {
    case 'passed':
      return {
        kind: 'passed',
        headline: count > 0 ? `Passed: ${count} of ${count} thresholds met` : 'Passed: the run completed (no thresholds)',
        listTitle: '',
      };
    case 'failed': {
      const abortedBy = results.run.abortedBy;
      const regressions = results.baseline?.regressions.length ?? 0;
      if (abortedBy === undefined && failedCount === 0 && regressions > 0) {
        return {
          kind: 'failed',
          headline: `Failed: ${regressions} regression${regressions === 1 ? '' : 's'} against the baseline`,
          detail: count > 0 ? `${count} of ${count} thresholds met.` : 'No thresholds were set.',
          listTitle: 'Regressed',
        };
      }
      return abortedBy === undefined
        ? { kind: 'failed', headline: `Failed: ${failedCount} of ${count} thresholds violated`, listTitle: 'Violated' }
        : {
            kind: 'failed',
            headline: `Failed: aborted by threshold ${thresholdName(abortedBy)}`,
            detail: `${capitalised(abortedText(abortedBy))}. ${failedCount} of ${count} thresholds violated.`,
            listTitle: 'Violated',
          };
    }
    case 'interrupted':
      return {
        kind: 'interrupted',
        headline: 'Interrupted: partial results',
        detail: 'The run was stopped before its end: the figures cover it until then.',
        listTitle: 'Violated on the partial results',
      };
    default:
      return assertNever(results.verdict);
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface Figure {
  readonly label: string;
  readonly value: string;
  readonly unit?: string;
  readonly note?: string;
  readonly wide?: boolean;
  readonly bad?: boolean;
}

function keyFigures(results: ResultsDocument): Figure[] {
  const total = results.summary.total;
  const plan = results.scenario.plan;
  const profile = plan.split(' · ')[0] ?? plan;
  return [
    { label: 'requests', value: formatCount(total.count), note: `${formatCount(results.summary.iterations)} iterations` },
    { label: 'throughput', value: formatRate(total.requestsPerSec), unit: 'req/s' },
    {
      label: 'errors',
      value: formatPercent(total.errorRate),
      note: total.failures === 0 ? 'no request failed' : `${formatCount(total.failures)} failed`,
      bad: total.failures > 0,
    },
    { label: 'duration', ...duration(results.run.durationMs), note: results.run.warmupExcluded ? 'warm-up excluded' : 'measured' },
    { label: 'p50', value: formatMs(total.latencyMs.p50), unit: 'ms', note: `min ${formatMs(total.latencyMs.min)} ms` },
    { label: 'p95', value: formatMs(total.latencyMs.p95), unit: 'ms' },
    { label: 'p99', value: formatMs(total.latencyMs.p99), unit: 'ms', note: `max ${formatMs(total.latencyMs.max)} ms` },
    { label: 'profile', value: profile, wide: true },
  ];
}

interface Warning {
  readonly title: string;
  readonly text: string;
}

function warnings(results: ResultsDocument): Warning[] {
  const { run, summary, generator } = results;
  const list: Warning[] = [];
  if (generator.saturated) {
    list.push({
      title: 'Load generator saturated',
      text: `${generator.reason ?? `loadseed was ${generator.busyPercent}% busy`}. The figures may show loadseed's limits, not the target's: add workers or a bigger machine.`,
    });
  }
  if (generator.noisyMachine === true) {
    list.push({
      title: 'Noisy machine',
      text: `${generator.noiseReason ?? 'other processes took the CPU'}. loadseed was not saturated, but latencies may include the machine's delays: run on a quieter machine.`,
    });
  }
  if (run.abortedBy !== undefined)
    list.push({ title: 'Stopped early', text: `${abortedText(run.abortedBy)}: the figures cover the run until then.` });
  if (run.interrupted) list.push({ title: 'Interrupted', text: 'the figures cover the run until it was stopped.' });
  if (summary.droppedArrivals > 0) {
    list.push({
      title: 'Arrivals dropped',
      text: `${formatCount(summary.droppedArrivals)} arrivals were due while every user was busy (raise max_users, or the target is saturated).`,
    });
  }
  if (summary.total.interrupted > 0)
    list.push({
      title: 'Requests aborted',
      text: `${formatCount(summary.total.interrupted)} requests still in flight at the end were aborted.`,
    });
  if (run.warmupExcluded)
    list.push({
      title: 'Warm-up excluded',
      text: `${formatCount(run.warmupRequests)} requests left out of the figures and the thresholds.`,
    });
  if (run.shards !== undefined)
    list.push({ title: 'Merged', text: `the results of ${run.shards} runs (shards), thresholds evaluated on the merged figures.` });
  if (run.partial !== undefined) list.push({ title: 'Partial', text: `${partialText(run.partial)}.` });
  if (run.dataExhausted === true)
    list.push({
      title: 'Data used up',
      text: 'every row of a unique data file was sent once (when_exhausted: stop): the run ended early, as planned.',
    });
  if (run.http?.tlsInsecure === true)
    list.push({
      title: 'TLS not verified',
      text: 'certificates were not checked (http.tls.insecure): acceptable only for a target you own.',
    });
  for (const failure of run.setupFailures ?? [])
    list.push({ title: 'Setup failed', text: `${failure}; requests that need its captures failed.` });
  const troubled = (results.monitor ?? []).filter((source) => source.warnings.length > 0).map((source) => source.name);
  if (troubled.length > 0)
    list.push({ title: 'Monitor', text: `sampling problems with ${troubled.join(', ')}: see Server resources under Over time.` });
  return list;
}

interface MonitorRow {
  readonly name: string;
  readonly target: string;
  /** The source's line colour on the chart; undefined when it has no points. */
  readonly color?: string;
  readonly figures: string;
  /** The processes a process source sampled: `pid 1234 "node server.js"`. */
  readonly processes: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Each monitored source: its figures over the run, the process(es) it was, and its warnings, coloured as on the
 * server resources chart.
 */
function monitorRows(results: ResultsDocument, chartData: ReportChartData): MonitorRow[] {
  const charted = (chartData.monitor ?? []).map((source) => source.name);
  return (results.monitor ?? []).map((source) => {
    const color = colorOf(charted.indexOf(source.name));
    return {
      name: source.name,
      target: source.target,
      ...(color === undefined ? {} : { color }),
      figures: monitorFiguresText(monitorFigures(source)),
      processes: monitoredProcessesText(source.processes ?? []),
      warnings: source.warnings,
    };
  });
}

interface RequestRow {
  readonly name: string;
  readonly cells: readonly string[];
  readonly failures: number;
}

/** The console's columns: count, req/s, p50, p95, p99, max, errors. */
function requestRow(stats: StatsDocument): RequestRow {
  const latency = stats.latencyMs;
  return {
    name: stats.name,
    cells: [
      formatCount(stats.count),
      formatRate(stats.requestsPerSec),
      formatMs(latency.p50),
      formatMs(latency.p95),
      formatMs(latency.p99),
      formatMs(latency.max),
      stats.failures === 0 ? '0' : `${formatCount(stats.failures)} (${formatPercent(stats.errorRate)})`,
    ],
    failures: stats.failures,
  };
}

interface OutcomeRow {
  readonly label: string;
  /** `s2`…`s5` for a status class, `error` for an error category. */
  readonly kind: string;
  readonly count: string;
  /** Share of all requests, for the bar (0–100) and as text. */
  readonly sharePercent: number;
  readonly share: string;
  readonly perRequest: readonly string[];
  readonly explanation?: string;
  /** Example messages of an error category, most frequent first (a few at most). */
  readonly examples: readonly { readonly message: string; readonly count: string }[];
}

/** Example messages shown per error category. */
const EXAMPLES_PER_CATEGORY = 3;

const CATEGORY_EXPLANATIONS: Readonly<Record<ErrorCategory, string>> = {
  connection_refused: 'nothing listened at the target address',
  connection_reset: 'the target closed or reset the connection',
  timeout: 'no complete response within the timeout',
  dns: 'the host name did not resolve',
  tls: 'the TLS handshake or certificate check failed',
  protocol: 'the response was not valid HTTP',
  aborted: 'the request was aborted',
  other: 'another error',
  check: 'a response that failed a check or a capture',
  script: 'a code hook (hooks:) threw or rejected',
};

/** Status codes then error categories, each with its count, share and (with several requests) the count per request. */
function outcomeRows(results: ResultsDocument): OutcomeRow[] {
  const total = results.summary.total;
  const requests = results.summary.requests.length > 1 && results.summary.requests.length <= 6 ? results.summary.requests : [];
  const share = (count: number): number => (total.count === 0 ? 0 : (count / total.count) * 100);
  const rows: OutcomeRow[] = [];
  const statuses = Object.entries(total.statusCodes).sort(([a], [b]) => compareStatusLabels(a, b));
  for (const [status, count] of statuses) {
    const grpc = grpcCodeOfLabel(status) !== undefined;
    rows.push({
      label: status === '0' ? 'no status' : grpc ? `gRPC ${status}` : `HTTP ${status}`,
      // A gRPC status is coloured as a 2xx when OK, as a 5xx otherwise.
      kind: grpc ? (statusClass(status) === 'ok' ? 's2' : 's5') : `s${status.charAt(0)}`,
      count: formatCount(count),
      sharePercent: share(count),
      share: formatShare(share(count)),
      perRequest: requests.map((stats) => formatCount(stats.statusCodes[status] ?? 0)),
      examples: [],
    });
  }
  const categories = (Object.entries(total.errors) as [ErrorCategory, number | undefined][]).sort(([, a], [, b]) => (b ?? 0) - (a ?? 0));
  for (const [category, count = 0] of categories) {
    rows.push({
      label: category,
      kind: 'error',
      count: formatCount(count),
      sharePercent: share(count),
      share: formatShare(share(count)),
      perRequest: requests.map((stats) => formatCount(stats.errors[category] ?? 0)),
      explanation: CATEGORY_EXPLANATIONS[category] ?? '',
      examples: (total.failureSamples ?? [])
        .filter((sample) => sample.kind === category)
        .slice(0, EXAMPLES_PER_CATEGORY)
        .map((sample) => ({ message: sample.message, count: formatCount(sample.count) })),
    });
  }
  return rows;
}

function formatShare(percent: number): string {
  return percent === 0
    ? '0%'
    : percent < 0.01
      ? '< 0.01%'
      : percent >= 99.995 && percent < 100
        ? '> 99.99%'
        : `${Number(percent.toFixed(2))}%`;
}

interface ThresholdRow {
  readonly name: string;
  readonly scope: string;
  readonly measured: string;
  readonly limit: string;
  readonly passed: boolean;
  readonly description: string;
}

function thresholdRow(threshold: ThresholdDocument): ThresholdRow {
  if (threshold.metric !== undefined) {
    const value = (figure: number): string => String(Number(figure.toFixed(3)));
    return {
      name: threshold.key,
      scope: `metric ${threshold.metric}`,
      measured: threshold.measured === null ? 'no data' : value(threshold.measured),
      limit: `${threshold.key === 'sum_min' ? '≥' : '≤'} ${value(threshold.limit)}`,
      passed: threshold.passed,
      description: threshold.description,
    };
  }
  const metric = metricOf(threshold.key);
  const atLeast = metric?.kind === 'min-rps';
  return {
    name: threshold.default === true ? `${threshold.key} (default)` : threshold.key,
    scope:
      threshold.request ??
      (threshold.scenario !== undefined
        ? `scenario ${threshold.scenario}`
        : threshold.tag !== undefined
          ? `tag ${threshold.tag}`
          : 'all requests'),
    measured: threshold.measured === null ? 'no data' : thresholdValue(threshold.key, threshold.measured),
    limit: `${atLeast ? '≥' : '≤'} ${thresholdValue(threshold.key, threshold.limit)}`,
    passed: threshold.passed,
    description: threshold.description,
  };
}

/** A threshold's value in its unit: `612.3 ms`, `0.5%`, `1,200 req/s`. */
function thresholdValue(key: string, value: number): string {
  const metric = metricOf(key);
  if (metric === undefined) return String(value);
  switch (metric.kind) {
    case 'avg-latency':
    case 'max-latency':
    case 'percentile-latency':
    case 'timing':
      return `${formatMs(value)} ms`;
    case 'error-rate':
    case 'dropped-rate':
      return `${Number((value * 100).toFixed(3))}%`;
    case 'min-rps':
      return `${formatRate(value)} req/s`;
    case 'custom-metric':
      return String(Number(value.toFixed(3)));
    default:
      return assertNever(metric);
  }
}

interface MetricRow {
  readonly name: string;
  readonly kind: string;
  /** count, sum, min, avg, p50, p95, p99, max */
  readonly cells: readonly string[];
}

/** A custom metric's row: a counter's count and sum; a trend's distribution too (`–` where there is none). */
function metricRow(metric: CustomMetricDocument): MetricRow {
  const value = (figure: number | undefined): string => (figure === undefined ? '–' : String(Number(figure.toFixed(3))));
  const trend = metric.kind === 'trend';
  return {
    name: metric.name,
    kind: metric.kind,
    cells: [
      formatCount(metric.count),
      value(metric.sum),
      value(trend ? metric.min : undefined),
      value(trend ? metric.avg : undefined),
      value(metric.p50),
      value(metric.p95),
      value(metric.p99),
      value(trend ? metric.max : undefined),
    ],
  };
}

interface Detail {
  readonly label: string;
  readonly value: string;
}

function runDetails(results: ResultsDocument): Detail[] {
  const { run, generator, summary } = results;
  const details: Detail[] = [
    { label: 'scenario file', value: results.scenario.file },
    { label: 'plan', value: results.scenario.plan },
    { label: 'started', value: utc(run.startedAt) },
    { label: 'ended', value: utc(run.endedAt) },
    { label: 'host', value: run.host },
    {
      label: 'load generator',
      value: `${generator.workers} worker thread${generator.workers === 1 ? '' : 's'}, CPU ${generator.cpuPercent}% of one core, busiest thread ${generator.busyPercent}% busy`,
    },
    {
      label: 'event-loop delay',
      value: `p99 ${formatMs(generator.eventLoopDelayP99Ms)} ms, max ${formatMs(generator.eventLoopDelayMaxMs)} ms`,
    },
  ];
  if (summary.schedulerLagMs.max > 0 || generator.schedulerLagP99Ms > 0) {
    details.push({
      label: 'scheduler lag',
      value: `p99 ${formatMs(summary.schedulerLagMs.p99)} ms, max ${formatMs(summary.schedulerLagMs.max)} ms (how late arrivals were sent)`,
    });
  }
  const bytesIn = summary.total.bytesIn;
  const bytesOut = summary.total.bytesOut;
  details.push({ label: 'data', value: `${formatBytes(bytesIn)} received, ${formatBytes(bytesOut)} sent` });
  if (run.warmupExcluded) details.push({ label: 'warm-up', value: `${formatCount(run.warmupRequests)} requests, excluded` });
  if (run.shards !== undefined) details.push({ label: 'merged from', value: `${run.shards} shards` });
  if (run.http !== undefined) {
    const transport =
      run.http.transport === 'socket' ? 'HTTP/1.1, loadseed sockets' : `flows on undici${run.http.http2 ? ', HTTP/2 offered' : ''}`;
    details.push({ label: 'HTTP', value: `${transport}${run.http.tlsInsecure ? ', TLS not verified' : ''}` });
  }
  details.push({ label: 'loadseed', value: `${results.loadseed}, results format v${results.version}` });
  return details;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** `2026-11-25 21:32:52 UTC` */
function utc(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `5.0 s`, `12.5 min`, `2.25 h` */
function duration(ms: number): { readonly value: string; readonly unit: string } {
  if (ms < 120_000) return { value: (ms / 1000).toFixed(1), unit: 's' };
  if (ms < 7_200_000) return { value: (ms / 60_000).toFixed(1), unit: 'min' };
  return { value: (ms / 3_600_000).toFixed(2), unit: 'h' };
}
