import { ExitCode } from '../errors.js';
import { buildPlan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { printableText } from '../report/printable-text.js';

/** `loadseed validate <file>`: exit 0 and a one-line plan when valid; a ScenarioError (exit 2) otherwise. */
export async function validateCommand(file: string, globals: GlobalOptions, io: CliIo): Promise<ExitCode> {
  const scenario = await loadScenario(file, { env: io.env, cwd: io.cwd });
  const plan = buildPlan(scenario);
  const c = colorsFor(io.stdout, io.env, !globals.color);
  io.stdout.write(`${c.green('✓')} ${printableText(`${file} is valid: ${describePlan(plan)}`)}\n`);
  return ExitCode.Ok;
}
