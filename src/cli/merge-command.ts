import { ExitCode, UsageError } from '../errors.js';
import { consoleSummary, verdictLine } from '../report/console-summary.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderMarkdownReport } from '../report/markdown-report.js';
import { mergeResults } from '../results/merge-results.js';
import type { ResultsFile } from '../results/merge-results.js';
import { readResultsSource } from '../results/results-sources.js';
import { isS3Url } from '../results/s3-location.js';
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
 * `mergeResults`), thresholds evaluated again on the merged figures. Each source is a results file, a log holding
 * framed results (`run --out -`), `-` (standard input, either) or an `s3://` prefix or object
 * (results/results-sources.ts); the outputs may be `s3://` objects. Exit 0 when the merged verdict is
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
  const targets = flags.flatMap(([source, path]) => (path === undefined ? [] : [{ path, source }]));
  await checkOutputPaths(
    targets,
    io.cwd,
    'nothing was merged',
    files.filter((file) => file !== '-' && !isS3Url(file)).map((file) => ({ path: file, what: 'a results file it merges' })),
    { store: true },
  );
  const c = colorsFor(io.stdout, io.env, !globals.color);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  // SIGINT/SIGTERM stops the merge between steps: nothing is written (a merge of some of the inputs is no result).
  const stopped = (): ExitCode | undefined => {
    if (!io.signal.aborted) return undefined;
    io.stderr.write(err.yellow(`! ${String(io.signal.reason)}: merge stopped, nothing written\n`));
    return io.signal.reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  };
  const inputs: ResultsFile[] = [];
  for (const file of files) {
    inputs.push(...(await readResultsSource(file, io)));
    const code = stopped();
    if (code !== undefined) return code;
  }
  checkStoreOutputs(targets, inputs);
  const merged = mergeResults(inputs, { allowPartial: options.allowPartial === true });
  const beforeWriting = stopped();
  if (beforeWriting !== undefined) return beforeWriting;
  const outputs: Output[] = [{ kind: 'results', path: options.out, render: () => `${JSON.stringify(merged, null, 2)}\n` }];
  if (options.html !== undefined) outputs.push({ kind: 'html', path: options.html, render: () => renderHtmlReport(merged) });
  if (options.junit !== undefined) outputs.push({ kind: 'junit', path: options.junit, render: () => renderJunitReport(merged) });
  if (options.markdown !== undefined)
    outputs.push({ kind: 'markdown', path: options.markdown, render: () => renderMarkdownReport(merged) });
  const failures = await writeOutputs(outputs, io.cwd, { env: io.env });
  if (options.quiet !== true) {
    io.stdout.write(
      `${c.dim(`merged ${inputs.length} results file${inputs.length === 1 ? '' : 's'}: ${printableText(inputs.map((input) => input.file).join(', '))}`)}\n`,
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

/** An `s3://` output that is one of the objects merged is refused (exit 2): it would replace a shard's results. */
function checkStoreOutputs(targets: readonly { readonly path: string; readonly source: string }[], inputs: readonly ResultsFile[]): void {
  const read = new Set(inputs.map((input) => input.file));
  const clash = targets.find((target) => isS3Url(target.path) && read.has(target.path));
  if (clash !== undefined)
    throw new UsageError(`${clash.source}: cannot write ${clash.path}: it is a results file it merges; nothing was merged`);
}
