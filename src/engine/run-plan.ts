import type { Plan } from '../plan/build-plan.js';
import { executeRun, executeScenarios } from './execute-run.js';
import type { ExecuteOptions, ScenarioRun } from './execute-run.js';
import { createHttpTarget, httpTransportOf, runSetup } from './http-transport.js';
import type { TargetContext } from './http-transport.js';
import type { RunOptions, RunResult } from './run-result.js';
import type { StepTarget } from '../transport/step-target.js';
import { runWorkers } from './run-workers.js';
import { shouldWarmTransport, warmTransport } from './warm-transport.js';
import { workloadOf } from './workload.js';

/**
 * Runs a plan over HTTP: warm-up (if planned), then the measured profile. Target failures are data, never
 * thrown. With `plan.workers` > 1 the load is split into that many segments, each run by a worker thread,
 * and their figures merged; with 1 it runs right here, with no thread in between.
 */
export async function runPlan(plan: Plan, options: RunOptions = {}): Promise<RunResult> {
  const setup = await runSetup(plan);
  const context = { setupVariables: setup.variables };
  const setupFailures = setup.failures.length === 0 ? {} : { setupFailures: setup.failures };
  if (plan.workers > 1) return { ...(await runWorkers(plan, options, context)), ...setupFailures };
  if (shouldWarmTransport(plan)) await warmTransport(httpTransportOf(plan) === 'flow' ? 'flow' : 'socket');
  const shard = options.shard;
  return { ...(await executeSegment(plan, shard === undefined ? context : { ...context, segment: shard }, options)), ...setupFailures };
}

/**
 * A plan's load (its `context.segment` share) on this thread: its one workload, or (a file with
 * `scenarios`) each scenario with a target of its own, side by side.
 */
export async function executeSegment(plan: Plan, context: TargetContext, options: ExecuteOptions): Promise<RunResult> {
  const segment = context.segment;
  const scenarios = plan.scenarios;
  if (scenarios === undefined) return executeRun(workloadOf(plan, segment), await httpTargetOf(plan, context), options);
  const { flow: _flow, warmup: _warmup, scenarios: _scenarios, ...shared } = plan;
  const parts: ScenarioRun[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    const part: Plan = {
      ...shared,
      profileName: scenario.profileName,
      profile: scenario.profile,
      iteration: scenario.iteration,
      gracePeriodMs: scenario.gracePeriodMs,
      ...(scenario.flow === undefined ? {} : { flow: scenario.flow }),
    };
    parts.push({
      workload: { ...workloadOf(part, segment), part: index },
      target: await httpTargetOf(part, context),
      startAfterMs: scenario.startAfterMs,
    });
  }
  return executeScenarios(
    parts,
    plan.requests.map((request) => request.name),
    plan.profile,
    options,
  );
}

/**
 * The HTTP target (transport) a plan's requests go through: one per run, here or in each worker thread.
 * Which transport (raw sockets by default, undici) is decided in http-transport.ts, and only there.
 */
export function httpTargetOf(plan: Plan, context: TargetContext = {}): Promise<StepTarget> {
  return createHttpTarget(plan, httpTransportOf(plan), context);
}
