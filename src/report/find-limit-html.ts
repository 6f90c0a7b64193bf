import type { ResultsDocument } from '../results/results-document.js';
import type { FindLimitStepDocument } from '../sla/find-limit.js';
import type { FindLimitChartData } from './report-page-data.js';
import {
  FIND_LIMIT_COLUMNS,
  criteriaText,
  findLimitStepCells,
  findLimitStopped,
  formatStepRate,
  kneeText,
  limitText,
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
  readonly columns: readonly string[];
  readonly rows: readonly { readonly cells: readonly string[]; readonly passed: boolean }[];
}

/** The find-limit section of a results document; undefined when it is not a find-limit run (no section, no chart). */
export function findLimitLocals(results: ResultsDocument): FindLimitLocals | undefined {
  const findLimit = results.findLimit;
  if (findLimit === undefined) return undefined;
  const judged = findLimit.steps.length;
  // Every step passed, or the run stopped before one failed: the limit is at least the last rate passed.
  const atLeast = !findLimitStopped(findLimit);
  return {
    limit: findLimit.limitRatePerSec === null ? 'none' : `${atLeast ? '≥ ' : ''}${formatStepRate(findLimit.limitRatePerSec)} req/s`,
    limitText: afterFigure(limitText(findLimit)),
    knee: findLimit.kneeRatePerSec === null ? 'none' : `${formatStepRate(findLimit.kneeRatePerSec)} req/s`,
    kneeText: afterFigure(kneeText(findLimit)),
    criteria: criteriaText(findLimit),
    stepsText: `${judged} of ${findLimit.plannedSteps} steps judged, ${Number((findLimit.stepDurationMs / 1000).toFixed(3))} s each`,
    columns: FIND_LIMIT_COLUMNS,
    rows: findLimit.steps.map((step) => ({ cells: findLimitStepCells(step), passed: step.passed })),
  };
}

/** The chart data of the find-limit section; undefined when it is not a find-limit run. Steps without requests have no latency (null). */
export function findLimitChartData(results: ResultsDocument): FindLimitChartData | undefined {
  const findLimit = results.findLimit;
  if (findLimit === undefined) return undefined;
  const steps = findLimit.steps;
  const latency = (pick: (step: FindLimitStepDocument) => number): (number | null)[] =>
    steps.map((step) => (step.requests === 0 ? null : pick(step)));
  return {
    ratePerSec: findLimit.steps.map((step) => step.ratePerSec),
    p50Ms: latency((step) => step.p50Ms),
    p95Ms: latency((step) => step.p95Ms),
    p99Ms: latency((step) => step.p99Ms),
    errorPercent: findLimit.steps.map((step) => Math.round(step.errorRate * 100_000) / 1000),
    limitRatePerSec: findLimit.limitRatePerSec,
    kneeRatePerSec: findLimit.kneeRatePerSec,
  };
}

/** `200 req/s: the highest rate…` → `the highest rate…`: the figure is shown beside it. */
function afterFigure(text: string): string {
  const at = text.indexOf(': ');
  return at === -1 ? text : text.slice(at + 2);
}
