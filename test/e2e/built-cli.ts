import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runBuiltCliInProcess } from '../helpers/in-process-cli.js';
import { resultsSchemaProblems } from '../../src/results/read-results.js';
import type { ResultsDocument } from '../../src/results/results-document.js';

/** The repository, and the CLI as a user runs it (compiled: `npm test` builds first). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'loadseed.js');

export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly cwd?: string;
  /** Added to a minimal environment: PATH and NO_COLOR=1, nothing else of the test's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Killed with SIGKILL after this long whatever happens (a hang guard, under the e2e test timeout). Default 60 s. */
  readonly timeoutMs?: number;
  /** Written to the child's standard input, which is then closed (default: closed at once, empty). */
  readonly stdin?: string;
  /** Called once the child is started, with a way to signal it. */
  readonly onStart?: (kill: (signal: NodeJS.Signals) => void) => void;
}

/** Runs the built CLI as a child process, without colours, and waits for it to exit. */
export function runBuiltCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliOutcome> {
  return runProcess(process.execPath, [BIN, ...args], options);
}

/**
 * Runs `command` as a child process with PATH, NO_COLOR=1 and `options.env` only (in `options.cwd`, else the
 * repository), `options.stdin` written to its standard input, and waits for it to exit.
 */
export function runProcess(command: string, args: readonly string[], options: CliRunOptions = {}): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin);
    options.onStart?.((signal) => child.kill(signal));
  });
}

/**
 * The built CLI (`dist/cli/main.js`, worker threads and all) called in this process: the compiled code a user
 * runs, without a node process per case. `runBuiltCli` stays for what only a process shows: signals, the exit
 * status of the `bin`, a stack trace that escapes `main`.
 */
export function runBuiltInProcess(args: readonly string[], options: CliRunOptions = {}): Promise<CliOutcome> {
  return runBuiltCliInProcess(args, { cwd: options.cwd ?? ROOT, ...(options.env === undefined ? {} : { env: options.env }) });
}

/** A results file a run wrote in `dir`, checked against schemas/results.schema.json (ajv) on the way. */
export async function readCheckedResults(dir: string, name: string): Promise<ResultsDocument> {
  const document: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
  expect(resultsSchemaProblems(document), name).toEqual([]);
  return document as ResultsDocument;
}
