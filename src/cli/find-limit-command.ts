import type { ExitCode } from '../errors.js';
import { consoleSummary } from '../report/console-summary.js';
import { findLimitStartLines, findLimitSummary, findLimitVerdictLine } from '../report/find-limit-summary.js';
import { printableText } from '../report/printable-text.js';
import { findLimitJudge, judgeFindLimitRun } from '../run/find-limit-judge.js';
import { prepareRun } from '../run/prepare-run.js';
import { writeRunOutputs } from '../run/run-outputs.js';
import { findLimitCondition } from '../run/stop-conditions.js';
import { colorsFor } from './colors.js';
import { breakingPointLoad } from './find-limit-flags.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { redactingIo } from './redacting-io.js';
import { startStreams } from './start-streams.js';
import { parseMaxDuration } from './run-flags.js';
import { insecureTlsLine, runEndCode, runWithProgress } from './run-console.js';
import { streamLines, writeFailureLines, writtenLines } from './written-outputs.js';

export interface FindLimitCommandOptions {
  /** The breaking_point profile's keys, as flags: they override the scenario's, or make one for another profile. */
  readonly startRate?: string;
  readonly stepRate?: string;
  readonly maxRate?: string;
  readonly stepDuration?: string;
  readonly maxUsers?: string;
  /** When a step's arrivals count as delivered (fractions 0–1): override load.max_dropped_rate / min_delivered_ratio. */
  readonly maxDroppedRate?: string;
  readonly minDeliveredRatio?: string;
  /** Where to write the JSON results; overrides the scenario's `report.json`. */
  readonly out?: string;
  /** Where to write the HTML report; overrides the scenario's `report.html`. */
  readonly html?: string;
  /** Only the final verdict line. */
  readonly quiet?: boolean;
  /** A hard limit on the whole run, as a duration, or `none`. */
  readonly maxDuration?: string;
}

/**
 * `loadseed find-limit <file>`: steps the arrival rate up (the scenario's `breaking_point` profile, or one
 * made from the flags), judges each step on its own window of the time series (sla/find-limit.ts), stops the
 * run after the first step that fails, and reports the limit and the knee (src/run/ does the run). Exit code:
 * 0 a limit was found, 1 even the first step failed, 2 invalid input (nothing sent), 130/143 interrupted
 * (results still written).
 */
export async function findLimitCommand(
  file: string,
  options: FindLimitCommandOptions,
  globals: GlobalOptions,
  processIo: CliIo,
): Promise<ExitCode> {
  const maxDurationMs = options.maxDuration === undefined ? undefined : parseMaxDuration(options.maxDuration);
  const prepared = await prepareRun({
    file,
    cwd: processIo.cwd,
    env: processIo.env,
    adjust: (loaded) => ({ ...loaded, data: { ...loaded.data, load: breakingPointLoad(file, loaded.data.load, options) } }),
    outputKinds: ['html', 'results'],
    outputFlags: options,
  });
  const { scenario, plan } = prepared;
  const io = redactingIo(processIo, plan.secrets);
  const judge = findLimitJudge(prepared);

  const err = colorsFor(io.stderr, io.env, !globals.color);
  const out = colorsFor(io.stdout, io.env, !globals.color);
  const quiet = options.quiet === true;
  if (!quiet) io.stderr.write(findLimitStartLines(plan, judge.steps, judge.thresholds, scenario, err));
  io.stderr.write(insecureTlsLine(plan, err));

  const feed = await startStreams(io, prepared, err);
  const executed = await runWithProgress(
    io,
    plan,
    {
      maxDurationMs,
      quiet,
      feed,
      stopConditions: (stopped) => [
        findLimitCondition(judge.watch, (step) => {
          stopped();
          const reason = printableText(step.reason ?? 'failed');
          if (!quiet) io.stderr.write(err.red(`✗ step ${step.step} (${step.ratePerSec}/s): ${reason}: find-limit stops the run\n`));
        }),
      ],
    },
    err,
  );
  const judged = judgeFindLimitRun(prepared, judge, executed, io.signal.aborted);
  const results = feed === undefined ? judged : { ...judged, outputs: await feed.finish(executed.result, judged) };

  const failures = await writeRunOutputs(prepared.outputs, results, io.cwd, { stdout: processIo.stdout, env: io.env });
  if (!quiet) {
    // The run's own summary (every step together), then the steps one by one.
    io.stdout.write(consoleSummary({ ...results, thresholds: [] }, out));
    io.stdout.write(findLimitSummary(results.findLimit, out));
    io.stdout.write('\n');
    io.stdout.write(writtenLines(prepared.outputs, failures, out));
    io.stdout.write(streamLines(results.outputs, out));
  }
  io.stderr.write(writeFailureLines(failures, err));
  io.stdout.write(`${findLimitVerdictLine(results, out)}\n`);
  return runEndCode(io, results, failures.size > 0, executed.killed, err);
}
