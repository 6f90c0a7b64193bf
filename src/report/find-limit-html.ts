import { documentKnee, documentLimit, documentModel, stepLevel } from '../sla/find-limit.js';
import type { FindLimitDocument, FindLimitStepDocument } from '../sla/find-limit.js';
import type { ResultsDocument } from '../results/results-document.js';
import type { FindLimitChartData } from './report-page-data.js';
import {
  capacityBaselineText,
  criteriaText,
  findLimitColumns,
  findLimitStepCells,
  findLimitStopped,
  formatLevel,
  kneeText,
  limitText,
  precisionText,
} from './find-limit-summary.js';

/** What the HTML report's find-limit section shows: text and table rows for the template, columns for the chart. */
export interface FindLimitLocals {
  /** `200 req/s`, or `none`. */
  readonly limit: string;
  readonly limitText: string;
  readonly knee: string;
  readonly kneeText: string;
  readonly criteria: string;
  readonly stepsText: string;
  /** `The arrival rate stepped up and held` or `The number of concurrent users stepped up and held`. */
  readonly steppedText: string;
  /** `12 req/s`, the bracket's width, with what it means; undefined without a bracket. */
  readonly precision?: { readonly value: string; readonly text: string };
  /** `--baseline`: the limit against the baseline's, and the verdict; undefined without one. */
  readonly baseline?: { readonly value: string; readonly text: string; readonly passed: boolean };
  readonly columns: readonly string[];
  readonly rows: readonly { readonly cells: readonly string[]; readonly passed: boolean }[];
}

/** The find-limit section of a results document; undefined when it is not a find-limit run (no section, no chart). */
export function findLimitLocals(results: ResultsDocument): FindLimitLocals | undefined {
  const findLimit = results.findLimit;
  if (findLimit === undefined) return undefined;
  const judged = findLimit.steps.length;
  const model = documentModel(findLimit);
  const limit = documentLimit(findLimit);
  const knee = documentKnee(findLimit);
  // Every step passed, or the run stopped before one failed: the limit is at least the last load passed.
  const atLeast = !findLimitStopped(findLimit);
  const refinements = findLimit.refinements ?? [];
  const bracket = findLimit.bracket;
  const baseline = findLimit.baseline;
  return {
    limit: limit === null ? 'none' : `${atLeast ? '≥ ' : ''}${formatLevel(limit, model)}`,
    limitText: afterFigure(limitText(findLimit).replace(precisionText(findLimit), '')),
    knee: knee === null ? 'none' : formatLevel(knee, model),
    kneeText: afterFigure(kneeText(findLimit)),
    criteria: criteriaText(findLimit),
    stepsText: `${judged} of ${findLimit.plannedSteps} steps judged, ${Number((findLimit.stepDurationMs / 1000).toFixed(3))} s each${refinements.length === 0 ? '' : `, then ${refinements.length} refinement${refinements.length === 1 ? '' : 's'} (bisection runs of the same length)`}`,
    steppedText: model === 'users' ? 'The number of concurrent users stepped up and held' : 'The arrival rate stepped up and held',
    ...(bracket === undefined
      ? {}
      : {
          precision: {
            value: `+${formatLevel(bracket.precision, model)}`,
            text: precisionText(findLimit)
              .trim()
              .replace(/^\(|\)$/g, ''),
          },
        }),
    ...(baseline === undefined
      ? {}
      : {
          baseline: {
            value: `${baseline.change >= 0 ? '+' : '−'}${Number((Math.abs(baseline.change) * 100).toFixed(1))}%`,
            text: (capacityBaselineText(findLimit) ?? '').replace(/^[✓✗] capacity vs baseline: /, ''),
            passed: baseline.passed,
          },
        }),
    columns: findLimitColumns(model),
    rows: [
      ...findLimit.steps.map((step) => ({ cells: findLimitStepCells(step), passed: step.passed })),
      ...refinements.map((step) => ({ cells: findLimitStepCells(step, true), passed: step.passed })),
    ],
  };
}

/** The chart data of the find-limit section; undefined when it is not a find-limit run. Steps without requests have no latency (null). */
export function findLimitChartData(results: ResultsDocument): FindLimitChartData | undefined {
  const findLimit = results.findLimit;
  if (findLimit === undefined) return undefined;
  // The refinements too, in order of load: the chart is a curve against it.
  const steps = [...findLimit.steps, ...(findLimit.refinements ?? [])].sort((a, b) => stepLevel(a) - stepLevel(b));
  const latency = (pick: (step: FindLimitStepDocument) => number): (number | null)[] =>
    steps.map((step) => (step.requests === 0 ? null : pick(step)));
  return {
    unit: documentModel(findLimit) === 'users' ? 'users' : 'req/s',
    levels: steps.map(stepLevel),
    p50Ms: latency((step) => step.p50Ms),
    p95Ms: latency((step) => step.p95Ms),
    p99Ms: latency((step) => step.p99Ms),
    errorPercent: steps.map((step) => Math.round(step.errorRate * 100_000) / 1000),
    limit: documentLimit(findLimit),
    knee: documentKnee(findLimit),
  };
}

/** The page's verdict banner, as html-report.ts draws it. */
export interface FindLimitVerdictText {
  readonly kind: ResultsDocument['verdict'];
  readonly headline: string;
  readonly listTitle: string;
}

/**
 * The headline of a find-limit run: the limit found and the step that broke it (`Limit: 190 req/s — the step at
 * 220 req/s broke p95 latency 131 ms > 100 ms`), at least the last load when none broke, or none; with a
 * baseline, the capacity against it (a drop beyond the tolerance fails the page's verdict).
 */
export function findLimitVerdict(findLimit: FindLimitDocument): FindLimitVerdictText {
  const model = documentModel(findLimit);
  const broke = findLimit.steps.find((step) => !step.passed);
  const why = (step: FindLimitStepDocument): string => (step.reason === undefined ? 'failed' : `broke ${step.reason}`);
  const limit = documentLimit(findLimit);
  if (limit === null) {
    return {
      kind: 'failed',
      headline:
        broke === undefined
          ? 'No limit: no step was completed'
          : `No limit: the first step, at ${formatLevel(stepLevel(broke), model)}, ${why(broke)}`,
      listTitle: '',
    };
  }
  const text = formatLevel(limit, model);
  const headline =
    broke === undefined
      ? `Limit: at least ${text} — every step met the SLA`
      : `Limit: ${text} — the step at ${formatLevel(stepLevel(broke), model)} ${why(broke)}`;
  const baseline = capacityBaselineText(findLimit);
  const dropped = findLimit.baseline?.passed === false;
  return { kind: dropped ? 'failed' : 'passed', headline: baseline === undefined ? headline : `${headline}. ${baseline}`, listTitle: '' };
}

/** `200 req/s: the highest rate…` → `the highest rate…`: the figure is shown beside it. */
function afterFigure(text: string): string {
  const at = text.indexOf(': ');
  return at === -1 ? text : text.slice(at + 2);
}
