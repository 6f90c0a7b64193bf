import type { PlannedThreshold } from '../plan/thresholds.js';
import type { ChalkInstance } from 'chalk';
import { monitorFigures, monitorFiguresText, monitoredProcessesText } from '../monitor/monitor-figures.js';
import { describeRegression } from '../results/baseline.js';
import type { BaselineDocument } from '../results/baseline.js';
import { describeMissing } from '../results/merge-results.js';
import { diagnose } from '../results/diagnose.js';
import type { Diagnosis } from '../results/diagnose.js';
import type {
  AbortedByDocument,
  CustomMetricDocument,
  PartialDocument,
  ResultsDocument,
  StatsDocument,
} from '../results/results-document.js';
import { changeText, labelOf, valueText } from './compare-report.js';
import { formatCount, formatMs, formatRate } from './format.js';
import { printableDeep } from './printable-text.js';
import { timingLine, timingTable } from './timing-summary.js';

export interface ConsoleSummaryOptions {
  /** The timing phases per request as a table (`run --breakdown`), not one line for the run. */
  readonly breakdown?: boolean;
}

/**
 * The final console summary of a run, as text: a table per request, status codes and error categories,
 * the timing phases (a line, or a table with `breakdown`), each threshold with ✓/✗, warnings, and the verdict.
 * A pure function of the results; `c` colours it.
 */
export function consoleSummary(document: ResultsDocument, c: ChalkInstance, options: ConsoleSummaryOptions = {}): string {
  // Names, hosts and messages come from scenarios and results files: none reaches the terminal raw.
  const results = printableDeep(document);
  const lines: string[] = [];
  const { summary, run } = results;
  lines.push('');
  lines.push(c.bold(`${results.scenario.name}`) + c.dim(`  ${results.scenario.plan}`));
  lines.push(
    c.dim(
      `${formatCount(summary.total.count)} requests in ${(run.durationMs / 1000).toFixed(1)} s · ${formatRate(summary.total.requestsPerSec)} req/s · ${summary.iterations} iterations`,
    ),
  );
  lines.push('');
  const header = ['request', 'count', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'];
  const rows = summary.requests.map(row);
  if (summary.requests.length > 1) rows.push(row(summary.total));
  lines.push(...table(header, rows, c));
  if (summary.scenarios !== undefined) {
    lines.push('', ...table(['scenario', ...header.slice(1)], [...summary.scenarios.map(row), row(summary.total)], c));
  }
  lines.push(...(options.breakdown === true ? timingTable(summary.requests, summary.total, c) : timingLine(summary.total, c)));
  if (summary.tags !== undefined && summary.tags.length > 0) {
    lines.push('', c.bold('by tag'), ...table(['tag', ...header.slice(1)], summary.tags.map(row), c));
  }
  if (summary.metrics !== undefined && summary.metrics.length > 0) {
    lines.push('', c.bold('custom metrics'), ...table(METRIC_HEADER, summary.metrics.map(metricRow), c));
  }

  lines.push(...outcomeLines(summary.total, c));
  lines.push(...monitorLines(results.monitor ?? [], c));
  const warnings = warningsOf(results);
  if (warnings.length > 0) {
    lines.push('');
    for (const warning of warnings) lines.push(c.yellow(`! ${warning}`));
  }
  if (results.thresholds.length > 0) {
    lines.push('', c.bold('thresholds'));
    for (const threshold of results.thresholds) {
      lines.push(threshold.passed ? `  ${c.green('✓')} ${threshold.description}` : `  ${c.red('✗')} ${c.red(threshold.description)}`);
    }
  }
  if (results.baseline !== undefined) lines.push(...baselineLines(results.baseline, c));
  lines.push(...diagnosisLines(diagnose(results), c));
  return `${lines.join('\n')}\n`;
}

/** What broke (results/diagnose.ts): each likely cause, most likely first, with its figures. */
function diagnosisLines(diagnoses: readonly Diagnosis[], c: ChalkInstance): string[] {
  if (diagnoses.length === 0) return [];
  const lines = ['', c.bold('what broke') + c.dim(' (most likely first)')];
  diagnoses.forEach((diagnosis, index) => {
    lines.push(`  ${index + 1}. ${diagnosis.sentence}`);
    for (const evidence of diagnosis.evidence) lines.push(c.dim(`     ${evidence}`));
  });
  return lines;
}

/** Status codes and error categories, with the most frequent message of each category. */
function outcomeLines(total: StatsDocument, c: ChalkInstance): string[] {
  const lines: string[] = [];
  const statuses = Object.entries(total.statusCodes).map(([status, count]) => `${status}: ${formatCount(count)}`);
  if (statuses.length > 0) lines.push('', `status codes  ${statuses.join('  ')}`);
  const errors = Object.entries(total.errors).map(([category, count]) => `${category}: ${formatCount(count ?? 0)}`);
  if (errors.length > 0) lines.push(c.red(`errors        ${errors.join('  ')}`));
  // The most frequent message of each error category, so that a failure can be understood from the log alone.
  const seen = new Set<string>();
  for (const sample of total.failureSamples ?? []) {
    if (seen.has(sample.kind) || sample.kind === 'status') continue;
    seen.add(sample.kind);
    lines.push(c.dim(`  ${sample.kind}: ${sample.message}${sample.count > 1 ? ` (×${formatCount(sample.count)})` : ''}`));
  }
  return lines;
}

/** The monitored servers (`monitor`): one line per source, the process(es) it was, then its sampling problems. */
function monitorLines(monitor: NonNullable<ResultsDocument['monitor']>, c: ChalkInstance): string[] {
  if (monitor.length === 0) return [];
  const lines = ['', c.bold('server resources')];
  const width = Math.max(...monitor.map((source) => source.name.length));
  for (const source of monitor) {
    lines.push(`  ${source.name.padEnd(width)}  ${monitorFiguresText(monitorFigures(source))}`);
    for (const line of monitoredProcessesText(source.processes ?? [])) lines.push(c.dim(`  ${source.name}: ${line}`));
    for (const warning of source.warnings) lines.push(c.yellow(`  ! ${source.name}: ${warning}`));
  }
  return lines;
}

/** What the figures do not show by themselves: an interrupted or partial run, dropped arrivals, a saturated generator… */
function warningsOf(results: ResultsDocument): string[] {
  const { summary, run } = results;
  const warnings: string[] = [];
  if (run.interrupted) warnings.push('interrupted: the figures cover the run until it was stopped');
  if (run.abortedBy !== undefined) warnings.push(`${abortedText(run.abortedBy)}: the figures cover the run until then`);
  if (run.shards !== undefined)
    warnings.push(`merged: the results of ${run.shards} runs (shards), thresholds evaluated on the merged figures`);
  if (run.partial !== undefined) warnings.push(partialText(run.partial));
  if (summary.droppedArrivals > 0) {
    warnings.push(
      `${formatCount(summary.droppedArrivals)} arrivals dropped: every user was busy (raise max_users, or the target is saturated)`,
    );
  }
  if (summary.total.interrupted > 0)
    warnings.push(`${formatCount(summary.total.interrupted)} requests still in flight at the end were aborted`);
  warnings.push(...generatorWarnings(results.generator));
  if (run.warmupExcluded)
    warnings.push(`warm-up excluded: ${formatCount(run.warmupRequests)} requests left out of the figures and the SLA`);
  if (run.dataExhausted === true)
    warnings.push('the data file was used up (order: unique, when_exhausted: stop): the run ended early, as planned');
  if (run.http?.tlsInsecure === true) warnings.push('TLS certificates were not verified (http.tls.insecure): only for targets you own');
  for (const failure of run.setupFailures ?? []) warnings.push(`${failure} (before the load; requests that need its captures fail)`);
  return warnings;
}

/** A saturated load generator, or a noisy machine: figures that may not be the target's. */
function generatorWarnings(generator: ResultsDocument['generator']): string[] {
  const warnings: string[] = [];
  if (generator.saturated) {
    warnings.push(
      `load generator saturated (${generator.reason ?? 'busy'}): the figures may show loadseed's limits, not the target's — add workers or a bigger machine`,
    );
  }
  if (generator.noisyMachine === true) {
    warnings.push(
      `noisy machine (${generator.noiseReason ?? 'other processes took the CPU'}): latencies may include the machine's delays — run on a quieter machine`,
    );
  }
  return warnings;
}

/** The comparison with the baseline: each metric of the whole run, before → after, then each request's regressions. */
function baselineLines(baseline: BaselineDocument, c: ChalkInstance): string[] {
  const lines = ['', `${c.bold('baseline')}  ${baseline.file} (${baseline.startedAt})`];
  const label = (metric: (typeof baseline.total)[number]): string => labelOf(metric.metric);
  const width = Math.max(...baseline.total.map((metric) => label(metric).length));
  const before = baseline.total.map((metric) => valueText(metric.metric, metric.baseline));
  const after = baseline.total.map((metric) => valueText(metric.metric, metric.current));
  const beforeWidth = Math.max(...before.map((text) => text.length));
  const afterWidth = Math.max(...after.map((text) => text.length));
  baseline.total.forEach((metric, index) => {
    const line = `${label(metric).padEnd(width)}  ${(before[index] ?? '').padStart(beforeWidth)} → ${(after[index] ?? '').padEnd(afterWidth)}  ${changeText(metric)}`;
    lines.push(metric.regression ? `  ${c.red('✗')} ${c.red(line)}` : `  ${c.green('✓')} ${line}`);
  });
  const perRequest = baseline.regressions.filter((regression) => regression.request !== 'total');
  for (const regression of perRequest) lines.push(`  ${c.red('✗')} ${c.red(describeRegression(regression))}`);
  return lines;
}

/**
 * The one-line verdict, printed last (and alone with --quiet). A failed run's ends with its most likely
 * cause (results/diagnose.ts), when one is found: `✗ failed: 1 of 1 thresholds violated — errors: 503 from the target…`.
 */
export function verdictLine(document: ResultsDocument, c: ChalkInstance): string {
  const results = printableDeep(document);
  const line = verdictText(results, c);
  if (results.verdict !== 'failed') return line;
  const [cause] = diagnose(results);
  return cause === undefined ? line : `${line}${c.red(` — ${cause.sentence}`)}`;
}

function verdictText(results: ResultsDocument, c: ChalkInstance): string {
  const failed = results.thresholds.filter((threshold) => !threshold.passed).length;
  const total = results.thresholds.length;
  switch (results.verdict) {
    case 'passed': {
      const against = results.baseline === undefined ? '' : ', no regression against the baseline';
      return c.green(total === 0 ? `✓ run completed (no thresholds${against})` : `✓ passed: ${total} of ${total} thresholds met${against}`);
    }
    case 'failed':
      if (failed === 0 && results.baseline !== undefined && !results.baseline.passed) {
        return c.red(`✗ failed: ${regressionsText(results.baseline)}${total === 0 ? '' : `; ${total} of ${total} thresholds met`}`);
      }
      return c.red(
        (results.run.abortedBy === undefined
          ? `✗ failed: ${failed} of ${total} thresholds violated${violatedNames(results)}`
          : `✗ failed: aborted by ${thresholdName(results.run.abortedBy)} at ${seconds(results.run.abortedBy.atMs)} s; ${failed} of ${total} thresholds violated`) +
          (results.baseline === undefined || results.baseline.passed ? '' : `; ${regressionsText(results.baseline)}`),
      );
    case 'interrupted':
      return c.yellow('⚠ interrupted: partial results');
  }
}

/** `: p95_latency_ms (tag team:a), sum_min (metric orders)`: the first few violated thresholds, named; empty when none is. */
function violatedNames(results: ResultsDocument): string {
  const NAMED = 3;
  const violated = results.thresholds.filter((threshold) => !threshold.passed);
  if (violated.length === 0) return '';
  const more = violated.length > NAMED ? `, and ${violated.length - NAMED} more` : '';
  return `: ${violated.slice(0, NAMED).map(thresholdName).join(', ')}${more}`;
}

/** The regressions named, the whole run's first: `3 regressions against the baseline: p95 +34.0%, error rate +2.10 pts, p95 of checkout +41.2%`. */
function regressionsText(baseline: BaselineDocument): string {
  const NAMED = 4;
  const count = baseline.regressions.length;
  const ordered = [
    ...baseline.regressions.filter((r) => r.request === 'total'),
    ...baseline.regressions.filter((r) => r.request !== 'total'),
  ];
  const named = ordered.slice(0, NAMED).map((regression) => {
    const name = regression.metric === 'error-rate' ? 'error rate' : regression.metric;
    return `${name}${regression.request === 'total' ? '' : ` of ${regression.request}`} ${changeText(regression)}`;
  });
  const more = count > NAMED ? `, and ${count - NAMED} more` : '';
  return `${count} regression${count === 1 ? '' : 's'} against the baseline: ${named.join(', ')}${more}`;
}

/** `partial: shards 3/4 and 4/4 missing (merged with --allow-partial): the figures cover 2 of 4 shards` */
export function partialText(partial: PartialDocument): string {
  const given = partial.shardCount - partial.missingShards.length;
  return `partial: ${describeMissing(partial)} missing (merged with --allow-partial): the figures cover ${given} of ${partial.shardCount} shards`;
}

/** `aborted at 0.5 s by abort_on_fail: p95 latency 100.2 ms > 10 ms` */
export function abortedText(abortedBy: AbortedByDocument): string {
  return `aborted at ${seconds(abortedBy.atMs)} s by abort_on_fail: ${abortedBy.description}`;
}

/** `p95_latency_ms`, `p95_latency_ms (checkout)` for a request, `p95_latency_ms (scenario checkout)`, `(tag team:a)`, `p95 (metric depth)` */
export function thresholdName(threshold: {
  readonly key: string;
  readonly request?: string;
  readonly scenario?: string;
  readonly tag?: string;
  readonly metric?: string;
}): string {
  if (threshold.request !== undefined) return `${threshold.key} (${threshold.request})`;
  if (threshold.tag !== undefined) return `${threshold.key} (tag ${threshold.tag})`;
  if (threshold.metric !== undefined) return `${threshold.key} (metric ${threshold.metric})`;
  return threshold.scenario === undefined ? threshold.key : `${threshold.key} (scenario ${threshold.scenario})`;
}

/** `thresholdName` of a threshold as planned (its custom metric is `customMetric` there, not `metric`). */
export function plannedThresholdName(threshold: PlannedThreshold): string {
  const { customMetric, metric: _measures, ...named } = threshold;
  return thresholdName({ ...named, ...(customMetric === undefined ? {} : { metric: customMetric }) });
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function row(stats: StatsDocument): string[] {
  return [
    stats.name,
    formatCount(stats.count),
    formatRate(stats.requestsPerSec),
    formatMs(stats.latencyMs.p50),
    formatMs(stats.latencyMs.p95),
    formatMs(stats.latencyMs.p99),
    formatMs(stats.latencyMs.max),
    stats.failures === 0 ? '0' : `${formatCount(stats.failures)} (${(stats.errorRate * 100).toFixed(2)}%)`,
  ];
}

const METRIC_HEADER = ['metric', 'kind', 'count', 'sum', 'min', 'avg', 'p50', 'p95', 'p99', 'max'];

/** A custom metric's row: a counter shows its count and sum; a trend its distribution too. */
function metricRow(metric: CustomMetricDocument): string[] {
  const value = (figure: number | undefined): string => (figure === undefined ? '–' : formatValue(figure));
  const trend = metric.kind === 'trend';
  return [
    metric.name,
    metric.kind,
    formatCount(metric.count),
    formatValue(metric.sum),
    value(trend ? metric.min : undefined),
    value(trend ? metric.avg : undefined),
    value(metric.p50),
    value(metric.p95),
    value(metric.p99),
    value(trend ? metric.max : undefined),
  ];
}

/** A metric's value: as is when whole, else to three decimals. */
function formatValue(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(Number(value.toFixed(3)));
}

function table(header: readonly string[], rows: readonly string[][], c: ChalkInstance): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [c.dim(format(header)), ...rows.map(format)];
}
