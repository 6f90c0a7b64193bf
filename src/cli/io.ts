import process from 'node:process';
import { holdYoungGeneration } from './young-generation.js';

/** A stream the CLI writes to; `isTTY` and `columns` tell whether it is a terminal and how wide. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Everything the CLI takes from the process, injectable so tests run `main` in-process. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on the first SIGINT or SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** What `-` reads (`loadseed import curl -`): the process's standard input; absent in tests that give none. */
  readonly stdin?: AsyncIterable<Buffer | string>;
}

/**
 * The real process: stdout, stderr, environment, working directory and signals. The only module that
 * touches `process`. The first SIGINT/SIGTERM aborts `signal` (commands stop gracefully and write what
 * they have); a second one exits at once. A crash outside `main` exits 3, never Node's default 1,
 * which would read as a violated SLA.
 */
export function processIo(): CliIo {
  holdYoungGeneration();
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${signal} again: stopping now\n`);
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const crash = (error: unknown): void => {
    process.stderr.write(`loadseed crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(3);
  };
  // A reader that goes away (`loadseed --help | head`) is not a crash: stop quietly, as Unix tools do.
  const onStreamError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    crash(error);
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', onStreamError);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    stdin: process.stdin,
  };
}
