import { ExitCode } from '../errors.js';
import { consoleSummary, verdictLine } from '../report/console-summary.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderMarkdownReport } from '../report/markdown-report.js';
import { readResultsFile } from '../results/read-results.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { checkOutputPaths } from '../run/output-paths.js';
import { writeOutputs } from '../run/write-outputs.js';
import type { Output } from '../run/write-outputs.js';

export interface ReportCommandOptions {
  /** Default: the results path with `.html` for `.json`. */
  readonly html?: string;
  readonly junit?: string;
  readonly markdown?: string;
  /** Only the files written and the verdict line. */
  readonly quiet?: boolean;
}

/**
 * `loadseed report <results.json>`: renders the reports of a results file, as `run` would have, from the file
 * alone. Exit 0 when they are written, whatever the run's verdict (`merge` and `compare` are the gates);
 * 2 for a file that is not a results document of this version; 3 when a report cannot be written.
 */
export async function reportCommand(file: string, options: ReportCommandOptions, globals: GlobalOptions, io: CliIo): Promise<ExitCode> {
  const results = await readResultsFile(file, io.cwd);
  const flags = [
    ['--html', options.html ?? htmlPathFor(file)],
    ['--junit', options.junit],
    ['--markdown', options.markdown],
  ] as const;
  await checkOutputPaths(
    flags.flatMap(([source, path]) => (path === undefined ? [] : [{ path, source }])),
    io.cwd,
    'nothing was written',
    [{ path: file, what: 'the results file it reads' }],
  );
  const c = colorsFor(io.stdout, io.env, !globals.color);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  const outputs: Output[] = [{ kind: 'html', path: options.html ?? htmlPathFor(file), render: () => renderHtmlReport(results) }];
  if (options.junit !== undefined) outputs.push({ kind: 'junit', path: options.junit, render: () => renderJunitReport(results) });
  if (options.markdown !== undefined)
    outputs.push({ kind: 'markdown', path: options.markdown, render: () => renderMarkdownReport(results) });
  const failures = await writeOutputs(outputs, io.cwd);
  if (options.quiet !== true) io.stdout.write(`${consoleSummary(results, c)}\n`);
  for (const output of outputs) if (!failures.has(output)) io.stdout.write(`${c.dim(output.kind.padEnd(7))} ${output.path}\n`);
  for (const [output, reason] of failures)
    io.stderr.write(err.red(`error: cannot write the ${output.kind} to ${output.path} (${reason})\n`));
  io.stdout.write(`${verdictLine(results, c)}\n`);
  return failures.size > 0 ? ExitCode.RuntimeFailure : ExitCode.Ok;
}

/** `results.json` → `results.html`; a name without `.json` gets `.html` added. */
export function htmlPathFor(resultsPath: string): string {
  return /\.json$/i.test(resultsPath) ? resultsPath.replace(/\.json$/i, '.html') : `${resultsPath}.html`;
}
