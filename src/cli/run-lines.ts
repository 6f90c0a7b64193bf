import type { ChalkInstance } from 'chalk';
import { ExitCode } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import type { ResultsDocument } from '../results/results-document.js';
import { formatDuration } from '../scenario/duration.js';
import type { CliIo } from './io.js';
import { runExitCode } from './run-exit-code.js';

/** What `run` and `find-limit` both say around a run, and how both end. */

/** Said before the load when certificates will not be checked; empty otherwise. */
export function insecureTlsLine(plan: Plan, err: ChalkInstance): string {
  return plan.tls?.insecure === true
    ? err.yellow('! http.tls.insecure: TLS certificates will not be verified; only for targets you own\n')
    : '';
}

/** Said when the kill switch (`--max-duration`) stops the run. */
export function killedLine(limitMs: number, err: ChalkInstance): string {
  return err.yellow(`\n! --max-duration ${formatDuration(limitMs)} reached: stopping the run, writing the reports\n`);
}

/**
 * The exit code of a run whose reports are written. A signal that came once the load was over, while the
 * reports were being written, finished them (whole files, as always), and the code still says the command
 * was interrupted.
 */
export function runEndCode(io: CliIo, results: ResultsDocument, outputFailed: boolean, killed: boolean, err: ChalkInstance): ExitCode {
  if (io.signal.aborted && results.verdict !== 'interrupted') {
    io.stderr.write(err.yellow(`! ${String(io.signal.reason)} while writing the reports: they are complete\n`));
    return io.signal.reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  }
  return runExitCode(results.verdict, outputFailed, io.signal.reason === 'SIGTERM' || killed);
}
