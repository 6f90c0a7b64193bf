import { ExitCode } from '../errors.js';
import { consoleSummary, verdictLine } from '../report/console-summary.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderMarkdownReport } from '../report/markdown-report.js';
import { mergeResults } from '../results/merge-results.js';
import { readResultsFile } from '../results/read-results.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { checkOutputPaths } from '../run/output-paths.js';
import { writeOutputs } from '../run/write-outputs.js';
import type { Output } from '../run/write-outputs.js';
import { printableText } from '../report/printable-text.js';

export interface MergeCommandOptions {
  /** Where to write the merged results (required). */
  readonly out: string;
  readonly html?: string;
  readonly junit?: string;
  readonly markdown?: string;
  /** Only the verdict line. */
  readonly quiet?: boolean;
  /** Merge an incomplete set of shards, marked partial, instead of refusing it. */
  readonly allowPartial?: boolean;
}

/**
 * `loadseed merge a.json b.json … -o merged.json`: the results of shards of one scenario as one (see
 * `mergeResults`), thresholds evaluated again on the merged figures. Exit 0 when the merged verdict is
 * passed, 1 when failed or interrupted (a shard was stopped: the SLA was not shown to hold), 2 for files that
 * are not shards of one scenario or an incomplete set of shards (without --allow-partial), 3 when a file
 * cannot be written, 130/143 on SIGINT/SIGTERM before the outputs are written (then none is).
 */
export async function mergeCommand(
  files: readonly string[],
  options: MergeCommandOptions,
  globals: GlobalOptions,
  io: CliIo,
): Promise<ExitCode> {
  const flags = [
    ['-o', options.out],
    ['--html', options.html],
    ['--junit', options.junit],
    ['--markdown', options.markdown],
  ] as const;
  await checkOutputPaths(
    flags.flatMap(([source, path]) => (path === undefined ? [] : [{ path, source }])),
    io.cwd,
    'nothing was merged',
    files.map((file) => ({ path: file, what: 'a results file it merges' })),
  );
  const c = colorsFor(io.stdout, io.env, !globals.color);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  // SIGINT/SIGTERM stops the merge between steps: nothing is written (a merge of some of the inputs is no result).
  const stopped = (): ExitCode | undefined => {
    if (!io.signal.aborted) return undefined;
    io.stderr.write(err.yellow(`! ${String(io.signal.reason)}: merge stopped, nothing written\n`));
    return io.signal.reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  };
  const inputs = [];
  for (const file of files) {
    const results = await readResultsFile(file, io.cwd);
    const code = stopped();
    if (code !== undefined) return code;
    inputs.push({ file, results });
  }
  const merged = mergeResults(inputs, { allowPartial: options.allowPartial === true });
  const beforeWriting = stopped();
  if (beforeWriting !== undefined) return beforeWriting;
  const outputs: Output[] = [{ kind: 'results', path: options.out, render: () => `${JSON.stringify(merged, null, 2)}\n` }];
  if (options.html !== undefined) outputs.push({ kind: 'html', path: options.html, render: () => renderHtmlReport(merged) });
  if (options.junit !== undefined) outputs.push({ kind: 'junit', path: options.junit, render: () => renderJunitReport(merged) });
  if (options.markdown !== undefined)
    outputs.push({ kind: 'markdown', path: options.markdown, render: () => renderMarkdownReport(merged) });
  const failures = await writeOutputs(outputs, io.cwd);
  if (options.quiet !== true) {
    io.stdout.write(
      `${c.dim(`merged ${files.length} results file${files.length === 1 ? '' : 's'}: ${printableText(files.join(', '))}`)}\n`,
    );
    io.stdout.write(`${consoleSummary(merged, c)}\n`);
    for (const output of outputs) if (!failures.has(output)) io.stdout.write(`${c.dim(output.kind.padEnd(7))} ${output.path}\n`);
  }
  for (const [output, reason] of failures)
    io.stderr.write(err.red(`error: cannot write the ${output.kind} to ${output.path} (${reason})\n`));
  io.stdout.write(`${verdictLine(merged, c)}\n`);
  if (failures.size > 0) return ExitCode.RuntimeFailure;
  return merged.verdict === 'passed' ? ExitCode.Ok : ExitCode.SlaFailed;
}
