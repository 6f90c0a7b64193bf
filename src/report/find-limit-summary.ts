import type { ChalkInstance } from 'chalk';
import { assertNever } from '../errors.js';
import { DEFAULT_SERIES_BUCKET_MS } from '../metrics/time-series.js';
import type { Plan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { ResultsDocument } from '../results/results-document.js';
import { formatDuration } from '../scenario/duration.js';
import type { Scenario } from '../scenario/types.js';
import { documentKnee, documentLimit, documentModel, stepLevel } from '../sla/find-limit.js';
import type { FindLimitDocument, FindLimitModel, FindLimitStepDocument, LimitStep } from '../sla/find-limit.js';
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

/** The header of the per-step table in a model: the users model's load column is `users`. */
export function findLimitColumns(model: FindLimitModel): readonly string[] {
  return model === 'users' ? FIND_LIMIT_COLUMNS.map((column) => (column === 'rate/s' ? 'users' : column)) : FIND_LIMIT_COLUMNS;
}

/** A load in its model's unit: `200 req/s`, `12 users`. */
export function formatLevel(level: number, model: FindLimitModel): string {
  return model === 'users' ? `${formatStepRate(level)} user${level === 1 ? '' : 's'}` : `${formatStepRate(level)} req/s`;
}

/** One step as table cells, in FIND_LIMIT_COLUMNS order (the result cell: `✓` or `✗ reason`); a refinement's step number is marked `r`. */
export function findLimitStepCells(step: FindLimitStepDocument, refinement = false): string[] {
  return [
    `${refinement ? 'r' : ''}${step.step}`,
    formatStepRate(stepLevel(step)),
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
  const limit = documentLimit(findLimit);
  const model = documentModel(findLimit);
  const what = model === 'users' ? 'the most users' : 'the highest rate';
  if (limit === null) {
    const first = findLimit.steps[0];
    return first === undefined
      ? 'none: no step was completed'
      : `none: the first step (${formatLevel(stepLevel(first), model)}) already failed${first.reason === undefined ? '' : `: ${first.reason}`}`;
  }
  const level = formatLevel(limit, model);
  const max = model === 'users' ? 'the --users maximum' : 'max_rate';
  switch (findLimit.stopReason) {
    case 'sla':
    case 'errors':
      return `${level}${throughputText(findLimit)}: ${what} that met the SLA${precisionText(findLimit)}`;
    case 'delivery':
      return `${level}${throughputText(findLimit)}: ${what} that met the SLA with its arrivals delivered${precisionText(findLimit)}`;
    case 'max-rate':
      return `at least ${level}${throughputText(findLimit)}: every step met the SLA, up to the last (raise ${max} to find the limit)`;
    case 'interrupted':
      return `at least ${level}: interrupted before a step failed`;
    case 'ended-early':
      return `at least ${level}: the run ended before a step failed`;
    default:
      return assertNever(findLimit.stopReason);
  }
}

/** Users model: ` (418.2 req/s served)`, the throughput at the limit; nothing in the rate model. */
function throughputText(findLimit: FindLimitDocument): string {
  const served = findLimit.limitThroughputPerSec;
  return documentModel(findLimit) === 'users' && served != null ? ` (${formatRate(served)} req/s served)` : '';
}

/**
 * ` (precision 12 req/s: the break lies in 412–424 req/s, after 2 refinements)`: how far the limit may be below
 * the true one; nothing without a bracket.
 */
export function precisionText(findLimit: FindLimitDocument): string {
  const bracket = findLimit.bracket;
  if (bracket === undefined) return '';
  const model = documentModel(findLimit);
  const refined = findLimit.refinements?.length ?? 0;
  const requested = findLimit.refinementsRequested;
  const after =
    requested === undefined
      ? ', the step rate; --refine N narrows it'
      : `, after ${refined} refinement${refined === 1 ? '' : 's'}${refined < requested ? ` of ${requested} (the bracket could not be halved further)` : ''}`;
  return ` (precision ${formatLevel(bracket.precision, model)}: the break lies in ${formatStepRate(bracket.passedLevel)}–${formatLevel(bracket.failedLevel, model)}${after})`;
}

/** `175 req/s: p95 starts to climb there (Kneedle)`, or why there is none. */
export function kneeText(findLimit: FindLimitDocument): string {
  const knee = documentKnee(findLimit);
  const model = documentModel(findLimit);
  return knee === null
    ? 'none: p95 latency shows no bend over the steps judged'
    : `${formatLevel(knee, model)}: where p95 latency starts to climb (Kneedle on p95 against the ${model === 'users' ? 'users' : 'rate'})`;
}

/**
 * `--baseline`: `✓ capacity vs baseline: 412 req/s against 400 req/s in base.json (+3%; a drop of up to 10% passes)`,
 * or why it failed; undefined without a baseline.
 */
export function capacityBaselineText(findLimit: FindLimitDocument): string | undefined {
  const baseline = findLimit.baseline;
  if (baseline === undefined) return undefined;
  const limit = baseline.limit === null ? 'no limit' : formatLevel(baseline.limit, baseline.model);
  const change = `${baseline.change >= 0 ? '+' : '−'}${formatSharePercent(Math.abs(baseline.change))}`;
  const against = `${limit} against ${formatLevel(baseline.baselineLimit, baseline.model)} in ${baseline.file} (${change}`;
  const tolerance = formatSharePercent(baseline.maxDrop);
  if (!baseline.passed) return `✗ capacity vs baseline: ${against}; more than the ${tolerance} drop tolerated)`;
  const higher = baseline.change > 0 ? 'higher: fine' : baseline.change === 0 ? 'the same' : `a drop within the ${tolerance} tolerated`;
  return `✓ capacity vs baseline: ${against}: ${higher})`;
}

/** A share as a percentage for people: `30%`, `2.5%`. */
function formatSharePercent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
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
  const columns = findLimitColumns(documentModel(findLimit));
  const refinements = findLimit.refinements ?? [];
  const rows = [...findLimit.steps.map((step) => findLimitStepCells(step)), ...refinements.map((step) => findLimitStepCells(step, true))];
  const widths = columns.map((title, column) =>
    column === columns.length - 1 ? 0 : Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)),
  );
  const format = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padStart(widths[column] ?? 0))).join('  ');
  lines.push(c.dim(format(columns)));
  [...findLimit.steps, ...refinements].forEach((step, index) => {
    const text = format(rows[index] ?? []);
    if (index === findLimit.steps.length) lines.push(c.dim('refinements (bisection between the last step passed and the first failed):'));
    lines.push(step.passed ? text : c.red(text));
  });
  if (findLimit.steps.length < findLimit.plannedSteps && findLimit.stopReason !== 'max-rate') {
    lines.push(c.dim(`(${findLimit.plannedSteps - findLimit.steps.length} more steps planned, not run or not judged)`));
  }
  lines.push('');
  lines.push(`${c.bold('limit')}  ${limitText(findLimit)}`);
  lines.push(`${c.bold('knee')}   ${kneeText(findLimit)}`);
  const baseline = capacityBaselineText(findLimit);
  if (baseline !== undefined) lines.push(findLimit.baseline?.passed === true ? c.green(baseline) : c.red(baseline));
  return `${lines.join('\n')}\n`;
}

/** The one-line verdict of a find-limit run, printed last (and alone with --quiet). */
export function findLimitVerdictLine(document: ResultsDocument, c: ChalkInstance): string {
  const results = printableDeep(document);
  const findLimit = results.findLimit;
  if (results.verdict === 'interrupted') return c.yellow('⚠ interrupted: partial results');
  const limit = findLimit === undefined ? null : documentLimit(findLimit);
  if (findLimit === undefined || limit === null) return c.red('✗ no limit found: the first step already broke the SLA');
  const prefix = findLimitStopped(findLimit) ? '' : 'at least ';
  const found = `limit found: ${prefix}${formatLevel(limit, documentModel(findLimit))}`;
  const bracket = findLimit.bracket;
  const precision = bracket === undefined ? '' : ` (+${formatStepRate(bracket.precision)} at most)`;
  const baseline = findLimit.baseline;
  if (baseline === undefined) return c.green(`✓ ${found}${precision}`);
  const change = `${baseline.change >= 0 ? '+' : '−'}${formatSharePercent(Math.abs(baseline.change))} vs baseline ${formatStepRate(baseline.baselineLimit)}`;
  return baseline.passed
    ? c.green(`✓ ${found}${precision}, ${change}`)
    : c.red(`✗ capacity dropped: ${found}${precision}, ${change} (at most −${formatSharePercent(baseline.maxDrop)} passes)`);
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

/**
 * The plan, for the start line: the users model's steps said as such (`users stepped up 2→14 by 4, in 4 steps
 * (closed model)`), not as the stages of jumps and holds they are planned as.
 */
function describeSearch(plan: Plan, steps: readonly LimitStep[]): string {
  const described = describePlan(plan);
  const [first, second] = steps;
  const last = steps.at(-1);
  if (first?.users === undefined || last?.users === undefined) return described;
  const by = second?.users === undefined ? '' : ` by ${second.users - first.users}`;
  const rest = described.indexOf(' · ');
  return `users stepped up ${first.users}→${last.users}${by}, in ${steps.length} step${steps.length === 1 ? '' : 's'} (closed model)${rest === -1 ? '' : described.slice(rest)}`;
}

/** What find-limit says before it starts: the plan, and the settings it takes differently from `run`. */
export function findLimitStartLines(
  plan: Plan,
  steps: readonly LimitStep[],
  thresholds: readonly PlannedThreshold[],
  scenario: Scenario,
  err: ChalkInstance,
): string {
  const lines = [`${err.green('▶')} ${printableText(`${plan.name}: ${describeSearch(plan, steps)}`)}\n`];
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
