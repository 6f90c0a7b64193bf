import type { ChalkInstance } from 'chalk';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_SERIES_BUCKET_MS } from '../metrics/time-series.js';
import type { Plan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import { profileDurationMs } from '../plan/profile.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { createLiveProgress } from '../progress/live-progress.js';
import { consoleSummary } from '../report/console-summary.js';
import { findLimitSummary, findLimitVerdictLine } from '../report/find-limit-summary.js';
import { printableText } from '../report/printable-text.js';
import { buildResults } from '../results/results-document.js';
import type { ResultsDocument, Verdict } from '../results/results-document.js';
import { executePlan } from '../run/execute-plan.js';
import { prepareRun } from '../run/prepare-run.js';
import { writeRunOutputs } from '../run/run-outputs.js';
import { findLimitCondition } from '../run/stop-conditions.js';
import { formatDuration, parseDurationMs } from '../scenario/duration.js';
import type { BreakingPointLoad, LoadSpec, Scenario } from '../scenario/types.js';
import { DEFAULT_DELIVERY, FindLimitWatch, breakingPointSteps } from '../sla/find-limit.js';
import type { FindLimitDocument, LimitStep } from '../sla/find-limit.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './main.js';
import { progressModeFor } from './progress-mode.js';
import { redactingIo } from './redacting-io.js';
import { parseMaxDuration } from './run-command.js';
import { runExitCode } from './run-exit-code.js';
import { writeFailureLines, writtenLines } from './written-outputs.js';

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
  const steps = breakingPointSteps(plan.profile);
  if (steps === undefined) throw new Error('a breaking_point load did not plan as steps');
  // find-limit has its own default (error rate ≤ 1% and p95 ≤ 5× the first step's): the run's default threshold is not its.
  const thresholds = prepared.thresholds.filter((threshold) => threshold.default !== true);
  const load = scenario.data.load;
  const delivery = {
    maxDroppedRate: load.profile === 'breaking_point' && load.max_dropped_rate !== undefined ? load.max_dropped_rate : DEFAULT_DELIVERY.maxDroppedRate,
    minDeliveredRatio:
      load.profile === 'breaking_point' && load.min_delivered_ratio !== undefined ? load.min_delivered_ratio : DEFAULT_DELIVERY.minDeliveredRatio,
  };
  const watch = new FindLimitWatch(steps, { thresholds, delivery });

  const err = colorsFor(io.stderr, io.env, !globals.color);
  const out = colorsFor(io.stdout, io.env, !globals.color);
  const quiet = options.quiet === true;
  if (!quiet) io.stderr.write(startLines(plan, steps, thresholds, scenario, err));
  if (plan.tls?.insecure === true) {
    io.stderr.write(err.yellow('! http.tls.insecure: TLS certificates will not be verified; only for targets you own\n'));
  }

  const progress = createLiveProgress({ stream: io.stderr, plan, colors: err, mode: progressModeFor(quiet, io.env) });
  const search = findLimitCondition(watch, (step) => {
    progress.stop();
    if (!quiet) io.stderr.write(err.red(`✗ step ${step.step} (${step.ratePerSec}/s): ${printableText(step.reason ?? 'failed')}: find-limit stops the run\n`));
  });
  let executed;
  try {
    executed = await executePlan(plan, {
      signal: io.signal,
      ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
      onKilled: (limitMs) => io.stderr.write(err.yellow(`\n! --max-duration ${formatDuration(limitMs)} reached: stopping the run, writing the reports\n`)),
      ...(progress.mode === 'quiet' ? {} : { display: progress }),
      stopConditions: [search],
    });
  } finally {
    progress.stop();
  }
  const { result } = executed;
  const interrupted = io.signal.aborted || executed.killed;
  // Ran to its end: the steps not judged yet (the last ones) are judged on the final figures.
  if (!interrupted && !watch.failed && result.dataExhausted !== true) watch.finish(profileDurationMs(plan.profile), result.recorder);
  const findLimit = watch.document(interrupted);
  // Stopped by find-limit itself (not by a signal): the run ended early on purpose, it was not interrupted.
  const built = buildResults(plan, [], { ...result, interrupted: result.interrupted && interrupted }, executed.monitor === undefined ? {} : { monitor: executed.monitor });
  const results = findLimitResults(built, findLimit, interrupted);

  const failures = await writeRunOutputs(prepared.outputs, results, io.cwd);
  if (!quiet) {
    // The run's own summary (every step together), then the steps one by one.
    io.stdout.write(consoleSummary({ ...results, thresholds: [] }, out));
    io.stdout.write(findLimitSummary(findLimit, out));
    io.stdout.write('\n');
    io.stdout.write(writtenLines(prepared.outputs, failures, out));
  }
  io.stderr.write(writeFailureLines(failures, err));
  io.stdout.write(`${findLimitVerdictLine(results, out)}\n`);
  return runExitCode(results.verdict, failures.size > 0, io.signal.reason === 'SIGTERM' || executed.killed);
}

/** What find-limit says before it starts: the plan, and the settings it takes differently from `run`. */
function startLines(plan: Plan, steps: readonly LimitStep[], thresholds: readonly PlannedThreshold[], scenario: Scenario, err: ChalkInstance): string {
  const lines = [`${err.green('▶')} ${printableText(`${plan.name}: ${describePlan(plan)}`)}\n`];
  const stepMs = (steps[0]?.endMs ?? 0) - (steps[0]?.startMs ?? 0);
  if (stepMs % DEFAULT_SERIES_BUCKET_MS !== 0) {
    lines.push(err.yellow(`! step_duration ${formatDuration(stepMs)} is not a whole number of seconds: each step is judged on the whole seconds inside it\n`));
  }
  const perRequest = thresholds.filter((threshold) => threshold.request !== undefined);
  if (perRequest.length > 0) {
    lines.push(
      err.yellow(
        `! sla.requests: per-request thresholds are not judged per step (the time series keeps totals only): ${printableText([...new Set(perRequest.map((threshold) => threshold.request))].join(', '))}\n`,
      ),
    );
  }
  if (scenario.data.sla !== false && scenario.data.sla?.abort_on_fail !== undefined && scenario.data.sla.abort_on_fail !== false) {
    lines.push(err.dim('  sla.abort_on_fail is not used: find-limit stops the run after the first step that fails\n'));
  }
  return lines.join('');
}

/**
 * The results of a find-limit run: the run's document with the `findLimit` block; its thresholds are those of
 * the step at the limit (the first step's when there is none), its verdict passed when a limit was found.
 */
export function findLimitResults(built: ResultsDocument, findLimit: FindLimitDocument, interrupted: boolean): ResultsDocument {
  const limitStep = findLimit.limitRatePerSec === null ? findLimit.steps[0] : findLimit.steps.findLast((step) => step.passed);
  const verdict: Verdict = interrupted ? 'interrupted' : findLimit.limitRatePerSec === null ? 'failed' : 'passed';
  return { ...built, verdict, thresholds: limitStep?.thresholds ?? [], findLimit };
}

/** Steps a search may plan, at most. */
const MAX_STEPS = 10_000;

/** The four flags that make a breaking_point profile out of another one. */
const STEP_FLAGS = [
  ['startRate', '--start-rate'],
  ['stepRate', '--step-rate'],
  ['maxRate', '--max-rate'],
  ['stepDuration', '--step-duration'],
] as const;

/**
 * The scenario's load as a breaking_point profile: its own with any flags applied, or, for another profile,
 * one made from the flags (all four needed; its max_users, warm-up duration and grace period kept). Refuses
 * (UsageError, exit 2: nothing sent) a profile without the flags, a bad value, or steps shorter than the time
 * series' interval, on which steps are judged.
 */
export function breakingPointLoad(file: string, load: LoadSpec, options: FindLimitCommandOptions): BreakingPointLoad {
  if (load.profile !== 'breaking_point') {
    const missing = STEP_FLAGS.filter(([key]) => options[key] === undefined).map(([, flag]) => flag);
    if (missing.length > 0) {
      throw new UsageError(
        `${file} uses the ${load.profile} profile; find-limit steps an arrival rate up: use load.profile: breaking_point, or give ${STEP_FLAGS.map(([, flag]) => flag).join(', ')} (missing: ${missing.join(', ')}); nothing was sent`,
      );
    }
  }
  const base: Partial<BreakingPointLoad> = load.profile === 'breaking_point' ? load : {};
  const maxUsersOf = 'max_users' in load ? load.max_users : undefined;
  const warmup = load.warmup;
  const warmupKept = warmup === undefined ? undefined : typeof warmup === 'object' ? { duration: warmup.duration, ...(warmup.rate === undefined ? {} : { rate: warmup.rate }) } : warmup;
  const startRate = rateFlag(options.startRate, '--start-rate') ?? base.start_rate;
  const stepRate = rateFlag(options.stepRate, '--step-rate') ?? base.step_rate;
  const maxRate = rateFlag(options.maxRate, '--max-rate') ?? base.max_rate;
  // A flag's plain number is seconds, as in a scenario (`step_duration: 10`).
  const stepDuration = options.stepDuration === undefined ? base.step_duration : /^\d+(\.\d+)?$/.test(options.stepDuration) ? Number(options.stepDuration) : options.stepDuration;
  const maxUsers = options.maxUsers === undefined ? maxUsersOf : usersFlag(options.maxUsers);
  const maxDroppedRate = fractionFlag(options.maxDroppedRate, '--max-dropped-rate') ?? base.max_dropped_rate;
  const minDeliveredRatio = fractionFlag(options.minDeliveredRatio, '--min-delivered-ratio') ?? base.min_delivered_ratio;
  if (startRate === undefined || stepRate === undefined || maxRate === undefined || stepDuration === undefined) {
    throw new Error('a breaking_point load without its keys after validation');
  }
  if (maxRate < startRate) throw new UsageError(`the max rate (${maxRate}/s) is below the start rate (${startRate}/s); nothing was sent`);
  const stepMs = parseDurationMs(stepDuration);
  if (stepMs === undefined || stepMs <= 0) {
    throw new UsageError(`--step-duration ${JSON.stringify(stepDuration)} is not a duration (such as 10s, 1m); nothing was sent`);
  }
  const stepCount = Math.floor((maxRate - startRate) / stepRate + 1e-9) + 1;
  if (stepCount > MAX_STEPS) {
    throw new UsageError(`${stepCount} steps from ${startRate}/s to ${maxRate}/s by ${stepRate}/s: at most ${MAX_STEPS}; take bigger steps; nothing was sent`);
  }
  if (stepMs < DEFAULT_SERIES_BUCKET_MS) {
    throw new UsageError(
      `step_duration ${formatDuration(stepMs)} is shorter than ${formatDuration(DEFAULT_SERIES_BUCKET_MS)}: each step is judged on whole ${formatDuration(DEFAULT_SERIES_BUCKET_MS)} intervals of the time series; nothing was sent`,
    );
  }
  return {
    profile: 'breaking_point',
    start_rate: startRate,
    step_rate: stepRate,
    max_rate: maxRate,
    step_duration: stepDuration,
    ...(maxUsers === undefined ? {} : { max_users: maxUsers }),
    ...(maxDroppedRate === undefined ? {} : { max_dropped_rate: maxDroppedRate }),
    ...(minDeliveredRatio === undefined ? {} : { min_delivered_ratio: minDeliveredRatio }),
    ...(warmupKept === undefined ? {} : { warmup: warmupKept }),
    ...(load.grace_period === undefined ? {} : { grace_period: load.grace_period }),
  };
}

/** The schema's rate: a number above 0, at most 10 million per second. */
function rateFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 10_000_000) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a rate in requests per second, above 0; nothing was sent`);
  }
  return value;
}

/** The schema's share: a number from 0 to 1. */
function fractionFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a share from 0 to 1 (0.01 = 1%); nothing was sent`);
  }
  return value;
}

function usersFlag(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 1_000_000) {
    throw new UsageError(`--max-users ${JSON.stringify(text)}: expected a whole number of users, at least 1; nothing was sent`);
  }
  return value;
}
