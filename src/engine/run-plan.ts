import type { Plan } from '../plan/build-plan.js';
import { executeRun } from './execute-run.js';
import { HttpTarget } from './http-target.js';
import type { RunOptions, RunResult } from './run-result.js';
import { workloadOf } from './workload.js';

/** Runs a plan over HTTP: warm-up (if planned), then the measured profile. Target failures are data, never thrown. */
export function runPlan(plan: Plan, options: RunOptions = {}): Promise<RunResult> {
  return executeRun(workloadOf(plan), new HttpTarget(plan.requests, { keepAlive: plan.keepAlive }), options);
}
