import type { ChalkInstance } from 'chalk';
import { ExitCode, UsageError } from '../errors.js';
import { parseOutputSpec } from '../outputs/output-spec.js';
import { describePlan } from '../plan/describe-plan.js';
import type { Segment } from '../plan/segment.js';
import { consoleSummary, verdictLine } from '../report/console-summary.js';
import { printableText } from '../report/printable-text.js';
import { buildResults } from '../results/results-document.js';
import type { ResultsDocument } from '../results/results-document.js';
import { prepareRun, withRunBaseline } from '../run/prepare-run.js';
import type { PreparedRun } from '../run/prepare-run.js';
import { writeRunOutputs } from '../run/run-outputs.js';
import type { StreamFeed } from '../run/stream-feed.js';
import type { OutputSinks } from '../run/write-outputs.js';
import { abortOnFailWatch } from './abort-on-fail-watch.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { redactingIo } from './redacting-io.js';
import type { RunCommandOptions } from './run-command-options.js';
import { runSource } from './run-source.js';
import { startStreams } from './start-streams.js';
import { baselineRequest, dashboardRequest, parseMaxDuration, parseSeed, parseShard, startAtRequest } from './run-flags.js';
import { lingerOn, openDashboard } from './run-dashboard.js';
import { DEFAULT_DASHBOARD_PORT } from '../dashboard/dashboard-server.js';
import type { Dashboard } from '../dashboard/dashboard-server.js';
import { insecureTlsLine, runEndCode, runWithProgress } from './run-console.js';
import { streamLines, writeFailureLines, writtenLines } from './written-outputs.js';

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
  const startAtEpochMs = startAtRequest(options, Date.now());
  const baseline = baselineRequest(options);
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed);
  const dashboardFlags = dashboardRequest(options, DEFAULT_DASHBOARD_PORT);
  const streamOutputs = (options.output ?? []).map(parseOutputSpec);
  const prepared = await prepareRun({
    ...(await runSource(argument, options, processIo.cwd)),
    cwd: processIo.cwd,
    env: processIo.env,
    ...(shard === undefined ? {} : { shard }),
    ...(seed === undefined ? {} : { seed }),
    outputKinds: ['html', 'results', 'junit', 'markdown', 'step summary'],
    outputFlags: options,
    ...(streamOutputs.length === 0 ? {} : { streamOutputs }),
    ...baseline,
  });
  const stdoutUse = stdoutUseOf(prepared, options);
  // From here on, nothing printed shows a secret of the scenario (the files are redacted when built).
  const io = redactingIo(processIo, prepared.plan.secrets);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  const out = colorsFor(io.stdout, io.env, !globals.color);
  printRunStart(io, prepared, shard, options.quiet === true, err);
  const dashboard = dashboardFlags === undefined ? undefined : await openDashboard(io, dashboardFlags, prepared, err);
  try {
    const sinks = { stdout: processIo.stdout, env: processIo.env };
    const code = await runAndReport(
      io,
      options,
      prepared,
      { shard, maxDurationMs, startAtEpochMs, dashboard, stdoutUse, sinks },
      { err, out },
    );
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
    readonly startAtEpochMs: number | undefined;
    readonly dashboard: Dashboard | undefined;
    readonly stdoutUse: StdoutUse;
    /** Where `--out -` and `s3://` outputs go: stdout unredacted (a frame is redacted already), the store's settings. */
    readonly sinks: OutputSinks;
  },
  colors: { readonly err: ChalkInstance; readonly out: ChalkInstance },
): Promise<ExitCode> {
  const { plan, thresholds } = prepared;
  const { shard, maxDurationMs, dashboard } = how;
  const { err } = colors;
  const quiet = options.quiet === true;
  const feed: StreamFeed | undefined = await startStreams(io, prepared, err, prepared.thresholds);
  const abort = abortOnFailWatch(io, prepared, quiet, err, feed);
  const executed = await runWithProgress(
    io,
    plan,
    {
      shard,
      maxDurationMs,
      startAtEpochMs: how.startAtEpochMs,
      quiet,
      thresholds,
      stopConditions: abort.stopConditions,
      dashboard: dashboard?.display,
      feed,
    },
    err,
  );
  const abortedBy = abort.abortedBy();
  const built = withRunBaseline(
    prepared,
    buildResults(plan, thresholds, executed.result, {
      ...(abortedBy === undefined ? {} : { abortedBy }),
      ...(executed.monitor === undefined ? {} : { monitor: executed.monitor }),
      ...(shard === undefined ? {} : { shard: { index: shard.index + 1, count: shard.count } }),
      ...(executed.start === undefined ? {} : { start: executed.start }),
    }),
  );
  // The streams' last interval and summary, flushed (each within its timeout) before the files are written.
  const results = feed === undefined ? built : { ...built, outputs: await feed.finish(executed.result, built) };
  dashboard?.finish(results);
  const failures = await writeRunOutputs(prepared.outputs, results, io.cwd, how.sinks);
  printRunEnd(io, options, how.stdoutUse, prepared.outputs, results, failures, colors);
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

/** What stdout carries: the results document (`--json`), JSON Lines (`--output jsonl=-`), or the summary for people. */
type StdoutUse = 'json' | 'jsonl' | 'people';

/**
 * `--json` and `jsonl=-` cannot share stdout, nor either with the framed results (`--out -`, which shares it with
 * the summary for people): refused (exit 2) before anything is sent.
 */
function stdoutUseOf(prepared: PreparedRun, options: RunCommandOptions): StdoutUse {
  const jsonl = prepared.streams.some((spec) => spec.kind === 'jsonl' && spec.target === '-');
  if (jsonl && options.json === true)
    throw new UsageError('--json and --output jsonl=- both write to stdout: give the JSON Lines a file; nothing was sent');
  const framed = prepared.outputs.some((output) => output.kind === 'results' && output.path === '-');
  if (framed && (jsonl || options.json === true))
    throw new UsageError(
      `--out - and ${jsonl ? '--output jsonl=-' : '--json'} both write to stdout: give one of them a file; nothing was sent`,
    );
  return jsonl ? 'jsonl' : options.json === true ? 'json' : 'people';
}

/**
 * The results document on stdout with --json, the summary for people (on stderr when stdout is for machines),
 * the files written and any not written, and the verdict line last.
 */
function printRunEnd(
  io: CliIo,
  options: RunCommandOptions,
  stdoutUse: StdoutUse,
  outputs: PreparedRun['outputs'],
  results: ResultsDocument,
  failures: Awaited<ReturnType<typeof writeRunOutputs>>,
  { err, out }: { readonly err: ChalkInstance; readonly out: ChalkInstance },
): void {
  // Machine-readable output alone on stdout with --json or jsonl=-; the summary for people then goes to stderr.
  const human = stdoutUse === 'people' ? io.stdout : io.stderr;
  const c = stdoutUse === 'people' ? out : err;
  if (stdoutUse === 'json') io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (options.quiet !== true) {
    human.write(consoleSummary(results, c, { breakdown: options.breakdown === true }));
    human.write('\n');
    human.write(writtenLines(outputs, failures, c));
    human.write(streamLines(results.outputs, c));
  }
  io.stderr.write(writeFailureLines(failures, err));
  human.write(`${verdictLine(results, c)}\n`);
}
