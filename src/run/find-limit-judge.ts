import type { PlannedThreshold } from '../plan/thresholds.js';
import { profileDurationMs } from '../plan/profile.js';
import { buildResults } from '../results/results-document.js';
import type { ResultsDocument, Verdict } from '../results/results-document.js';
import { DEFAULT_DELIVERY, FindLimitWatch, compareCapacity, documentLimit, limitStepDocument, limitSteps } from '../sla/find-limit.js';
import type { FindLimitDocument, FindLimitStepDocument, LimitStep } from '../sla/find-limit.js';
import type { CapacityBaseline } from './find-limit-baseline.js';
import type { ExecutedRun } from './execute-plan.js';
import type { PreparedRun } from './prepare-run.js';

/** The results of a find-limit run: with their `findLimit` block. */
export type FindLimitResults = ResultsDocument & { readonly findLimit: FindLimitDocument };

/** find-limit's judge over one run: the steps of its breaking_point load, their thresholds, the watch on them. */
export interface FindLimitJudge {
  readonly steps: readonly LimitStep[];
  /** The scenario's own thresholds: find-limit has its own default (sla/find-limit.ts), not the run's. */
  readonly thresholds: readonly PlannedThreshold[];
  readonly watch: FindLimitWatch;
}

/**
 * The judge for a prepared stepped run (a breaking_point load, or `--users`' stepped users); its delivery
 * settings are the scenario's, else the defaults. `firstStepP95Ms`: a refinement's, the search's first step's
 * p95, the default SLA's reference.
 */
export function findLimitJudge(prepared: PreparedRun, firstStepP95Ms?: number): FindLimitJudge {
  const steps = limitSteps(prepared.plan.profile);
  if (steps === undefined) throw new Error('a stepped load did not plan as steps');
  const thresholds = prepared.thresholds.filter((threshold) => threshold.default !== true);
  const load = prepared.scenario.data.load;
  const stepped = load?.profile === 'breaking_point' ? load : undefined;
  const delivery = {
    maxDroppedRate: stepped?.max_dropped_rate ?? DEFAULT_DELIVERY.maxDroppedRate,
    minDeliveredRatio: stepped?.min_delivered_ratio ?? DEFAULT_DELIVERY.minDeliveredRatio,
  };
  const options = { thresholds, delivery, ...(firstStepP95Ms === undefined ? {} : { firstStepP95Ms }) };
  return { steps, thresholds, watch: new FindLimitWatch(steps, options) };
}

/**
 * A refinement's one step, judged on its run's final figures, numbered `step` (after the search's steps); undefined
 * when the run was interrupted or ended before the step did (no figures to judge).
 */
export function judgeRefinement(
  prepared: PreparedRun,
  judge: FindLimitJudge,
  executed: ExecutedRun,
  step: number,
): FindLimitStepDocument | undefined {
  if (executed.killed || executed.result.interrupted || executed.result.dataExhausted === true) return undefined;
  const [judged] = judge.watch.finish(profileDurationMs(prepared.plan.profile), executed.result.recorder);
  return judged === undefined ? undefined : { ...judged, step };
}

/**
 * The results of a find-limit run, judged: a run that went to its end has its last steps judged on the final
 * figures; stopped by find-limit itself (not by a signal or the kill switch) it ended early on purpose, it
 * was not interrupted.
 */
export function judgeFindLimitRun(
  prepared: PreparedRun,
  judge: FindLimitJudge,
  executed: ExecutedRun,
  signalled: boolean,
): FindLimitResults {
  const { result } = executed;
  const interrupted = signalled || executed.killed;
  if (!interrupted && !judge.watch.failed && result.dataExhausted !== true)
    judge.watch.finish(profileDurationMs(prepared.plan.profile), result.recorder);
  const built = buildResults(
    prepared.plan,
    [],
    { ...result, interrupted: result.interrupted && interrupted },
    executed.monitor === undefined ? {} : { monitor: executed.monitor },
  );
  return findLimitResults(built, judge.watch.document(interrupted), interrupted);
}

/**
 * The results of a find-limit run: the run's document with the `findLimit` block; its thresholds are those of
 * the step at the limit (the first step's when there is none), its verdict passed when a limit was found.
 */
export function findLimitResults(built: ResultsDocument, findLimit: FindLimitDocument, interrupted: boolean): FindLimitResults {
  const limitStep = documentLimit(findLimit) === null ? findLimit.steps[0] : limitStepDocument(findLimit);
  const capacityHeld = findLimit.baseline === undefined || findLimit.baseline.passed;
  const verdict: Verdict = interrupted ? 'interrupted' : documentLimit(findLimit) === null || !capacityHeld ? 'failed' : 'passed';
  return { ...built, verdict, thresholds: limitStep?.thresholds ?? [], findLimit };
}

/**
 * The results with `findLimit` replaced (refinements folded in, a baseline compared): the thresholds and the
 * verdict judged again from it; an interrupted run stays interrupted.
 */
export function withFindLimit(results: FindLimitResults, findLimit: FindLimitDocument): FindLimitResults {
  return findLimitResults(results, findLimit, results.verdict === 'interrupted');
}

/** `--baseline`: the results with their limit compared with the baseline's; a drop beyond `maxDrop` fails them (exit 1). */
export function withCapacityBaseline(results: FindLimitResults, baseline: CapacityBaseline, maxDrop: number): FindLimitResults {
  const comparison = compareCapacity(documentLimit(results.findLimit), baseline, maxDrop);
  return withFindLimit(results, { ...results.findLimit, baseline: comparison });
}
