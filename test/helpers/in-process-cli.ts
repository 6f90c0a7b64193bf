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
export async function runCliInProcess(args: readonly string[], options: InProcessOptions): Promise<InProcessOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--no-color', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}
