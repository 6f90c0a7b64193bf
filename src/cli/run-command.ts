import type { ChalkInstance } from 'chalk';
import { progressModeFor } from './progress-mode.js';
import { clearLongTimeout, setLongTimeout } from '../engine/long-timeout.js';
import { runPlan } from '../engine/run-plan.js';
import { startMonitor } from '../monitor/start-monitor.js';
import { withBaseline } from '../results/baseline.js';
import { readResultsFile } from '../results/read-results.js';
import { DEFAULT_MAX_ERROR_RATE_INCREASE, DEFAULT_MAX_REGRESSION, percentOption } from './compare-command.js';
import { createLiveProgress } from '../progress/live-progress.js';
import type { LiveProgress } from '../progress/live-progress.js';
import type { RunProgress } from '../engine/run-result.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildPlan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import type { Plan } from '../plan/build-plan.js';
import { modelOf, peakUsers, profileDurationMs } from '../plan/profile.js';
import type { Segment } from '../plan/segment.js';
import { formatDuration, parseDurationMs } from '../scenario/duration.js';
import { planAbortOnFail, planThresholds } from '../plan/thresholds.js';
import type { AbortOnFailPolicy, PlannedThreshold } from '../plan/thresholds.js';
import { checkOutputPaths, scenarioInputs } from './output-paths.js';
import type { OutputTarget } from './output-paths.js';
import { redactingIo } from './redacting-io.js';
import { runExitCode } from './run-exit-code.js';
import { consoleSummary, verdictLine } from '../report/console-summary.js';
import { defaultHtmlPath } from '../report/default-html-path.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderMarkdownReport } from '../report/markdown-report.js';
import { abortedByDocument, buildResults } from '../results/results-document.js';
import type { AbortedByDocument } from '../results/results-document.js';
import { loadScenario } from '../scenario/load-scenario.js';
import type { ReportSpec } from '../scenario/types.js';
import { AbortOnFail } from '../sla/abort-on-fail.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import { writeOutputs } from './write-outputs.js';
import type { Output } from './write-outputs.js';
import type { GlobalOptions } from './main.js';
import { printableText } from '../report/printable-text.js';

export interface RunCommandOptions {
  /** Where to write the JSON results; overrides the scenario's `report.json`. */
  readonly out?: string;
  /** Where to write the HTML report; overrides the scenario's `report.html`. */
  readonly html?: string;
  /** Where to write the JUnit XML (one test case per threshold); overrides the scenario's `report.junit`. */
  readonly junit?: string;
  /** Where to write a Markdown summary; overrides the scenario's `report.markdown`. */
  readonly markdown?: string;
  /** The results document on stdout; everything for people goes to stderr. */
  readonly json?: boolean;
  /** Only the final verdict line. */
  readonly quiet?: boolean;
  /** `i/n`: run shard i (1-based) of n. */
  readonly shard?: string;
  /** A hard limit on the whole run, as a duration. */
  readonly maxDuration?: string;
  /** An earlier run's results file to compare with at the end. */
  readonly baseline?: string;
  /** With `baseline`: the tolerance of the latencies and throughput, `10%` by default. */
  readonly maxRegression?: string;
  /** With `baseline`: how many percentage points the error rate may rise, `1%` by default. */
  readonly maxErrorRateIncrease?: string;
}

/** The run's one progress timer never ticks faster than this (it serves the status line and abort-on-fail). */
const MIN_TICK_MS = 100;

/**
 * `loadseed run <file>`: load, plan, run, evaluate the SLA, print the summary, write the results.
 * Exit code: 0 every threshold met, 1 one violated (or the run aborted by `sla.abort_on_fail`), 130/143
 * interrupted (results still written).
 */
export async function runCommand(file: string, options: RunCommandOptions, globals: GlobalOptions, processIo: CliIo): Promise<ExitCode> {
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const maxDurationMs = options.maxDuration === undefined ? undefined : parseMaxDuration(options.maxDuration);
  const tolerance = percentOption('--max-regression', options.maxRegression ?? DEFAULT_MAX_REGRESSION);
  const errorRateTolerance = percentOption('--max-error-rate-increase', options.maxErrorRateIncrease ?? DEFAULT_MAX_ERROR_RATE_INCREASE);
  // The baseline is read (and checked) before anything is sent: a bad file is an error now, not after the load.
  const baseline = options.baseline === undefined ? undefined : { file: options.baseline, results: await readResultsFile(options.baseline, processIo.cwd) };
  const scenario = await loadScenario(file, { env: processIo.env, cwd: processIo.cwd });
  const plan = shardPlan(buildPlan(scenario), shard);
  // From here on, nothing printed shows a secret of the scenario (the files are redacted when built).
  const io = redactingIo(processIo, plan.secrets);
  // Every file the run will write must be writable before any load is sent, not found unwritable at the end.
  // ...and none of them may overwrite what the run reads (the scenario, its data files, the baseline) or another.
  const inputs = scenarioInputs(scenario);
  if (options.baseline !== undefined) inputs.push({ path: options.baseline, what: 'the baseline (--baseline)' });
  await checkOutputPaths(outputTargets(file, options, scenario.data.report, plan.name, io.env), io.cwd, 'nothing was sent', inputs);
  const thresholds = planThresholds(scenario.data.sla);
  const err = colorsFor(io.stderr, io.env, !globals.color);
  const out = colorsFor(io.stdout, io.env, !globals.color);
  const quiet = options.quiet === true;
  const shardText = shard === undefined ? '' : ` · shard ${shard.index + 1}/${shard.count}`;
  if (!quiet) io.stderr.write(`${err.green('▶')} ${printableText(`${plan.name}: ${describePlan(plan)}`)}${shardText}\n`);
  const workers = scenario.data.workers;
  if (!quiet && typeof workers === 'number' && workers > plan.workers) {
    io.stderr.write(err.yellow(`! workers: ${workers} asked for, ${plan.workers} used: one per user (or iteration slot) at most\n`));
  }

  if (plan.tls?.insecure === true) {
    io.stderr.write(err.yellow('! http.tls.insecure: TLS certificates will not be verified; only for targets you own\n'));
  }

  const progress = createLiveProgress({ stream: io.stderr, plan, thresholds, colors: err, mode: progressModeFor(quiet, io.env) });
  const abort = thresholdAbort(planAbortOnFail(scenario.data.sla), modelOf(plan.profile) === 'open', thresholds, io, progress, quiet ? undefined : err);
  const ticker = progressTicker(progress, abort);
  // The kill switch: whatever happens (a stuck target, a cancelled orchestrator), the run stops by itself.
  // A limit past 2³¹−1 ms (24.8 days) is a chain of timers: one plain timer would fire at once.
  const limitMs = maxDurationMs ?? defaultMaxDurationMs(plan);
  const killSwitch = new AbortController();
  const killTimer =
    limitMs === 'none'
      ? undefined
      : setLongTimeout(() => {
          io.stderr.write(err.yellow(`\n! --max-duration ${formatDuration(limitMs)} reached: stopping the run, writing the reports\n`));
          killSwitch.abort('SIGTERM');
        }, limitMs).unref();
  // Server-side resources (`monitor`), sampled beside the load; a sampling failure is a warning, never fatal.
  const monitor = plan.monitor === undefined ? undefined : startMonitor(plan.monitor.sources, { intervalMs: plan.monitor.intervalMs });
  let result;
  try {
    result = await runPlan(plan, {
      signal: AbortSignal.any([abort?.signal ?? io.signal, killSwitch.signal]),
      ...(shard === undefined ? {} : { shard }),
      ...(ticker === undefined ? {} : { onProgress: ticker.onProgress, progressIntervalMs: ticker.intervalMs }),
    });
  } catch (error) {
    await monitor?.stop();
    throw error;
  } finally {
    clearLongTimeout(killTimer);
    progress.stop();
  }

  const abortedBy = abort?.abortedBy();
  monitor?.setOrigin(result.startedAtEpochMs);
  const monitorResults = await monitor?.stop();
  const measured = buildResults(plan, thresholds, result, {
    ...(abortedBy === undefined ? {} : { abortedBy }),
    ...(monitorResults === undefined ? {} : { monitor: monitorResults }),
    ...(shard === undefined ? {} : { shard: { index: shard.index + 1, count: shard.count } }),
  });
  const results =
    baseline === undefined
      ? measured
      : withBaseline(measured, baseline, { p50: tolerance, p95: tolerance, p99: tolerance, throughput: tolerance, 'error-rate': errorRateTolerance });
  const report = scenario.data.report;
  const pathOf = (flag: string | undefined, configured: string | false | undefined): string | undefined =>
    flag ?? (typeof configured === 'string' ? configured : undefined);
  const outputs: Output[] = [];
  const htmlPath = options.html ?? (report?.html === false ? undefined : (report?.html ?? defaultHtmlPath(plan.name, result.startedAtEpochMs)));
  if (htmlPath !== undefined) outputs.push({ kind: 'html', path: htmlPath, render: renderHtmlLazily(results) });
  const jsonPath = pathOf(options.out, report?.json);
  if (jsonPath !== undefined) outputs.push({ kind: 'results', path: jsonPath, render: async () => `${JSON.stringify(results, null, 2)}\n` });
  const junitPath = pathOf(options.junit, report?.junit);
  if (junitPath !== undefined) outputs.push({ kind: 'junit', path: junitPath, render: async () => renderJunitReport(results) });
  const markdownPath = pathOf(options.markdown, report?.markdown);
  if (markdownPath !== undefined) outputs.push({ kind: 'markdown', path: markdownPath, render: async () => renderMarkdownReport(results) });
  const stepSummary = io.env['GITHUB_STEP_SUMMARY'];
  if (stepSummary !== undefined && stepSummary !== '') {
    outputs.push({ kind: 'step summary', path: stepSummary, append: true, render: async () => renderMarkdownReport(results) });
  }
  const failures = await writeOutputs(outputs, io.cwd);

  // Machine-readable output alone on stdout with --json; the summary for people then goes to stderr.
  const human = options.json === true ? io.stderr : io.stdout;
  const c = options.json === true ? err : out;
  if (options.json === true) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (!quiet) {
    human.write(consoleSummary(results, c));
    human.write('\n');
    for (const output of outputs) {
      if (!failures.has(output)) human.write(`${c.dim(output.kind.padEnd(7))} ${output.path}\n`);
    }
  }
  for (const [output, reason] of failures) io.stderr.write(err.red(`error: cannot write the ${output.kind} to ${output.path} (${reason})\n`));
  human.write(`${verdictLine(results, c)}\n`);
  if (io.signal.aborted && results.verdict !== 'interrupted') {
    // The signal came once the load was over, while the reports were being written: they were finished (whole
    // files, as always), and the exit code still says the command was interrupted.
    io.stderr.write(err.yellow(`! ${String(io.signal.reason)} while writing the reports: they are complete\n`));
    return io.signal.reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  }
  return runExitCode(results.verdict, failures.size > 0, io.signal.reason === 'SIGTERM' || killSwitch.signal.aborted);
}

/** `--shard i/n` (1-based, as CI matrices count) → the plan segment it runs (0-based). */
export function parseShard(text: string): Segment {
  const match = /^([0-9]+)\/([0-9]+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && count <= 10_000) || !(index >= 1 && index <= count)) {
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (say 2/8: the second of 8 shards), not "${text}"`);
  }
  return { index: index - 1, count };
}

/** `--max-duration`: a duration of at least 1 s, or `none` (no kill switch). */
function parseMaxDuration(text: string): number | 'none' {
  if (text.trim() === 'none') return 'none';
  const ms = parseDurationMs(text);
  if (ms === undefined || !(ms >= 1000)) {
    throw new UsageError(`--max-duration takes a duration of at least 1s, such as 90s or 15m, or none (got "${text}")`);
  }
  return ms;
}

/** The whole run's limit unless told otherwise: the planned length, warm-up and grace period, and a minute. */
function defaultMaxDurationMs(plan: Plan): number {
  return profileDurationMs(plan.profile) + (plan.warmup?.durationMs ?? 0) + plan.gracePeriodMs + 60_000;
}

/** A shard runs its share with at most as many worker threads as its share has users (or iteration slots). */
function shardPlan(plan: Plan, shard: Segment | undefined): Plan {
  if (shard === undefined || plan.workers === 1) return plan;
  return { ...plan, workers: Math.max(1, Math.min(plan.workers, Math.floor(peakUsers(plan.profile) / shard.count))) };
}

interface ThresholdAbort {
  /** SIGINT/SIGTERM's signal combined with the threshold's own: the run's signal. */
  readonly signal: AbortSignal;
  /** Abort-on-fail's delay and interval: the ticks it needs. */
  readonly periodsMs: readonly number[];
  /** The watch, on the run's progress ticks (`tickMs` apart). */
  readonly watch: (tickMs: number) => (progress: RunProgress) => void;
  /** The threshold that stopped the run, if one did. */
  readonly abortedBy: () => AbortedByDocument | undefined;
}

/**
 * `sla.abort_on_fail`: watches the measured phase on the progress ticks and, when a threshold is lost, says so
 * and aborts a signal of its own, combined with SIGINT/SIGTERM's: the run stops as on Ctrl-C, but is recorded
 * as aborted by that threshold (failed), not interrupted. Undefined when off, or when no threshold can be lost
 * early (only `min_rps`).
 */
function thresholdAbort(
  policy: AbortOnFailPolicy | undefined,
  openModel: boolean,
  thresholds: readonly PlannedThreshold[],
  io: CliIo,
  progress: LiveProgress,
  c: ChalkInstance | undefined,
): ThresholdAbort | undefined {
  if (policy === undefined || !new AbortOnFail(thresholds, policy).watching) return undefined;
  const controller = new AbortController();
  let abortedBy: AbortedByDocument | undefined;
  return {
    signal: AbortSignal.any([io.signal, controller.signal]),
    periodsMs: [policy.delayMs, policy.intervalMs],
    abortedBy: () => abortedBy,
    watch: (tickMs) => {
      const watch = new AbortOnFail(thresholds, policy, tickMs / 2);
      return (update) => {
        // Only the measured phase is judged; not once it is ending anyway, nor after a signal.
        if (update.phase !== 'measured' || update.stopping || io.signal.aborted || controller.signal.aborted) return;
        // Open model: active users are the iterations in flight (arrivals too, for the dropped rate).
        const lost = watch.check(update.elapsedMs, update.recorder, openModel ? update.activeUsers : 0);
        if (lost === undefined) return;
        abortedBy = abortedByDocument(lost, update.elapsedMs);
        progress.stop();
        if (c !== undefined) io.stderr.write(c.red(`✗ ${lost.description} at ${(update.elapsedMs / 1000).toFixed(1)} s: abort_on_fail stops the run\n`));
        controller.abort('threshold');
      };
    },
  };
}

/**
 * One timer for the run (RunOptions has one progress callback): it ticks at the greatest common divisor of
 * the live display's interval and abort-on-fail's delay and interval (at least MIN_TICK_MS), and hands every
 * tick to both: the display throttles its own drawing, the abort watch decides when it is due.
 * Undefined when neither is wanted (`--quiet` without abort_on_fail).
 */
function progressTicker(
  progress: LiveProgress,
  abort: ThresholdAbort | undefined,
): { onProgress: (progress: RunProgress) => void; intervalMs: number } | undefined {
  const display = progress.mode !== 'quiet';
  if (abort === undefined) return display ? { onProgress: progress.update, intervalMs: progress.intervalMs } : undefined;
  const periodsMs = [...abort.periodsMs, ...(display ? [progress.intervalMs] : [])]
    .map((periodMs) => Math.round(periodMs))
    .filter((periodMs) => periodMs > 0);
  const tickMs = Math.max(MIN_TICK_MS, periodsMs.reduce(gcd, 0) || MIN_TICK_MS);
  const watch = abort.watch(tickMs);
  return {
    intervalMs: tickMs,
    onProgress: (update) => {
      watch(update);
      if (display) progress.update(update);
    },
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The HTML renderer, imported when the report is written, after the run: it loads EJS, the chart library and
 * the histogram code (≈18 MB), which the generator's own memory need not carry while it sends the load.
 */
function renderHtmlLazily(results: Parameters<typeof import('../report/html-report.js').renderHtmlReport>[0]): () => Promise<string> {
  return async () => {
    const { renderHtmlReport } = await import('../report/html-report.js');
    return renderHtmlReport(results);
  };
}

/** A file `run` will write, and what asked for it: a flag, a scenario key, the environment or the default. */
/** The files the run will write, as the code after the run decides them (the HTML's default path is dated then). */
function outputTargets(
  file: string,
  options: RunCommandOptions,
  report: ReportSpec | undefined,
  name: string,
  env: CliIo['env'],
): OutputTarget[] {
  const targets: OutputTarget[] = [];
  const add = (flag: string, value: string | undefined, key: keyof ReportSpec): void => {
    const configured = report?.[key];
    if (value !== undefined) targets.push({ path: value, source: flag });
    else if (typeof configured === 'string') targets.push({ path: configured, source: `report.${key} in ${file}` });
  };
  add('--html', options.html, 'html');
  if (options.html === undefined && report?.html === undefined) {
    targets.push({ path: defaultHtmlPath(name, Date.now()), source: 'the default HTML report path' });
  }
  add('--out', options.out, 'json');
  add('--junit', options.junit, 'junit');
  add('--markdown', options.markdown, 'markdown');
  const stepSummary = env['GITHUB_STEP_SUMMARY'];
  if (stepSummary !== undefined && stepSummary !== '') targets.push({ path: stepSummary, source: 'GITHUB_STEP_SUMMARY' });
  return targets;
}

/**
 * Refuses (UsageError, exit 2: nothing sent) output paths that cannot be written: an existing directory, a file
 * that is not writable, or a directory that is not writable or cannot be created (a file in the way). Missing
 * directories under a writable one are fine: writing creates them.
 */
