import type { ChalkInstance } from 'chalk';
import { assertNever } from '../errors.js';
import { DEFAULT_SERIES_BUCKET_MS } from '../metrics/time-series.js';
import type { Plan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { ResultsDocument } from '../results/results-document.js';
import { formatDuration } from '../scenario/duration.js';
import type { Scenario } from '../scenario/types.js';
import type { FindLimitDocument, FindLimitStepDocument, LimitStep } from '../sla/find-limit.js';
import { formatMs, formatPercent, formatRate } from './format.js';
import { printableDeep, printableText } from './printable-text.js';

/** The header of the per-step table: the console's, the Markdown's and the HTML report's. */
export const FIND_LIMIT_COLUMNS = [
  'step',
  'rate/s',
  'offered/s',
  'req/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'errors',
  'dropped',
  'result',
] as const;

/** One step as table cells, in FIND_LIMIT_COLUMNS order (the result cell: `✓` or `✗ reason`). */
export function findLimitStepCells(step: FindLimitStepDocument): string[] {
  return [
    String(step.step),
    formatStepRate(step.ratePerSec),
    formatRate(step.offeredPerSec),
    formatRate(step.throughputPerSec),
    formatMs(step.p50Ms),
    formatMs(step.p95Ms),
    formatMs(step.p99Ms),
    formatPercent(step.errorRate),
    String(step.droppedArrivals),
    step.passed ? '✓' : `✗ ${step.reason ?? 'failed'}`,
  ];
}

/** `200 req/s: the highest rate that met the SLA` and the like: what the limit means, given why the search stopped. */
export function limitText(findLimit: FindLimitDocument): string {
  const limit = findLimit.limitRatePerSec;
  if (limit === null) {
    const first = findLimit.steps[0];
    return first === undefined
      ? 'none: no step was completed'
      : `none: the first step (${formatStepRate(first.ratePerSec)}/s) already failed${first.reason === undefined ? '' : `: ${first.reason}`}`;
  }
  const rate = `${formatStepRate(limit)} req/s`;
  switch (findLimit.stopReason) {
    case 'sla':
    case 'errors':
      return `${rate}: the highest rate that met the SLA`;
    case 'delivery':
      return `${rate}: the highest rate that met the SLA with its arrivals delivered`;
    case 'max-rate':
      return `at least ${rate}: every step met the SLA, up to the last (raise max_rate to find the limit)`;
    case 'interrupted':
      return `at least ${rate}: interrupted before a step failed`;
    case 'ended-early':
      return `at least ${rate}: the run ended before a step failed`;
    default:
      return assertNever(findLimit.stopReason);
  }
}

/** `175 req/s: p95 starts to climb there (Kneedle)`, or why there is none. */
export function kneeText(findLimit: FindLimitDocument): string {
  return findLimit.kneeRatePerSec === null
    ? 'none: p95 latency shows no bend over the steps judged'
    : `${formatStepRate(findLimit.kneeRatePerSec)} req/s: where p95 latency starts to climb (Kneedle on p95 against the rate)`;
}

/** What judged the steps, for people: `the scenario's sla (p95_latency_ms: 50)` or the default SLA. */
export function criteriaText(findLimit: FindLimitDocument): string {
  if (findLimit.criteria === 'default') {
    return "the default SLA (no run-wide sla in the scenario): error rate ≤ 1%, p95 ≤ 5× the first step's p95 (at least 1 ms)";
  }
  const keys = findLimit.steps[0]?.thresholds.map((threshold) => `${threshold.key}: ${threshold.limit}`) ?? [];
  return `the scenario's sla${keys.length === 0 ? '' : ` (${keys.join(', ')})`}`;
}

/**
 * The console section of `loadseed find-limit`: the per-step table, the limit and the knee. A pure function of
 * the results' `findLimit` block; `c` colours it.
 */
export function findLimitSummary(document: FindLimitDocument, c: ChalkInstance): string {
  const findLimit = printableDeep(document);
  const lines: string[] = [
    '',
    c.bold('find-limit') +
      c.dim(`  steps of ${seconds(findLimit.stepDurationMs)} s, each judged on its own window by ${criteriaText(findLimit)}`),
  ];
  const rows = findLimit.steps.map(findLimitStepCells);
  const widths = FIND_LIMIT_COLUMNS.map((title, column) =>
    column === FIND_LIMIT_COLUMNS.length - 1 ? 0 : Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)),
  );
  const format = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padStart(widths[column] ?? 0))).join('  ');
  lines.push(c.dim(format(FIND_LIMIT_COLUMNS)));
  findLimit.steps.forEach((step, index) => {
    const text = format(rows[index] ?? []);
    lines.push(step.passed ? text : c.red(text));
  });
  if (findLimit.steps.length < findLimit.plannedSteps && findLimit.stopReason !== 'max-rate') {
    lines.push(c.dim(`(${findLimit.plannedSteps - findLimit.steps.length} more steps planned, not run or not judged)`));
  }
  lines.push('');
  lines.push(`${c.bold('limit')}  ${limitText(findLimit)}`);
  lines.push(`${c.bold('knee')}   ${kneeText(findLimit)}`);
  return `${lines.join('\n')}\n`;
}

/** The one-line verdict of a find-limit run, printed last (and alone with --quiet). */
export function findLimitVerdictLine(document: ResultsDocument, c: ChalkInstance): string {
  const results = printableDeep(document);
  const findLimit = results.findLimit;
  if (results.verdict === 'interrupted') return c.yellow('⚠ interrupted: partial results');
  if (findLimit === undefined || findLimit.limitRatePerSec === null) return c.red('✗ no limit found: the first step already broke the SLA');
  const prefix = findLimitStopped(findLimit) ? '' : 'at least ';
  return c.green(`✓ limit found: ${prefix}${formatStepRate(findLimit.limitRatePerSec)} req/s`);
}

/** A step failed (the SLA, errors, or arrivals not delivered): the limit is that exactly, not "at least". */
export function findLimitStopped(findLimit: FindLimitDocument): boolean {
  return findLimit.stopReason === 'sla' || findLimit.stopReason === 'errors' || findLimit.stopReason === 'delivery';
}

/** A rate the profile asked for, as written: `20`, `12.5`, `1,500` (measured rates use formatRate: `20.0`). */
export function formatStepRate(ratePerSec: number): string {
  return Number(ratePerSec.toFixed(3)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}

/** What find-limit says before it starts: the plan, and the settings it takes differently from `run`. */
export function findLimitStartLines(
  plan: Plan,
  steps: readonly LimitStep[],
  thresholds: readonly PlannedThreshold[],
  scenario: Scenario,
  err: ChalkInstance,
): string {
  const lines = [`${err.green('▶')} ${printableText(`${plan.name}: ${describePlan(plan)}`)}\n`];
  const stepMs = (steps[0]?.endMs ?? 0) - (steps[0]?.startMs ?? 0);
  if (stepMs % DEFAULT_SERIES_BUCKET_MS !== 0) {
    lines.push(
      err.yellow(
        `! step_duration ${formatDuration(stepMs)} is not a whole number of seconds: each step is judged on the whole seconds inside it\n`,
      ),
    );
  }
  const perRequest = thresholds.filter((threshold) => threshold.request !== undefined);
  if (perRequest.length > 0) {
    lines.push(
      err.yellow(
        `! sla.requests: per-request thresholds are not judged per step (the time series keeps totals only): ${printableText([...new Set(perRequest.map((threshold) => threshold.request))].join(', '))}\n`,
      ),
    );
  }
  if (scenario.data.sla !== false && scenario.data.sla?.abort_on_fail !== undefined && scenario.data.sla.abort_on_fail !== false) {
    lines.push(err.dim('  sla.abort_on_fail is not used: find-limit stops the run after the first step that fails\n'));
  }
  return lines.join('');
}
