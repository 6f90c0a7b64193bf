import type { PlannedThreshold } from '../plan/thresholds.js';
import { profileDurationMs } from '../plan/profile.js';
import { buildResults } from '../results/results-document.js';
import type { ResultsDocument, Verdict } from '../results/results-document.js';
import { DEFAULT_DELIVERY, FindLimitWatch, breakingPointSteps } from '../sla/find-limit.js';
import type { FindLimitDocument, LimitStep } from '../sla/find-limit.js';
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

/** The judge for a prepared breaking_point run; its delivery settings are the scenario's, else the defaults. */
export function findLimitJudge(prepared: PreparedRun): FindLimitJudge {
  const steps = breakingPointSteps(prepared.plan.profile);
  if (steps === undefined) throw new Error('a breaking_point load did not plan as steps');
  const thresholds = prepared.thresholds.filter((threshold) => threshold.default !== true);
  const load = prepared.scenario.data.load;
  const stepped = load?.profile === 'breaking_point' ? load : undefined;
  const delivery = {
    maxDroppedRate: stepped?.max_dropped_rate ?? DEFAULT_DELIVERY.maxDroppedRate,
    minDeliveredRatio: stepped?.min_delivered_ratio ?? DEFAULT_DELIVERY.minDeliveredRatio,
  };
  return { steps, thresholds, watch: new FindLimitWatch(steps, { thresholds, delivery }) };
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
  const limitStep = findLimit.limitRatePerSec === null ? findLimit.steps[0] : findLimit.steps.findLast((step) => step.passed);
  const verdict: Verdict = interrupted ? 'interrupted' : findLimit.limitRatePerSec === null ? 'failed' : 'passed';
  return { ...built, verdict, thresholds: limitStep?.thresholds ?? [], findLimit };
}
