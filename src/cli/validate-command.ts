import { stringify } from 'yaml';
import { ExitCode } from '../errors.js';
import { buildPlan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import { loadRunScenario } from '../run/prepare-run.js';
import { redactDeep } from '../scenario/secrets.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { printableText } from '../report/printable-text.js';
import { runSource } from './run-source.js';
import type { QuickRunFlags } from './run-source.js';

export interface ValidateCommandOptions extends QuickRunFlags {
  /** Print the effective scenario as YAML on stdout (the verdict line then goes to stderr). */
  readonly print?: boolean;
}

/**
 * `loadseed validate <file>` (or a URL, with the quick run's flags): exit 0 and a one-line plan when valid; a
 * ScenarioError or UsageError (exit 2) otherwise. The load flags are applied as `run` applies them. With
 * --print, the effective scenario on stdout as YAML: `${ENV}` substituted, the flags applied, every secret
 * (scenario/secrets.ts) shown as `***`.
 */
export async function validateCommand(
  argument: string,
  options: ValidateCommandOptions,
  globals: GlobalOptions,
  io: CliIo,
): Promise<ExitCode> {
  const source = await runSource(argument, options, io.cwd);
  const scenario = await loadRunScenario({ ...source, cwd: io.cwd, env: io.env });
  const plan = buildPlan(scenario);
  const verdict = options.print === true ? io.stderr : io.stdout;
  const c = colorsFor(verdict, io.env, !globals.color);
  if (options.print === true) io.stdout.write(stringify(redactDeep(scenario.data, plan.secrets), { lineWidth: 0 }));
  verdict.write(`${c.green('✓')} ${printableText(`${source.file} is valid: ${describePlan(plan)}`)}\n`);
  return ExitCode.Ok;
}
