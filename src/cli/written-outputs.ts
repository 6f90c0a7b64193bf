import type { ChalkInstance } from 'chalk';
import type { StreamOutputDocument } from '../results/results-document.js';
import type { PlannedOutput } from '../run/run-outputs.js';

/** `html    reports/x.html`: one line per file written, for the console summary. */
export function writtenLines(outputs: readonly PlannedOutput[], failures: ReadonlyMap<PlannedOutput, string>, c: ChalkInstance): string {
  return outputs
    .filter((output) => !failures.has(output))
    .map((output) => `${c.dim(output.kind.padEnd(7))} ${output.path === '-' ? 'stdout, framed (--out -)' : output.path}\n`)
    .join('');
}

/** `error: cannot write the html to x (EACCES)`: one line per file that could not be written, for stderr. */
export function writeFailureLines(failures: ReadonlyMap<PlannedOutput, string>, c: ChalkInstance): string {
  return [...failures].map(([output, reason]) => c.red(`error: cannot write the ${output.kind} to ${output.path} (${reason})\n`)).join('');
}

/** `otlp    http://h:4318  12 sent, 3 dropped`: one line per streaming output, for the console summary. */
export function streamLines(outputs: readonly StreamOutputDocument[] | undefined, c: ChalkInstance): string {
  return (outputs ?? [])
    .map((output) => {
      const counts = `${output.sent} sent${output.dropped > 0 ? `, ${output.dropped} dropped` : ''}`;
      return `${c.dim(output.kind.padEnd(7))} ${output.target}  ${output.dropped > 0 ? c.yellow(counts) : c.dim(counts)}\n`;
    })
    .join('');
}
