import { ExitCode } from '../errors.js';
import { buildPlan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './main.js';

/**
 * `loadseed run <file>`: validates the scenario and prints its plan. Load generation is not built yet,
 * so nothing is sent and the command says so with exit code 3 (it cannot do what was asked).
 */
export async function runCommand(file: string, globals: GlobalOptions, io: CliIo): Promise<ExitCode> {
  const scenario = await loadScenario(file, { env: io.env, cwd: io.cwd });
  const plan = buildPlan(scenario);
  const c = colorsFor(io.stderr, io.env, !globals.color);
  io.stderr.write(`${c.green('✓')} ${file}: ${describePlan(plan)}\n`);
  io.stderr.write(c.yellow('load generation is not available in this version yet: nothing was sent\n'));
  return ExitCode.RuntimeFailure;
}
