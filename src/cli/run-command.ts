import type { ChalkInstance } from 'chalk';
import { ExitCode } from '../errors.js';
import { describePlan } from '../plan/describe-plan.js';
import type { Segment } from '../plan/segment.js';
import { consoleSummary, verdictLine } from '../report/console-summary.js';
import { printableText } from '../report/printable-text.js';
import { buildResults } from '../results/results-document.js';
import type { ResultsDocument } from '../results/results-document.js';
import { prepareRun, withRunBaseline } from '../run/prepare-run.js';
import type { PreparedRun } from '../run/prepare-run.js';
import { writeRunOutputs } from '../run/run-outputs.js';
import { abortOnFailWatch } from './abort-on-fail-watch.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { redactingIo } from './redacting-io.js';
import type { RunCommandOptions } from './run-command-options.js';
import { runSource } from './run-source.js';
import { baselineRequest, dashboardRequest, parseMaxDuration, parseSeed, parseShard } from './run-flags.js';
import { lingerOn, openDashboard } from './run-dashboard.js';
import { DEFAULT_DASHBOARD_PORT } from '../dashboard/dashboard-server.js';
import type { Dashboard } from '../dashboard/dashboard-server.js';
import { insecureTlsLine, runEndCode, runWithProgress } from './run-console.js';
import { writeFailureLines, writtenLines } from './written-outputs.js';

/**
 * `loadseed run <file>` (or `loadseed run <url>`, a quick run built from the flags): load, plan, run, evaluate the SLA, print the summary, write the results (src/run/ does
 * the work). Exit code: 0 every threshold met, 1 one violated (or the run aborted by `sla.abort_on_fail`),
 * 130/143 interrupted (results still written).
 */
export async function runCommand(
  argument: string,
  options: RunCommandOptions,
  globals: GlobalOptions,
  processIo: CliIo,
): Promise<ExitCode> {
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const maxDurationMs = options.maxDuration === undefined ? undefined : parseMaxDuration(options.maxDuration);
  const baseline = baselineRequest(options);
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed);
  const dashboardFlags = dashboardRequest(options, DEFAULT_DASHBOARD_PORT);
  const prepared = await prepareRun({
    ...(await runSource(argument, options, processIo.cwd)),
    cwd: processIo.cwd,
    env: processIo.env,
    ...(shard === undefined ? {} : { shard }),
    ...(seed === undefined ? {} : { seed }),
    outputKinds: ['html', 'results', 'junit', 'markdown', 'step summary'],
    outputFlags: options,
    ...baseline,
  });
  // From here on, nothing printed shows a secret of the scenario (the files are redacted when built).
  const io = redactingIo(processIo, prepared.plan.secrets);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  const out = colorsFor(io.stdout, io.env, !globals.color);
  printRunStart(io, prepared, shard, options.quiet === true, err);
  const dashboard = dashboardFlags === undefined ? undefined : await openDashboard(io, dashboardFlags, prepared, err);
  try {
    const code = await runAndReport(io, options, prepared, { shard, maxDurationMs, dashboard }, { err, out });
    if (dashboard !== undefined) await lingerOn(io, dashboard, dashboardFlags?.lingerMs ?? 0, err);
    return code;
  } finally {
    await dashboard?.close();
  }
}

/** The load, the results (handed to the dashboard, if any), the files, the summary, and the exit code. */
async function runAndReport(
  io: CliIo,
  options: RunCommandOptions,
  prepared: PreparedRun,
  how: {
    readonly shard: Segment | undefined;
    readonly maxDurationMs: number | 'none' | undefined;
    readonly dashboard: Dashboard | undefined;
  },
  colors: { readonly err: ChalkInstance; readonly out: ChalkInstance },
): Promise<ExitCode> {
  const { plan, thresholds } = prepared;
  const { shard, maxDurationMs, dashboard } = how;
  const { err } = colors;
  const quiet = options.quiet === true;
  const abort = abortOnFailWatch(io, prepared, quiet, err);
  const executed = await runWithProgress(
    io,
    plan,
    { shard, maxDurationMs, quiet, thresholds, stopConditions: abort.stopConditions, dashboard: dashboard?.display },
    err,
  );
  const abortedBy = abort.abortedBy();
  const results = withRunBaseline(
    prepared,
    buildResults(plan, thresholds, executed.result, {
      ...(abortedBy === undefined ? {} : { abortedBy }),
      ...(executed.monitor === undefined ? {} : { monitor: executed.monitor }),
      ...(shard === undefined ? {} : { shard: { index: shard.index + 1, count: shard.count } }),
    }),
  );
  dashboard?.finish(results);
  const failures = await writeRunOutputs(prepared.outputs, results, io.cwd);
  printRunEnd(io, options, prepared.outputs, results, failures, colors);
  return runEndCode(io, results, failures.size > 0, executed.killed, err);
}

/** The plan line (unless quiet), a note when fewer workers than asked are used, and the insecure-TLS warning. */
function printRunStart(io: CliIo, { scenario, plan }: PreparedRun, shard: Segment | undefined, quiet: boolean, err: ChalkInstance): void {
  const shardText = shard === undefined ? '' : ` · shard ${shard.index + 1}/${shard.count}`;
  if (!quiet) io.stderr.write(`${err.green('▶')} ${printableText(`${plan.name}: ${describePlan(plan)}`)}${shardText}\n`);
  const workers = scenario.data.workers;
  if (!quiet && typeof workers === 'number' && workers > plan.workers) {
    io.stderr.write(err.yellow(`! workers: ${workers} asked for, ${plan.workers} used: one per user (or iteration slot) at most\n`));
  }
  io.stderr.write(insecureTlsLine(plan, err));
}

/**
 * The results document on stdout with --json, the summary for people (on stderr then), the files written and
 * any not written, and the verdict line last.
 */
function printRunEnd(
  io: CliIo,
  options: RunCommandOptions,
  outputs: PreparedRun['outputs'],
  results: ResultsDocument,
  failures: Awaited<ReturnType<typeof writeRunOutputs>>,
  { err, out }: { readonly err: ChalkInstance; readonly out: ChalkInstance },
): void {
  // Machine-readable output alone on stdout with --json; the summary for people then goes to stderr.
  const human = options.json === true ? io.stderr : io.stdout;
  const c = options.json === true ? err : out;
  if (options.json === true) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (options.quiet !== true) {
    human.write(consoleSummary(results, c, { breakdown: options.breakdown === true }));
    human.write('\n');
    human.write(writtenLines(outputs, failures, c));
  }
  io.stderr.write(writeFailureLines(failures, err));
  human.write(`${verdictLine(results, c)}\n`);
}
