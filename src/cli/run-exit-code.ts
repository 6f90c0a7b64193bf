import { ExitCode } from '../errors.js';
import type { Verdict } from '../results/results-document.js';

/**
 * The exit code of a command that ran load (`run`, `find-limit`): a report that could not be written is a
 * runtime failure (3) unless the run was interrupted anyway; else the verdict's code, 143 when stopped by
 * SIGTERM (or the --max-duration kill switch), 130 by SIGINT.
 */
export function runExitCode(verdict: Verdict, writeFailed: boolean, terminated: boolean): ExitCode {
  if (writeFailed && verdict !== 'interrupted') return ExitCode.RuntimeFailure;
  switch (verdict) {
    case 'passed':
      return ExitCode.Ok;
    case 'failed':
      return ExitCode.SlaFailed;
    case 'interrupted':
      return terminated ? ExitCode.Terminated : ExitCode.Interrupted;
  }
}
