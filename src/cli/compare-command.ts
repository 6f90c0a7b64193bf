import { ExitCode, UsageError } from '../errors.js';
import { compareConsole, compareMarkdown } from '../report/compare-report.js';
import { compareResults } from '../results/compare-results.js';
import type { CompareTolerances } from '../results/compare-results.js';
import { readResultsFile } from '../results/read-results.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { checkOutputPaths } from '../run/output-paths.js';
import { writeOutputs } from '../run/write-outputs.js';
import { printableText } from '../report/printable-text.js';

/** The default tolerance of latencies (a rise) and throughput (a fall), relative: 10% of the baseline's figure. */
export const DEFAULT_MAX_REGRESSION = '10%';
/**
 * The default tolerance of the error rate, absolute: 1 percentage point (0% → 1% passes, 0% → 2% fails). Not
 * `--max-regression`: a relative share read as points would let the error rate rise from 0% to 10%.
 */
export const DEFAULT_MAX_ERROR_RATE_INCREASE = '1%';

export interface CompareCommandOptions {
  /** The latencies' and throughput's tolerance unless their own option says otherwise: `10%` (or `10`). */
  readonly maxRegression: string;
  readonly maxP50Regression?: string;
  readonly maxP95Regression?: string;
  readonly maxP99Regression?: string;
  readonly maxThroughputRegression?: string;
  /** In percentage points: `1%` (the default) lets the error rate go from 0.5% to 1.5%. */
  readonly maxErrorRateIncrease?: string;
  readonly markdown?: string;
}

/**
 * `loadseed compare <baseline.json> <current.json>`: per request and in total, the change in p50/p95/p99,
 * throughput and error rate. Exit 1 when a change is worse than its tolerance (latency up or throughput down
 * by more than that share; error rate up by more than that many percentage points), 0 otherwise, 2 for bad
 * options or files.
 */
export async function compareCommand(
  baselineFile: string,
  currentFile: string,
  options: CompareCommandOptions,
  globals: GlobalOptions,
  io: CliIo,
): Promise<ExitCode> {
  const tolerances = tolerancesOf(options);
  if (options.markdown !== undefined) {
    await checkOutputPaths([{ path: options.markdown, source: '--markdown' }], io.cwd, 'nothing was compared', [
      { path: baselineFile, what: 'the baseline it reads' },
      { path: currentFile, what: 'the results file it reads' },
    ]);
  }
  const baseline = { file: baselineFile, results: await readResultsFile(baselineFile, io.cwd) };
  const current = { file: currentFile, results: await readResultsFile(currentFile, io.cwd) };
  const c = colorsFor(io.stdout, io.env, !globals.color);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  if (baseline.results.scenario.name !== current.results.scenario.name) {
    io.stderr.write(
      err.yellow(
        `! comparing different scenarios: "${printableText(baseline.results.scenario.name)}" and "${printableText(current.results.scenario.name)}"\n`,
      ),
    );
  }
  const comparison = compareResults(baseline, current, tolerances);
  io.stdout.write(compareConsole(comparison, c));
  if (options.markdown !== undefined) {
    const failures = await writeOutputs([{ kind: 'markdown', path: options.markdown, render: () => compareMarkdown(comparison) }], io.cwd);
    for (const [output, reason] of failures)
      io.stderr.write(err.red(`error: cannot write the ${output.kind} to ${output.path} (${reason})\n`));
    if (failures.size > 0) return ExitCode.RuntimeFailure;
    io.stdout.write(`${c.dim('markdown')} ${options.markdown}\n`);
  }
  return comparison.regressions.length > 0 ? ExitCode.SlaFailed : ExitCode.Ok;
}

function tolerancesOf(options: CompareCommandOptions): CompareTolerances {
  const all = percentOption('--max-regression', options.maxRegression);
  const own = (flag: string, value: string | undefined): number => (value === undefined ? all : percentOption(flag, value));
  return {
    p50: own('--max-p50-regression', options.maxP50Regression),
    p95: own('--max-p95-regression', options.maxP95Regression),
    p99: own('--max-p99-regression', options.maxP99Regression),
    throughput: own('--max-throughput-regression', options.maxThroughputRegression),
    'error-rate': percentOption('--max-error-rate-increase', options.maxErrorRateIncrease ?? DEFAULT_MAX_ERROR_RATE_INCREASE),
  };
}

/** `10%` or `10` → 0.1. */
export function percentOption(flag: string, text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(text);
  if (match === null) throw new UsageError(`${flag} must be a percentage such as 10% or 2.5% (got "${text}")`);
  return Number(match[1]) / 100;
}
