import type { ChalkInstance } from 'chalk';
import { ExitCode } from '../errors.js';
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
import { formatDuration } from '../scenario/duration.js';
import type { Scenario } from '../scenario/types.js';
import { DEFAULT_DELIVERY, FindLimitWatch, breakingPointSteps } from '../sla/find-limit.js';
import type { FindLimitDocument, LimitStep } from '../sla/find-limit.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';
import { progressModeFor } from './progress-mode.js';
import { redactingIo } from './redacting-io.js';
import { parseMaxDuration } from './run-command.js';
import { runExitCode } from './run-exit-code.js';
import { breakingPointLoad } from './find-limit-flags.js';
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
