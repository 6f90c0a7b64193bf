import type { PlannedThreshold, AbortOnFailPolicy } from '../plan/thresholds.js';
import { abortedByDocument } from '../results/results-document.js';
import type { AbortedByDocument } from '../results/results-document.js';
import { AbortOnFail } from '../sla/abort-on-fail.js';
import type { LostThreshold } from '../sla/abort-on-fail.js';
import type { FindLimitStepDocument, FindLimitWatch } from '../sla/find-limit.js';
import type { StopCondition } from './execute-plan.js';

/** `sla.abort_on_fail` as a stop condition, and the threshold that stopped the run once one did. */
export interface AbortOnFailCondition {
  readonly condition: StopCondition;
  readonly abortedBy: () => AbortedByDocument | undefined;
}

/**
 * `sla.abort_on_fail`: watches the measured phase and stops the run when a threshold is lost; the run is then
 * recorded as aborted by that threshold (failed), not interrupted. `onLost` says so, once. Undefined when off,
 * or when no threshold can be lost early (only `min_rps`).
 */
export function abortOnFailCondition(
  policy: AbortOnFailPolicy | undefined,
  thresholds: readonly PlannedThreshold[],
  openModel: boolean,
  onLost: (lost: LostThreshold, elapsedMs: number) => void,
): AbortOnFailCondition | undefined {
  if (policy === undefined || !new AbortOnFail(thresholds, policy).watching) return undefined;
  let abortedBy: AbortedByDocument | undefined;
  return {
    abortedBy: () => abortedBy,
    condition: {
      periodsMs: [policy.delayMs, policy.intervalMs],
      start: (tickMs) => {
        const watch = new AbortOnFail(thresholds, policy, tickMs / 2);
        return (update) => {
          // Open model: active users are the iterations in flight (arrivals too, for the dropped rate).
          const lost = watch.check(update.elapsedMs, update.recorder, openModel ? update.activeUsers : 0);
          if (lost === undefined) return false;
          abortedBy = abortedByDocument(lost, update.elapsedMs);
          onLost(lost, update.elapsedMs);
          return true;
        };
      },
    },
  };
}

/** How often find-limit judges the steps that have ended (sla/find-limit.ts). */
const FIND_LIMIT_TICK_MS = 100;

/** find-limit's search as a stop condition: the run stops after the first step that fails (`onFailed` says so). */
export function findLimitCondition(watch: FindLimitWatch, onFailed: (step: FindLimitStepDocument) => void): StopCondition {
  return {
    periodsMs: [FIND_LIMIT_TICK_MS],
    start: () => (update) => {
      const failed = watch.check(update.elapsedMs, update.recorder).find((step) => !step.passed);
      if (failed === undefined) return false;
      onFailed(failed);
      return true;
    },
  };
}
