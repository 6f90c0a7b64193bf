import type { ChalkInstance } from 'chalk';
import type { PlannedOutput } from '../run/run-outputs.js';

/** `html    reports/x.html`: one line per file written, for the console summary. */
export function writtenLines(outputs: readonly PlannedOutput[], failures: ReadonlyMap<PlannedOutput, string>, c: ChalkInstance): string {
  return outputs
    .filter((output) => !failures.has(output))
    .map((output) => `${c.dim(output.kind.padEnd(7))} ${output.path}\n`)
    .join('');
}

/** `error: cannot write the html to x (EACCES)`: one line per file that could not be written, for stderr. */
export function writeFailureLines(failures: ReadonlyMap<PlannedOutput, string>, c: ChalkInstance): string {
  return [...failures].map(([output, reason]) => c.red(`error: cannot write the ${output.kind} to ${output.path} (${reason})\n`)).join('');
}
