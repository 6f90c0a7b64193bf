import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface InProcessOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  /** The working directory the command sees (io.cwd). */
  readonly cwd: string;
  /** The whole environment the command sees (io.env): NO_COLOR=1 and these, nothing of the test's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Aborts the run as SIGINT/SIGTERM would. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the CLI in this process (`main(argv, io)`), as the built `bin` does in a child, without its cost: the
 * same commands, parsing, messages and exit codes, with the output captured. Spawned runs of the built `bin`
 * stay in test/e2e for what only a real process shows.
 */
export function runCliInProcess(args: readonly string[], options: InProcessOptions): Promise<InProcessOutcome> {
  return runWith(main, args, options);
}

const BUILT_MAIN = new URL('../../dist/cli/main.js', import.meta.url);

/**
 * The same, with the built CLI (`dist/cli/main.js`): the compiled code a user runs. Worker threads need it (they
 * start `dist/engine/worker-entry.js`, which src/ does not have), so do runs with `workers:`. `npm test` builds first.
 */
export async function runBuiltCliInProcess(args: readonly string[], options: InProcessOptions): Promise<InProcessOutcome> {
  if (!existsSync(fileURLToPath(BUILT_MAIN))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const built = (await import(BUILT_MAIN.href)) as { main: typeof main };
  return runWith(built.main, args, options);
}

async function runWith(run: typeof main, args: readonly string[], options: InProcessOptions): Promise<InProcessOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await run(['--no-color', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}
