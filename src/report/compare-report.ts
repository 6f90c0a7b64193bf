import type { ChalkInstance } from 'chalk';
import { assertNever } from '../errors.js';
import type { ComparedMetric, ComparedRun, Comparison, MetricComparison, RequestComparison } from '../results/compare-results.js';
import { formatMs, formatPercent, formatRate } from './format.js';
import { printableDeep } from './printable-text.js';

/**
 * `loadseed compare` for the console: one row per request and metric with baseline, current and change,
 * regressions marked, then the count. A pure function of the comparison; `c` colours it.
 */
export function compareConsole(input: Comparison, c: ChalkInstance): string {
  // The runs' files, scenario and request names come from results files others made: printed inert.
  const comparison = printableDeep(input);
  const lines = [
    `${c.bold('baseline')} ${describeRun(comparison.baseline)}`,
    `${c.bold('current ')} ${describeRun(comparison.current)}`,
    c.dim(`tolerance ${describeTolerances(comparison)}`),
    '',
  ];
  const header = ['request', 'metric', 'baseline', 'current', 'change', ''];
  const rows: string[][] = [];
  const marks: boolean[] = [];
  for (const request of comparison.requests) {
    if (request.only !== undefined) {
      rows.push([request.name, `only in the ${request.only}`, '', '', '', '']);
      marks.push(false);
      continue;
    }
    request.metrics.forEach((metric, index) => {
      rows.push([
        index === 0 ? request.name : '',
        labelOf(metric.metric),
        valueText(metric.metric, metric.baseline),
        valueText(metric.metric, metric.current),
        changeText(metric),
        metric.regression ? `✗ beyond ${toleranceText(metric.metric, metric.tolerance)}` : '',
      ]);
      marks.push(metric.regression);
    });
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column < 2 || column === 5 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  lines.push(c.dim(format(header)));
  rows.forEach((cells, index) => lines.push(marks[index] === true ? c.red(format(cells)) : format(cells)));
  lines.push('', verdictText(comparison, c));
  return `${lines.join('\n')}\n`;
}

/**
 * `loadseed compare --markdown`: a pull-request comment. The verdict as a heading, the two runs and the
 * tolerances, then a table with a row per request and a column per metric (`baseline → current (change)`,
 * ❌ on a regression). A pure function of the comparison.
 */
export function compareMarkdown(comparison: Comparison): string {
  const count = comparison.regressions.length;
  const heading =
    count === 0
      ? '### ✅ loadseed compare: no regression beyond tolerance'
      : `### ❌ loadseed compare: ${count} regression${count === 1 ? '' : 's'} beyond tolerance`;
  const lines = [
    heading,
    '',
    `Baseline ${runText(comparison.baseline)} → current ${runText(comparison.current)}.`,
    `Tolerance: ${describeTolerances(comparison)}.`,
    '',
    '| request | p50 ms | p95 ms | p99 ms | req/s | errors |',
    '|---|--:|--:|--:|--:|--:|',
  ];
  for (const request of comparison.requests) lines.push(markdownRow(request));
  return `${lines.join('\n')}\n`;
}

function markdownRow(request: RequestComparison): string {
  const name = request.total ? '**total**' : cell(request.name);
  if (request.only !== undefined) return `| ${name} | only in the ${request.only} | | | | |`;
  const cells = request.metrics.map((metric) => {
    const values = `${valueText(metric.metric, metric.baseline)} → ${valueText(metric.metric, metric.current)}`;
    const change = metric.change === null ? '' : ` (${changeText(metric)})`;
    return `${values}${change}${metric.regression ? ' ❌' : ''}`;
  });
  return `| ${name} | ${cells.join(' | ')} |`;
}

function verdictText(comparison: Comparison, c: ChalkInstance): string {
  const count = comparison.regressions.length;
  if (count === 0) return c.green('✓ no regression beyond tolerance');
  const list = comparison.regressions
    .map(({ request, comparison: metric }) => `${labelOf(metric.metric)} ${changeText(metric)} (${request})`)
    .join(', ');
  return c.red(`✗ ${count} regression${count === 1 ? '' : 's'} beyond tolerance: ${list}`);
}

function describeRun(run: ComparedRun): string {
  return `${run.file}  ${run.scenario} · ${run.startedAt}`;
}

function runText(run: ComparedRun): string {
  return `\`${cell(run.file)}\` (${cell(run.scenario)}, ${run.startedAt})`;
}

/** `p50/p95/p99 +10%, throughput -10%, error rate +10 pts`, or each latency apart when they differ. */
function describeTolerances({ tolerances }: Comparison): string {
  const latency =
    tolerances.p50 === tolerances.p95 && tolerances.p95 === tolerances.p99
      ? [`p50/p95/p99 ${toleranceText('p50', tolerances.p50)}`]
      : (['p50', 'p95', 'p99'] as const).map((metric) => `${metric} ${toleranceText(metric, tolerances[metric])}`);
  return [
    ...latency,
    `throughput ${toleranceText('throughput', tolerances.throughput)}`,
    `error rate ${toleranceText('error-rate', tolerances['error-rate'])}`,
  ].join(', ');
}

/** A compared metric's short name: `p95 ms`, `req/s`, `errors`. */
export function labelOf(metric: ComparedMetric): string {
  switch (metric) {
    case 'p50':
    case 'p95':
    case 'p99':
      return `${metric} ms`;
    case 'throughput':
      return 'req/s';
    case 'error-rate':
      return 'errors';
    default:
      return assertNever(metric);
  }
}

/** A compared metric's value in the shared formats: `31.6`, `1,505`, `0.50%`; `no data` for null. */
export function valueText(metric: ComparedMetric, value: number | null): string {
  if (value === null) return 'no data';
  switch (metric) {
    case 'p50':
    case 'p95':
    case 'p99':
      return formatMs(value);
    case 'throughput':
      return formatRate(value);
    case 'error-rate':
      return formatPercent(value);
    default:
      return assertNever(metric);
  }
}

/** A change against the baseline: `+20.3%`, `-4.0%`; the error rate's in points, `+2.10 pts`. */
export function changeText(comparison: Pick<MetricComparison, 'metric' | 'change'>): string {
  const { change } = comparison;
  if (change === null) return 'n/a';
  if (comparison.metric === 'error-rate') return `${sign(change)}${Math.abs(change * 100).toFixed(2)} pts`;
  if (!Number.isFinite(change)) return '+∞';
  return `${sign(change)}${Math.abs(change * 100).toFixed(1)}%`;
}

function toleranceText(metric: ComparedMetric, tolerance: number): string {
  const amount = Number((tolerance * 100).toFixed(4));
  return metric === 'error-rate' ? `+${amount} pts` : metric === 'throughput' ? `-${amount}%` : `+${amount}%`;
}

function sign(value: number): string {
  return value < 0 ? '-' : '+';
}

/** Text safe inside a Markdown table cell: no pipes, no line breaks, no HTML. */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
