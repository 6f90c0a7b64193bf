import type { ChalkInstance } from 'chalk';
import type { ExitCode } from '../errors.js';
import { consoleSummary } from '../report/console-summary.js';
import { findLimitStartLines, findLimitSummary, findLimitVerdictLine, formatLevel } from '../report/find-limit-summary.js';
import { printableText } from '../report/printable-text.js';
import { capacityBaselineOf, checkSearchReachesBaseline } from '../run/find-limit-baseline.js';
import type { CapacityBaseline } from '../run/find-limit-baseline.js';
import { findLimitJudge, judgeFindLimitRun, withCapacityBaseline } from '../run/find-limit-judge.js';
import type { FindLimitJudge } from '../run/find-limit-judge.js';
import { prepareRun } from '../run/prepare-run.js';
import type { PreparedRun } from '../run/prepare-run.js';
import type { BreakingPointLoad, StagesLoad } from '../scenario/types.js';
import { stepLevel } from '../sla/find-limit.js';
import type { FindLimitModel } from '../sla/find-limit.js';
import { writeRunOutputs } from '../run/run-outputs.js';
import { findLimitCondition } from '../run/stop-conditions.js';
import { colorsFor } from './colors.js';
import { maxCapacityDropFlag, refineFlag, searchModel, steppedLoad } from './find-limit-flags.js';
import { refineSearch } from './find-limit-refine.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { redactingIo } from './redacting-io.js';
import { startStreams } from './start-streams.js';
import { baselineRequest, parseMaxDuration } from './run-flags.js';
import { insecureTlsLine, runEndCode, runWithProgress } from './run-console.js';
import { streamLines, writeFailureLines, writtenLines } from './written-outputs.js';

export interface FindLimitCommandOptions {
  /** The breaking_point profile's keys, as flags: they override the scenario's, or make one for another profile. */
  readonly startRate?: string;
  readonly stepRate?: string;
  readonly maxRate?: string;
  readonly stepDuration?: string;
  readonly maxUsers?: string;
  /** `start:step:max`: step the concurrent users up instead of the arrival rate (the closed model). */
  readonly users?: string;
  /** Bisections between the last step passed and the first failed. */
  readonly refine?: string;
  /** An earlier find-limit results file: a limit lower by more than --max-capacity-drop fails (exit 1). */
  readonly baseline?: string;
  /** The drop of the limit tolerated against the baseline, as a percentage (default 10%). */
  readonly maxCapacityDrop?: string;
  /** Where to write JUnit XML; overrides the scenario's `report.junit`. */
  readonly junit?: string;
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
 * made from the flags) or, with `--users`, the concurrent users, judges each step on its own window of the time
 * series (sla/find-limit.ts), stops the run after the first step that fails, refines the limit by bisection
 * (`--refine`), compares it with a baseline's (`--baseline`), and reports the limit and the knee (src/run/ does
 * the run). Exit code: 0 a limit was found (and held against the baseline), 1 even the first step failed or the
 * limit dropped beyond the tolerance, 2 invalid input (nothing sent), 130/143 interrupted (results still written).
 */
export async function findLimitCommand(
  file: string,
  options: FindLimitCommandOptions,
  globals: GlobalOptions,
  processIo: CliIo,
): Promise<ExitCode> {
  const maxDurationMs = options.maxDuration === undefined ? undefined : parseMaxDuration(options.maxDuration);
  const refinements = refineFlag(options.refine);
  const maxDrop = maxCapacityDropFlag(options);
  const { prepared, load } = await prepareSearch(file, options, processIo);
  const { scenario, plan } = prepared;
  const io = redactingIo(processIo, plan.secrets);
  const judge = findLimitJudge(prepared);
  const baseline = capacityBaselineFor(prepared, judge, searchModel(options), maxDrop);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  const out = colorsFor(io.stdout, io.env, !globals.color);
  const quiet = options.quiet === true;
  if (!quiet) io.stderr.write(findLimitStartLines(plan, judge.steps, judge.thresholds, scenario, err));
  if (!quiet && baseline !== undefined) io.stderr.write(baselineStartLines(baseline, judge, maxDrop, refinements ?? 0, err));
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
          const at = formatLevel(stepLevel(step), searchModel(options));
          if (!quiet) io.stderr.write(err.red(`✗ step ${step.step} (${at}): ${reason}: find-limit stops the run\n`));
        }),
      ],
    },
    err,
  );
  const searched = judgeFindLimitRun(prepared, judge, executed, io.signal.aborted);
  const refined =
    refinements === undefined || searched.verdict === 'interrupted'
      ? searched
      : await refineSearch(searched, { file, load, refinements, maxDurationMs, quiet }, io, err);
  const judged = baseline === undefined || refined.verdict === 'interrupted' ? refined : withCapacityBaseline(refined, baseline, maxDrop);
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

/** `--baseline`'s limit, checked fit to gate this search (exit 2 otherwise); undefined without one. */
function capacityBaselineFor(
  prepared: PreparedRun,
  judge: FindLimitJudge,
  model: FindLimitModel,
  maxDrop: number,
): CapacityBaseline | undefined {
  const read = prepared.baseline;
  if (read === undefined) return undefined;
  const baseline = capacityBaselineOf(read.file, read.results, { model, scenarioName: prepared.plan.name });
  const last = judge.steps.at(-1);
  if (last !== undefined) checkSearchReachesBaseline(stepLevel(last), baseline, maxDrop);
  return baseline;
}

/**
 * What find-limit says of its baseline before it starts: the limit to hold, a baseline that is a lower bound
 * only, and steps (or refinements) coarser than the tolerance, where one step's difference fails the gate.
 */
function baselineStartLines(
  baseline: CapacityBaseline,
  judge: FindLimitJudge,
  maxDrop: number,
  refinements: number,
  err: ChalkInstance,
): string {
  const lines = [
    err.dim(
      `  baseline ${printableText(baseline.file)}: limit ${formatLevel(baseline.limit, baseline.model)}; a limit below ${formatLevel(Number((baseline.limit * (1 - maxDrop)).toFixed(3)), baseline.model)} fails (a drop of more than ${Number((maxDrop * 100).toFixed(1))}%)\n`,
    ),
  ];
  if (baseline.atLeast)
    lines.push(err.yellow(`! the baseline's limit is a lower bound only (no step of it failed): a higher limit here is no gain\n`));
  const [first, second] = judge.steps;
  const stepSize = first === undefined || second === undefined ? 0 : stepLevel(second) - stepLevel(first);
  const precision = stepSize / 2 ** refinements;
  if (precision > maxDrop * baseline.limit) {
    lines.push(
      err.yellow(
        `! steps of ${Number(stepSize.toFixed(3))}${refinements > 0 ? ` refined ${refinements} times` : ''} are coarser than the tolerance (${Number((maxDrop * baseline.limit).toFixed(3))}): one step's difference fails the gate; use smaller steps or --refine\n`,
      ),
    );
  }
  return lines.join('');
}

/** The search's run prepared (nothing sent): its stepped load made from the scenario and the flags, the baseline read. */
async function prepareSearch(
  file: string,
  options: FindLimitCommandOptions,
  io: CliIo,
): Promise<{ prepared: PreparedRun; load: BreakingPointLoad | StagesLoad }> {
  let load: BreakingPointLoad | StagesLoad | undefined;
  const prepared = await prepareRun({
    file,
    cwd: io.cwd,
    env: io.env,
    adjust: (loaded) => {
      load = steppedLoad(file, loaded.data.load, options);
      return { ...loaded, data: { ...loaded.data, load } };
    },
    outputKinds: ['html', 'results', 'junit'],
    outputFlags: options,
    // Read, checked against the schema and kept from being overwritten as run's --baseline is; only its limit is compared.
    ...baselineRequest(options.baseline === undefined ? {} : { baseline: options.baseline }),
  });
  if (load === undefined) throw new Error('find-limit prepared a run without its stepped load');
  return { prepared, load };
}
