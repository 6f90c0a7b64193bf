import type { ChalkInstance } from 'chalk';
import { modelOf } from '../plan/profile.js';
import { planAbortOnFail } from '../plan/thresholds.js';
import { abortedByDocument } from '../results/results-document.js';
import type { AbortedByDocument } from '../results/results-document.js';
import type { PreparedRun } from '../run/prepare-run.js';
import { abortOnFailCondition } from '../run/stop-conditions.js';
import type { AbortOnFailCondition } from '../run/stop-conditions.js';
import type { StreamFeed } from '../run/stream-feed.js';
import type { CliIo } from './io.js';
import type { ConsoleRun } from './run-console.js';

/**
 * `sla.abort_on_fail` as run's stop condition (none when the scenario has no such threshold), and which
 * threshold stopped the run once it is over. The streaming outputs (`feed`) are told when a threshold is lost.
 */
export function abortOnFailWatch(
  io: CliIo,
  { scenario, plan, thresholds }: PreparedRun,
  quiet: boolean,
  err: ChalkInstance,
  feed?: StreamFeed,
): Pick<ConsoleRun, 'stopConditions'> & { readonly abortedBy: () => AbortedByDocument | undefined } {
  let abort: AbortOnFailCondition | undefined;
  return {
    stopConditions: (stopped) => {
      abort = abortOnFailCondition(planAbortOnFail(scenario.data.sla), thresholds, modelOf(plan.profile) === 'open', (lost, atMs) => {
        stopped();
        if (feed !== undefined) {
          const { key, request, limit, measured, description } = abortedByDocument(lost, atMs);
          feed.threshold({
            offsetMs: atMs,
            key,
            ...(request === undefined ? {} : { request }),
            passed: false,
            measured,
            limit,
            description,
          });
        }
        if (!quiet) io.stderr.write(err.red(`✗ ${lost.description} at ${(atMs / 1000).toFixed(1)} s: abort_on_fail stops the run\n`));
      });
      return abort === undefined ? [] : [abort.condition];
    },
    abortedBy: () => abort?.abortedBy(),
  };
}
