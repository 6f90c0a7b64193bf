/**
 * Exit codes are API: documented in the README, never renumbered.
 * An SLA failure is a returned code, not a thrown error.
 */
export const ExitCode = {
  /** The run completed and every threshold was met (or the command succeeded). */
  Ok: 0,
  /** The run completed, or was aborted by a threshold, and at least one threshold was violated. */
  SlaFailed: 1,
  /** Invalid usage, scenario or input file: nothing was sent. */
  InvalidInput: 2,
  /** A runtime failure of loadseed itself (not of the target). Any crash maps here, never to 1. */
  RuntimeFailure: 3,
  /** Interrupted by SIGINT; partial reports were written. */
  Interrupted: 130,
  /** Terminated by SIGTERM; partial reports were written. */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in a file something is. Lines and columns are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** One problem found in a scenario. `path` is a display path such as `load.users` or `requests[1].url`. */
export interface ScenarioIssue extends SourceLocation {
  readonly path: string;
  readonly message: string;
}

/** Failures a user can cause. Anything that is not a LoadseedError is a bug and maps to RuntimeFailure. */
export abstract class LoadseedError extends Error {
  abstract readonly code: `LS_${string}`;
  abstract readonly exitCode: ExitCode;
}

/** The scenario file cannot be used: unreadable, not YAML, against the schema, or inconsistent. */
export class ScenarioError extends LoadseedError {
  readonly code = 'LS_SCENARIO_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
  readonly file: string;
  readonly issues: readonly ScenarioIssue[];

  constructor(file: string, issues: readonly ScenarioIssue[]) {
    super(formatIssues(issues).join('\n'));
    this.name = 'ScenarioError';
    this.file = file;
    this.issues = issues;
  }
}

/** Bad command-line usage: unknown flag, missing argument, a file that would be overwritten. */
export class UsageError extends LoadseedError {
  readonly code = 'LS_USAGE';
  readonly exitCode = ExitCode.InvalidInput;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A results file (`report`, `merge`, `compare`) that cannot be used: unreadable, not JSON, not loadseed's, another version. */
export class ResultsFileError extends LoadseedError {
  readonly code = 'LS_RESULTS_INVALID';
  readonly exitCode = ExitCode.InvalidInput;
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ResultsFileError';
    this.file = file;
  }
}

/** How many problems of a scenario are printed; the rest are counted in one line. */
export const MAX_PRINTED_ISSUES = 20;

/** The first MAX_PRINTED_ISSUES issues formatted, then `… and N more problems` when there are more. */
export function formatIssues(issues: readonly ScenarioIssue[]): string[] {
  const lines = issues.slice(0, MAX_PRINTED_ISSUES).map(formatIssue);
  const more = issues.length - MAX_PRINTED_ISSUES;
  if (more > 0) lines.push(`… and ${more} more problem${more === 1 ? '' : 's'}`);
  return lines;
}

/** `file:line:col  path  message`, leaving out what is unknown. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  return issue.path === '' ? `${where}  ${issue.message}` : `${where}  ${issue.path}  ${issue.message}`;
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof LoadseedError ? error.exitCode : ExitCode.RuntimeFailure;
}

export function assertNever(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
