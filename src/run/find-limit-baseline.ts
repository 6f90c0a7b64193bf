import { UsageError } from '../errors.js';
import type { ResultsDocument } from '../results/results-document.js';
import { documentLimit, documentModel } from '../sla/find-limit.js';
import type { FindLimitModel } from '../sla/find-limit.js';

/** An earlier search's limit, checked fit to gate this one (`find-limit --baseline`). */
export interface CapacityBaseline {
  readonly file: string;
  readonly model: FindLimitModel;
  readonly limit: number;
  /** The baseline's limit is a lower bound only: every one of its steps passed (or it ran to its max). */
  readonly atLeast: boolean;
}

/**
 * The baseline of `find-limit --baseline`, checked before anything is sent: an earlier find-limit results file
 * (already read and checked against the schema), not interrupted, with a limit found, in the same model (rate
 * or users: the units differ) and for the same scenario name (another scenario measures another thing). The
 * target's address is not compared: CI runs move hosts and ports. Throws UsageError (exit 2) naming the file.
 */
export function capacityBaselineOf(
  file: string,
  results: ResultsDocument,
  search: { readonly model: FindLimitModel; readonly scenarioName: string },
): CapacityBaseline {
  const refuse = (problem: string): never => {
    throw new UsageError(`--baseline ${file}: ${problem}; nothing was sent`);
  };
  const findLimit = results.findLimit;
  if (findLimit === undefined) return refuse('not a find-limit result (no findLimit block: written by `loadseed run`?)');
  if (results.verdict === 'interrupted') return refuse('that search was interrupted: its limit is not a measurement');
  const model = documentModel(findLimit);
  if (model !== search.model) {
    return refuse(
      `its limit was found in the ${model} model (${model === 'users' ? 'concurrent users' : 'arrival rate'}), this search steps ${search.model === 'users' ? 'users (--users)' : 'the arrival rate'}: the figures are not comparable`,
    );
  }
  if (results.scenario.name !== search.scenarioName) {
    return refuse(`it is for scenario ${JSON.stringify(results.scenario.name)}, this search for ${JSON.stringify(search.scenarioName)}`);
  }
  const limit = documentLimit(findLimit);
  if (limit === null || limit <= 0) return refuse('it has no limit found (its first step already failed): nothing to compare with');
  const atLeast = findLimit.stopReason !== 'sla' && findLimit.stopReason !== 'errors' && findLimit.stopReason !== 'delivery';
  return { file, model, limit, atLeast };
}

/**
 * Refuses (exit 2) a search that cannot pass the gate whatever the target does: its highest step is below the
 * lowest limit that passes (the baseline's less the tolerated drop).
 */
export function checkSearchReachesBaseline(maxLevel: number, baseline: CapacityBaseline, maxDrop: number): void {
  const lowestPassing = baseline.limit * (1 - maxDrop);
  if (maxLevel + 1e-9 < lowestPassing) {
    throw new UsageError(
      `--baseline ${baseline.file}: the search stops at ${maxLevel}, below ${Number(lowestPassing.toFixed(3))} (the baseline's limit ${baseline.limit} less ${Number((maxDrop * 100).toFixed(1))}%): it could never pass; raise its maximum; nothing was sent`,
    );
  }
}
