import { isAbsolute, join, relative } from 'node:path';
import { SCENARIOS_DIR } from '../assets.js';
import type { ExitCode } from '../errors.js';
import { startTargetServer } from '../target/target-server.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { runCommand } from './run-command.js';
import type { RunCommandOptions } from './run-command-options.js';

/** The scenario the quick start runs, shipped in the package. */
export const QUICKSTART_SCENARIO = join(SCENARIOS_DIR, 'quickstart.yml');

/**
 * `loadseed quickstart`: starts the built-in target on a free loopback port, points `TARGET_URL` at it
 * and runs `scenarios/quickstart.yml` exactly as `loadseed run` would; the target stops afterwards.
 */
export async function quickstartCommand(options: RunCommandOptions, globals: GlobalOptions, io: CliIo): Promise<ExitCode> {
  const server = await startTargetServer({ port: 0, host: '127.0.0.1' });
  try {
    const c = colorsFor(io.stderr, io.env, !globals.color);
    if (options.quiet !== true) io.stderr.write(`${c.green('loadseed target')} started on ${c.bold(server.url)} for the quick start\n`);
    const shown = relative(io.cwd, QUICKSTART_SCENARIO);
    const file = shown.startsWith('..') || isAbsolute(shown) ? QUICKSTART_SCENARIO : shown;
    return await runCommand(file, options, globals, { ...io, env: { ...io.env, TARGET_URL: server.url } });
  } finally {
    await server.close();
  }
}
