import type { Histogram } from 'hdr-histogram-js';
import { checkOptionNames } from './check-option-names.js';
import type { MonitorResults } from '../monitor/monitor-results.js';
import { executePlan } from '../run/execute-plan.js';
import type { RunOptions, RunResult } from '../engine/run-result.js';
import { runTargetFunction } from '../engine/run-target-function.js';
import type { TargetFunction } from '../engine/function-target.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Plan } from '../plan/build-plan.js';
import { statsDocument } from '../results/results-document.js';
import type { StatsDocument } from '../results/results-document.js';
import { loadScenario, scenarioFromData } from '../scenario/load-scenario.js';
import type { LoadSpec, RequestSpec, Scenario, ScenarioData } from '../scenario/types.js';

export type { TargetFunction, TargetFunctionContext, TargetOutcome } from '../engine/function-target.js';

export interface LoadGeneratorOptions {
  /** Any async function: each call is one request, timed and counted (throw or reject = an error). */
  readonly targetFunc?: TargetFunction;
  /** Or HTTP: a scenario file whose requests are sent (its own load profile is replaced by the run* method's). */
  readonly scenario?: string;
  /** Or HTTP: one GET of this absolute URL per iteration. */
  readonly url?: string;
  /** Name the function's calls (or the URL's requests) are reported under. Default `target`. */
  readonly name?: string;
  /** Per-request deadline, enforced by loadseed. Default 10 s. */
  readonly timeoutSeconds?: number;
  /** Run first, kept apart from the figures. */
  readonly warmupSeconds?: number;
  /** Environment for `${VAR}` in a scenario file. Default: none (pass `process.env` to use yours). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborting stops the run early: in-flight requests get the grace period, then the result says `interrupted`. */
  readonly signal?: AbortSignal;
}

export interface ConstantLoadOptions {
  readonly users: number;
  /** How long; or give `iterations` instead. */
  readonly durationSeconds?: number;
  /** A total number of iterations shared by all users. */
  readonly iterations?: number;
}

export interface RampUpOptions {
  readonly startUsers?: number;
  readonly endUsers: number;
  /** Seconds to go from startUsers to endUsers. */
  readonly rampDuration: number;
  /** Seconds held at endUsers afterwards. Default 0. */
  readonly steadyDuration?: number;
}

export interface StagesOptions {
  readonly startUsers?: number;
  readonly stages: readonly { readonly durationSeconds: number; readonly users: number }[];
}

export interface ArrivalRateOptions {
  readonly ratePerSec: number;
  readonly durationSeconds: number;
  /** Most iterations in flight; arrivals beyond are dropped and counted. Default 1000. */
  readonly maxUsers?: number;
}

/** What a run measured: the same recorder, and so the same numbers, as `loadseed run`. */
export interface LoadResult {
  readonly totalRequests: number;
  readonly successfulRequests: number;
  readonly failedRequests: number;
  readonly errorRate: number;
  readonly requestsPerSec: number;
  readonly durationMs: number;
  readonly interrupted: boolean;
  readonly iterations: number;
  readonly droppedArrivals: number;
  /** The whole run's figures: latencies in ms, counts by status and by error category. */
  readonly summary: StatsDocument;
  /** The same per request name. */
  readonly requests: readonly StatsDocument[];
  /** Response time (from when each request was due) in integer microseconds; merge, encode or query it. */
  readonly latencyHistogram: Histogram;
  /** Service time (from the actual send) in integer microseconds. */
  readonly serviceTimeHistogram: Histogram;
  /** The engine's own result, with the recorders. */
  readonly run: RunResult;
  /** Server-side resources sampled during the run (the scenario's `monitor`), when it has one. */
  readonly monitor?: MonitorResults;
}

const API_SOURCE = 'LoadGenerator options';
/** Stands in for a target when only the load spec is validated (function targets); never contacted. */
const PLACEHOLDER_TARGET = 'http://127.0.0.1';

/**
 * The programmatic load generator. The same engine as the CLI drives either any async function or HTTP:
 *
 *     const gen = new LoadGenerator({ targetFunc: async () => { await db.query('select 1'); } });
 *     const r = await gen.runConstantLoad({ users: 50, durationSeconds: 60 });
 *     console.log(r.totalRequests, r.failedRequests, r.summary.latencyMs.p99);
 *
 * Options are validated against the scenario schema: a mistake throws a ScenarioError naming the option.
 */
export class LoadGenerator {
  readonly #options: LoadGeneratorOptions;
  #scenario: Promise<Scenario> | undefined;

  constructor(options: LoadGeneratorOptions) {
    checkOptionNames('new LoadGenerator()', options, [
      'targetFunc',
      'scenario',
      'url',
      'name',
      'timeoutSeconds',
      'warmupSeconds',
      'env',
      'signal',
    ]);
    const targets = [options.targetFunc, options.scenario, options.url].filter((target) => target !== undefined).length;
    if (targets !== 1) throw new TypeError('LoadGenerator needs exactly one of targetFunc, scenario or url');
    this.#options = options;
  }

  async runConstantLoad(options: ConstantLoadOptions): Promise<LoadResult> {
    checkOptionNames('runConstantLoad()', options, ['users', 'durationSeconds', 'iterations']);
    return this.#run({
      profile: 'constant',
      users: options.users,
      ...(options.durationSeconds === undefined ? {} : { duration: options.durationSeconds }),
      ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
    });
  }

  async runRampUp(options: RampUpOptions): Promise<LoadResult> {
    checkOptionNames('runRampUp()', options, ['startUsers', 'endUsers', 'rampDuration', 'steadyDuration']);
    return this.#run({
      profile: 'ramp',
      start_users: options.startUsers ?? 0,
      end_users: options.endUsers,
      ramp_duration: options.rampDuration,
      steady_duration: options.steadyDuration ?? 0,
    });
  }

  async runStages(options: StagesOptions): Promise<LoadResult> {
    checkOptionNames('runStages()', options, ['startUsers', 'stages']);
    return this.#run({
      profile: 'stages',
      start_users: options.startUsers ?? 0,
      stages: options.stages.map((stage) => ({ duration: stage.durationSeconds, users: stage.users })),
    });
  }

  async runArrivalRate(options: ArrivalRateOptions): Promise<LoadResult> {
    checkOptionNames('runArrivalRate()', options, ['ratePerSec', 'durationSeconds', 'maxUsers']);
    return this.#run({
      profile: 'arrival_rate',
      rate: options.ratePerSec,
      duration: options.durationSeconds,
      ...(options.maxUsers === undefined ? {} : { max_users: options.maxUsers }),
    });
  }

  async #run(spec: LoadSpec): Promise<LoadResult> {
    const load: LoadSpec = this.#options.warmupSeconds === undefined ? spec : { ...spec, warmup: this.#options.warmupSeconds };
    const runOptions = this.#options.signal === undefined ? {} : { signal: this.#options.signal };
    const targetFunc = this.#options.targetFunc;
    const plan = this.#plan(await this.#base(), load);
    // The run service, as `loadseed run` uses it: the scenario's `monitor` sampled beside the load. No kill
    // switch: a program stops its own runs with `signal`. A target function replaces HTTP, under the same executors.
    const runLoad =
      targetFunc === undefined
        ? undefined
        : (planned: Plan, options: RunOptions): Promise<RunResult> =>
            runTargetFunction(targetFunc, {
              ...options,
              profile: planned.profile,
              ...(planned.warmup === undefined ? {} : { warmup: planned.warmup }),
              gracePeriodMs: planned.gracePeriodMs,
              name: this.#options.name ?? 'target',
              ...(planned.requests[0] === undefined ? {} : { timeoutMs: planned.requests[0].timeoutMs }),
            });
    const executed = await executePlan(plan, { ...runOptions, maxDurationMs: 'none', ...(runLoad === undefined ? {} : { runLoad }) });
    return { ...loadResult(executed.result), ...(executed.monitor === undefined ? {} : { monitor: executed.monitor }) };
  }

  /** The scenario the run* methods replace the load of. */
  #base(): Promise<Scenario> {
    this.#scenario ??= this.#loadBase();
    return this.#scenario;
  }

  async #loadBase(): Promise<Scenario> {
    const { scenario: file, url, name, timeoutSeconds } = this.#options;
    if (file !== undefined) return loadScenario(file, { env: this.#options.env ?? {} });
    const request: RequestSpec = url === undefined ? { path: '/' } : { url, name: name ?? 'target' };
    const data: ScenarioData = {
      ...(url === undefined ? { target: PLACEHOLDER_TARGET } : {}),
      ...(timeoutSeconds === undefined ? {} : { defaults: { timeout: timeoutSeconds } }),
      requests: [request],
      load: { profile: 'constant', users: 1, duration: 1 },
    };
    return scenarioFromData(data, API_SOURCE, '.');
  }

  #plan(base: Scenario, load: LoadSpec): Plan {
    const scenario = scenarioFromData({ ...base.data, load }, base.file === API_SOURCE ? API_SOURCE : base.file, base.baseDir);
    // The base's files (data rows, certificates) and environment were read once, when it was loaded.
    return buildPlan({
      ...scenario,
      envVarsUsed: base.envVarsUsed,
      ...(base.env === undefined ? {} : { env: base.env }),
      ...(base.feeders === undefined ? {} : { feeders: base.feeders }),
      ...(base.tls === undefined ? {} : { tls: base.tls }),
      ...(base.hooks === undefined ? {} : { hooks: base.hooks }),
    });
  }
}

function loadResult(run: RunResult): LoadResult {
  const snapshot = run.recorder.snapshot();
  const seconds = run.elapsedMs / 1000;
  const summary = statsDocument(snapshot.total, seconds);
  return {
    totalRequests: summary.count,
    successfulRequests: summary.successes,
    failedRequests: summary.failures,
    errorRate: summary.errorRate,
    requestsPerSec: summary.requestsPerSec,
    durationMs: run.elapsedMs,
    interrupted: run.interrupted,
    iterations: snapshot.iterations,
    droppedArrivals: snapshot.droppedArrivals,
    summary,
    requests: snapshot.requests.map((stats) => statsDocument(stats, seconds)),
    latencyHistogram: run.recorder.responseTimeHistogram(),
    serviceTimeHistogram: run.recorder.serviceTimeHistogram(),
    run,
  };
}
