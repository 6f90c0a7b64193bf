import { DEFAULT_GRACE_PERIOD_MS, DEFAULT_TIMEOUT_MS } from '../plan/build-plan.js';
import type { PlannedThinkTime, PlannedWarmup } from '../plan/build-plan.js';
import type { LoadProfile } from '../plan/profile.js';
import { executeRun } from './execute-run.js';
import { FunctionTarget } from './function-target.js';
import type { TargetFunction } from './function-target.js';
import type { RunOptions, RunResult } from './run-result.js';
import { IterationSteps } from './workload.js';

export interface TargetFunctionRunOptions extends RunOptions {
  readonly profile: LoadProfile;
  /** The name the calls are reported under. Default 'target'. */
  readonly name?: string;
  /** Per-call deadline, enforced by loadseed (the call's signal is aborted). Default 10 s. */
  readonly timeoutMs?: number;
  /** Pause after each call. */
  readonly thinkTime?: PlannedThinkTime;
  readonly gracePeriodMs?: number;
  readonly warmup?: PlannedWarmup;
  /** Statuses a call may report and still succeed. Default: any 2xx or 3xx. */
  readonly expectedStatuses?: readonly number[];
}

/**
 * Runs any function — HTTP through another client, a database call, a queue — under the same executors as
 * `runPlan`: one call per iteration, timed, deadlined and recorded the same way.
 */
export function runTargetFunction(fn: TargetFunction, options: TargetFunctionRunOptions): Promise<RunResult> {
  return executeRun(
    {
      profile: options.profile,
      ...(options.warmup === undefined ? {} : { warmup: options.warmup }),
      gracePeriodMs: options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS,
      requestNames: [options.name ?? 'target'],
      timeoutsMs: [options.timeoutMs ?? DEFAULT_TIMEOUT_MS],
      thinkAfter: [options.thinkTime],
      maxLatencyUs: new Float64Array(1),
      iteration: new IterationSteps({
        order: 'sequence',
        choices: [{ name: options.name ?? 'target', weight: 1, steps: [{ kind: 'request', requestIndex: 0 }] }],
      }),
    },
    new FunctionTarget(fn, options.expectedStatuses),
    options,
  );
}
