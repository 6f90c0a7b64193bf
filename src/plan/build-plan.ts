import { availableParallelism } from 'node:os';
import { assertNever } from '../errors.js';
import { parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import { compileCondition } from '../scenario/expression.js';
import type { Expression } from '../scenario/expression.js';
import { grpcStepOf, isLoopStep, isThinkStep, partsOf } from '../scenario/types.js';
import { requestNameScope } from '../scenario/request-names.js';
import { taggedRequestsOf, tagGroupsOf } from '../scenario/request-tags.js';
import type { TagGroup } from '../scenario/request-tags.js';
import { metricKindOf, metricSpecsOf } from '../scenario/custom-metric-specs.js';
import type { CustomMetricDefinition } from '../scenario/custom-metric-specs.js';
import { protocolMetricsOf } from '../scenario/protocol-metrics.js';
import type { FeederData } from '../scenario/load-feeders.js';
import { SECRET_HEADERS, secretValuesOf } from '../scenario/secrets.js';
import type { LoadedTlsSettings } from '../scenario/load-tls-files.js';
import type { ConstantLoad, HttpSettings, LoadSpec, MonitorSpec, RequestSpec, Scenario, ScenarioData, Step } from '../scenario/types.js';
import { compileRequest, thinkTimeOf } from './compile-request.js';
import { compileGrpcStep } from './compile-grpc-step.js';
import type { PlannedRequest, PlannedThinkTime, TemplateEnvironment } from './compile-request.js';
import { peakUsers, profileDurationMs } from './profile.js';
import type { LoadProfile, Stage } from './profile.js';
import { usableSegments } from './segment.js';

export { DEFAULT_TIMEOUT_MS, joinUrl } from './compile-request.js';
export type { PlannedRequest, PlannedRequestMetric, PlannedThinkTime } from './compile-request.js';
export type { CustomMetricDefinition } from '../scenario/custom-metric-specs.js';
export type { TagGroup } from '../scenario/request-tags.js';
export const DEFAULT_GRACE_PERIOD_MS = 5_000;
export const DEFAULT_MAX_USERS = 1_000;
/** Upper bound of a run bounded by an iterations budget, unless `max_duration` says otherwise. */
export const DEFAULT_MAX_DURATION_MS = 10 * 60_000;

/** The profile a scenario named, kept for display: the plan's LoadProfile is the normalised form. */
export type ProfileName = LoadSpec['profile'];

/**
 * One step of an iteration: send a request (by its index in `Plan.requests`), pause, or repeat steps. A
 * `condition` (`if`) skips the step when it does not hold; a loop makes at most `maxPasses` passes (`count`, or a
 * `while` loop's `max`), a `while` condition checked before each. Conditions are plain data (scenario/expression.ts).
 */
export type PlannedStep =
  | { readonly kind: 'request'; readonly requestIndex: number; readonly condition?: Expression }
  | { readonly kind: 'think'; readonly thinkTime: PlannedThinkTime }
  | PlannedLoop;

export interface PlannedLoop {
  readonly kind: 'loop';
  readonly maxPasses: number;
  readonly while?: Expression;
  /** The pause between passes. */
  readonly thinkTime?: PlannedThinkTime;
  readonly condition?: Expression;
  readonly steps: readonly PlannedStep[];
}

/** A sequence of steps one iteration may run: all the requests in order, one weighted request, or a flow. */
export interface PlannedChoice {
  readonly name: string;
  readonly weight: number;
  readonly steps: readonly PlannedStep[];
}

/**
 * What one iteration of a virtual user does. `sequence`: the only choice, every request in the order written.
 * `weighted`: one choice per iteration, picked with probability weight / total (a request or flow without a
 * weight weighs 1). Requests become `weighted` as soon as one of them has a weight; flows always are.
 */
export interface PlannedIteration {
  readonly order: 'sequence' | 'weighted';
  readonly choices: readonly PlannedChoice[];
  /** Steps each virtual user runs once, before its first iteration (`before`: log in, say). */
  readonly before?: readonly PlannedStep[];
}

export interface PlannedWarmup {
  readonly durationMs: number;
  /** Users during warm-up (closed model); default: the profile's initial users, at least 1. */
  readonly users?: number;
  /** Arrivals per second during warm-up (open model); default: the profile's initial rate. */
  readonly ratePerSec?: number;
}

/** A scenario made ready to run: numbers in milliseconds, defaults filled in, URLs resolved. Pure data. */
export interface Plan {
  readonly name: string;
  readonly scenarioFile: string;
  readonly profileName: ProfileName;
  readonly profile: LoadProfile;
  readonly warmup?: PlannedWarmup;
  readonly gracePeriodMs: number;
  /** Every request the scenario can send, once each, in the order written; steps refer to them by index. */
  readonly requests: readonly PlannedRequest[];
  readonly iteration: PlannedIteration;
  /** false when `http.keep_alive: false`: every request then asks for its connection to be closed. */
  readonly keepAlive: boolean;
  /** User journeys: present when any feature needs the flow path (see PlannedFlow). */
  readonly flow?: PlannedFlow;
  /** `http.tls` with its files read: trusted CAs, client certificate, verification. */
  readonly tls?: LoadedTlsSettings;
  /**
   * Secret values known before the run (from the environment, secret headers, credentials, `redact`): every
   * output (console, results, JUnit, Markdown, HTML) shows `***` instead (scenario/secrets.ts).
   */
  readonly secrets: readonly string[];
  /**
   * Worker threads the load is split over, one plan segment each (`workers`; `auto`: one per core), never more
   * than the profile has users (or iteration slots) to give them. 1, the default: the run stays on the calling
   * thread.
   */
  readonly workers: number;
  /** `monitor`: server-side resources to sample beside the load (src/monitor/); absent when not asked for. */
  readonly monitor?: PlannedMonitor;
  /**
   * `scenarios`: several workloads at once, each with its own profile, steps and flow settings over the run's
   * `requests`, on one t=0. The plan's own `profile` is then their envelope (every user any of them may have,
   * for the whole run: for display and bounds), its `iteration` the first one's, and its `flow` carries
   * `setup`; the engine runs the scenarios.
   */
  readonly scenarios?: readonly PlannedScenario[];
  /** `tags`: each tag pair (`key:value`) with the names of its requests; absent when no request has a tag. */
  readonly tagGroups?: readonly TagGroup[];
  /** `metric`: the run's custom metrics, in the order first met; requests refer to them by name. Absent: none. */
  readonly customMetrics?: readonly CustomMetricDefinition[];
}

/** One scenario of several: what the engine runs for it. Request indices are into `Plan.requests`. */
export interface PlannedScenario {
  readonly name: string;
  readonly profileName: ProfileName;
  readonly profile: LoadProfile;
  /** When it starts, from the run's t=0. */
  readonly startAfterMs: number;
  readonly gracePeriodMs: number;
  readonly iteration: PlannedIteration;
  readonly flow?: PlannedFlow;
  /** The names its requests are reported under (scoped `scenario/name` where two scenarios share one). */
  readonly requestNames: readonly string[];
}

export const DEFAULT_MONITOR_INTERVAL_MS = 1_000;
export const DEFAULT_CPU_METRIC = 'process_cpu_seconds_total';
export const DEFAULT_MEMORY_METRIC = 'process_resident_memory_bytes';

/** `monitor`, normalised: what to sample during the run, and how often. */
export interface PlannedMonitor {
  readonly intervalMs: number;
  readonly sources: readonly PlannedMonitorSource[];
}

/**
 * One monitor source. `name`: its own, else `pid 1234`, the command, or the endpoint's host and path; unique
 * (a repeated name gets ` (2)`). Prometheus metrics are selectors: a name, optionally with label matchers.
 */
export type PlannedMonitorSource =
  | { readonly kind: 'process'; readonly name: string; readonly process: { readonly pid: number } | { readonly command: string } }
  | { readonly kind: 'prometheus'; readonly name: string; readonly url: string; readonly cpuMetric: string; readonly memoryMetric: string };

/** `http.redirects`, normalised. */
export interface PlannedRedirects {
  readonly follow: boolean;
  /** Most redirects followed for one request (default 5). */
  readonly max: number;
  /** Origins besides the request's own a redirect may lead to. */
  readonly allowOrigins: readonly string[];
}

export const DEFAULT_MAX_REDIRECTS = 5;

/**
 * What user journeys need beyond requests, present when the plan uses any of it: the requests then go through
 * a flow's session (flow/flow-target.ts: templates rendered per request, checks, captures, cookies,
 * redirects, HTTP/2) instead of the static fast path.
 */
export interface PlannedFlow {
  /** `variables`: the lowest layer of every user's variables (captures, then a data row, then setup's captures first). */
  readonly variables: Readonly<Record<string, string>>;
  /** `data` files, read: a row per iteration. */
  readonly feeders: readonly FeederData[];
  /** A cookie jar per virtual user. */
  readonly cookies: boolean;
  readonly redirects: PlannedRedirects;
  /** Offer HTTP/2 (ALPN) on https: origins. */
  readonly http2: boolean;
  /** `setup`: requests run once, in order, before the load; their captures are every user's variables. Not measured. */
  readonly setup: readonly PlannedRequest[];
  /** Variables whose values are secret (`redact`): a failure message never shows them. */
  readonly secretVariables: readonly string[];
  /** Headers whose values are secret (Authorization, Cookie, Set-Cookie, X-API-Key… and `redact`'s), lower-case. */
  readonly secretHeaders: readonly string[];
  /** `hooks:`: the module's file: URL, which each thread imports (flow/hook-runner.ts). */
  readonly hooksUrl?: string;
  /** `seed` (or `--seed`): the random template helpers are reproducible, a stream per user (scenario/seeded-random.ts). */
  readonly seed?: number;
}

export interface PlanOptions {
  /** What `workers: auto` means. Default: `os.availableParallelism()`. */
  readonly availableCores?: number;
  /** `--seed`: overrides the scenario's `seed`. */
  readonly seed?: number;
}

/** Turns a validated scenario into a plan. Never does I/O. */
export function buildPlan(scenario: Scenario, options: PlanOptions = {}): Plan {
  if (scenario.data.scenarios !== undefined) return buildScenariosPlan(scenario, options);
  const data = scenario.data;
  if (data.load === undefined) throw new Error('a scenario without load or scenarios after validation');
  const warmup = planWarmup(data.load);
  const profile = planProfile(data.load);
  const requestsPlanned = requestsAndFlow(scenario, options.seed ?? data.seed);
  const requestedWorkers = data.workers === 'auto' ? (options.availableCores ?? availableParallelism()) : (data.workers ?? 1);
  return {
    name: data.name ?? scenarioNameFromFile(scenario.file),
    scenarioFile: scenario.file,
    profileName: data.load.profile,
    profile,
    ...(warmup === undefined ? {} : { warmup }),
    gracePeriodMs: optionalMs(data.load.grace_period) ?? DEFAULT_GRACE_PERIOD_MS,
    ...requestsPlanned,
    keepAlive: data.http?.keep_alive ?? true,
    ...(scenario.tls === undefined ? {} : { tls: scenario.tls }),
    secrets: secretValuesOf(scenario, envNamesOf(requestsPlanned)),
    workers: usableSegments(profile, requestedWorkers),
    ...(data.monitor === undefined ? {} : { monitor: planMonitor(data.monitor) }),
    ...tagsAndMetricsOf(data),
  };
}

/** The file's tag groups and custom metrics (over every scenario of a file with several). */
function tagsAndMetricsOf(data: ScenarioData): Pick<Plan, 'tagGroups' | 'customMetrics'> {
  const tagGroups = tagGroupsOf(data);
  const kinds = new Map<string, CustomMetricDefinition['kind']>();
  for (const { spec } of taggedRequestsOf(data)) {
    for (const metric of metricSpecsOf(spec)) if (!kinds.has(metric.name)) kinds.set(metric.name, metricKindOf(metric));
    for (const metric of protocolMetricsOf(spec)) if (!kinds.has(metric.name)) kinds.set(metric.name, metric.kind);
  }
  return {
    ...(tagGroups.length === 0 ? {} : { tagGroups }),
    ...(kinds.size === 0 ? {} : { customMetrics: [...kinds].map(([name, kind]) => ({ name, kind })) }),
  };
}

/**
 * A file with `scenarios`: each planned as a file of its own (the shared keys and its own), then put side by
 * side: their requests in one list (names scoped where two scenarios share one), their steps pointing into it.
 */
function buildScenariosPlan(scenario: Scenario, options: PlanOptions): Plan {
  const scope = requestNameScope(scenario.data);
  const requests: PlannedRequest[] = [];
  const planned = partsOf(scenario.data).map((part) => {
    const plan = buildPlan({ ...scenario, data: part.data }, options);
    const name = part.name ?? plan.name;
    const offset = requests.length;
    requests.push(...plan.requests.map((request) => ({ ...request, name: scope(name, request.name) })));
    const scenarioPlan: PlannedScenario = {
      name,
      profileName: plan.profileName,
      profile: plan.profile,
      startAfterMs: optionalMs(part.startAfter) ?? 0,
      gracePeriodMs: plan.gracePeriodMs,
      iteration: shiftIteration(plan.iteration, offset),
      ...(plan.flow === undefined ? {} : { flow: plan.flow }),
      requestNames: [...new Set(requests.slice(offset).map((request) => request.name))],
    };
    return { plan, scenario: scenarioPlan };
  });
  const first = planned[0];
  if (first === undefined) throw new Error('a file with no scenarios after validation');
  const scenarios = planned.map((part) => part.scenario);
  const flow = scenarios.find((part) => part.flow !== undefined)?.flow;
  return {
    ...first.plan,
    name: scenario.data.name ?? scenarioNameFromFile(scenario.file),
    profileName: 'constant',
    profile: envelopeOf(scenarios),
    gracePeriodMs: Math.max(...scenarios.map((part) => part.gracePeriodMs)),
    requests,
    iteration: first.scenario.iteration,
    ...(flow === undefined ? {} : { flow }),
    secrets: [...new Set(planned.flatMap((part) => part.plan.secrets))],
    workers: Math.min(...planned.map((part) => part.plan.workers)),
    scenarios,
    ...tagsAndMetricsOf(scenario.data),
  };
}

/** Every user any scenario may have, for as long as the last one runs. */
function envelopeOf(scenarios: readonly PlannedScenario[]): LoadProfile {
  return {
    kind: 'constant-users',
    users: scenarios.reduce((sum, part) => sum + peakUsers(part.profile), 0),
    durationMs: Math.max(...scenarios.map((part) => part.startAfterMs + profileDurationMs(part.profile))),
  };
}

function shiftIteration(iteration: PlannedIteration, offset: number): PlannedIteration {
  const shift = (steps: readonly PlannedStep[]): PlannedStep[] =>
    steps.map((step): PlannedStep => {
      if (step.kind === 'request') return { ...step, requestIndex: step.requestIndex + offset };
      if (step.kind === 'loop') return { ...step, steps: shift(step.steps) };
      return step;
    });
  return {
    ...iteration,
    choices: iteration.choices.map((choice) => ({ ...choice, steps: shift(choice.steps) })),
    ...(iteration.before === undefined ? {} : { before: shift(iteration.before) }),
  };
}

function planMonitor(spec: MonitorSpec): PlannedMonitor {
  const taken = new Set<string>();
  const unique = (name: string): string => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name} (${n})`;
    taken.add(candidate);
    return candidate;
  };
  // Each source has exactly one of process or prometheus (scenario/check-scenario.ts).
  const sources = spec.sources.flatMap((source): PlannedMonitorSource[] => {
    if (source.process !== undefined) {
      const target = 'pid' in source.process ? { pid: source.process.pid } : { command: source.process.command };
      const name = source.name ?? ('pid' in target ? `pid ${target.pid}` : target.command);
      return [{ kind: 'process', name: unique(name), process: target }];
    }
    if (source.prometheus !== undefined) {
      const { url, cpu_metric, memory_metric } = source.prometheus;
      const parsed = new URL(url);
      return [
        {
          kind: 'prometheus',
          name: unique(source.name ?? `${parsed.host}${parsed.pathname}`),
          url,
          cpuMetric: cpu_metric ?? DEFAULT_CPU_METRIC,
          memoryMetric: memory_metric ?? DEFAULT_MEMORY_METRIC,
        },
      ];
    }
    return [];
  });
  return { intervalMs: optionalMs(spec.interval) ?? DEFAULT_MONITOR_INTERVAL_MS, sources };
}

function planProfile(load: LoadSpec): LoadProfile {
  switch (load.profile) {
    case 'constant':
      return planConstant(load);
    case 'ramp': {
      const stages: Stage[] = [{ durationMs: ms(load.ramp_duration), target: load.end_users }];
      const steadyMs = optionalMs(load.steady_duration) ?? 0;
      if (steadyMs > 0) stages.push({ durationMs: steadyMs, target: load.end_users });
      return { kind: 'ramping-users', startUsers: load.start_users ?? 0, stages };
    }
    case 'stages':
      return {
        kind: 'ramping-users',
        startUsers: load.start_users ?? 0,
        stages: load.stages.map((stage) => ({ durationMs: ms(stage.duration), target: stage.users })),
      };
    case 'arrival_rate':
      return {
        kind: 'constant-arrival-rate',
        ratePerSec: load.rate,
        durationMs: ms(load.duration),
        maxUsers: load.max_users ?? DEFAULT_MAX_USERS,
      };
    case 'ramping_arrival_rate':
      return {
        kind: 'ramping-arrival-rate',
        startRatePerSec: load.start_rate ?? 0,
        stages: load.stages.map((stage) => ({ durationMs: ms(stage.duration), target: stage.rate })),
        maxUsers: load.max_users ?? DEFAULT_MAX_USERS,
      };
    case 'breaking_point': {
      // Steps: jump to each rate at once, hold it for step_duration.
      const stepMs = ms(load.step_duration);
      const stages: Stage[] = [];
      for (let ratePerSec = load.start_rate; ratePerSec <= load.max_rate + 1e-9; ratePerSec += load.step_rate) {
        stages.push({ durationMs: 0, target: ratePerSec }, { durationMs: stepMs, target: ratePerSec });
      }
      return {
        kind: 'ramping-arrival-rate',
        startRatePerSec: load.start_rate,
        stages,
        maxUsers: load.max_users ?? DEFAULT_MAX_USERS,
      };
    }
    default:
      return assertNever(load);
  }
}

function planConstant(load: ConstantLoad): LoadProfile {
  const maxDurationMs = optionalMs(load.max_duration) ?? DEFAULT_MAX_DURATION_MS;
  if (load.iterations_per_user !== undefined) {
    const perUser = load.iterations_per_user;
    return {
      kind: 'constant-users',
      users: load.users,
      iterations: load.users * perUser,
      iterationsPerUser: perUser,
      durationMs: maxDurationMs,
    };
  }
  return load.iterations === undefined
    ? { kind: 'constant-users', users: load.users, durationMs: ms(load.duration ?? 0) }
    : { kind: 'constant-users', users: load.users, iterations: load.iterations, durationMs: maxDurationMs };
}

function planWarmup(load: LoadSpec): PlannedWarmup | undefined {
  const warmup = load.warmup;
  if (warmup === undefined) return undefined;
  if (typeof warmup !== 'object') return { durationMs: ms(warmup) };
  return {
    durationMs: ms(warmup.duration),
    ...(warmup.users === undefined ? {} : { users: warmup.users }),
    ...(warmup.rate === undefined ? {} : { ratePerSec: warmup.rate }),
  };
}

/** The requests and iteration, and the flow settings when the scenario uses any of them. */
function requestsAndFlow(scenario: Scenario, seed: number | undefined): Pick<Plan, 'requests' | 'iteration' | 'flow'> {
  const data = scenario.data;
  const env: TemplateEnvironment = scenario.env ?? {};
  const planned = planRequests(data, env, scenario.baseDir);
  const setup = (data.setup ?? []).map((spec) => compileRequest(spec, data.target, data.defaults, env));
  const http = data.http ?? {};
  const cookies = http.cookies ?? data.flows !== undefined;
  const redirects = planRedirects(http);
  const feeders = scenario.feeders ?? [];
  const needsFlow =
    cookies ||
    redirects.follow ||
    http.http2 === true ||
    setup.length > 0 ||
    feeders.length > 0 ||
    planned.iteration.before !== undefined ||
    hasFlowControl(planned.iteration) ||
    planned.requests.some(usesFlow);
  if (!needsFlow) return planned;
  const variables = Object.fromEntries(Object.entries(data.variables ?? {}).map(([name, value]) => [name, String(value)]));
  const redact = (data.redact ?? []).map((name) => name.toLowerCase());
  return {
    ...planned,
    flow: {
      variables,
      feeders,
      cookies,
      redirects,
      http2: http.http2 === true,
      setup,
      secretVariables: data.redact ?? [],
      secretHeaders: [...new Set([...SECRET_HEADERS, ...redact])],
      ...(scenario.hooks === undefined ? {} : { hooksUrl: scenario.hooks.url }),
      ...(seed === undefined ? {} : { seed }),
    },
  };
}

/** A request only a flow's session can send: templates, checks, captures, hooks, a protocol step. */
function usesFlow(request: PlannedRequest): boolean {
  return (
    request.templates !== undefined ||
    request.checks !== undefined ||
    request.captures !== undefined ||
    request.beforeRequest !== undefined ||
    request.afterResponse !== undefined ||
    request.metrics !== undefined ||
    request.protocol !== undefined
  );
}

/** Redirect settings with their defaults; allowed origins as URL.origin spells them. */
function planRedirects(http: HttpSettings): PlannedRedirects {
  return {
    follow: http.redirects?.follow ?? false,
    max: http.redirects?.max ?? DEFAULT_MAX_REDIRECTS,
    allowOrigins: (http.redirects?.allow_origins ?? []).map((origin) => new URL(origin).origin),
  };
}

/** The environment variables every template reads (`{{ $env.NAME }}`). */
function envNamesOf(planned: Pick<Plan, 'requests' | 'flow'>): string[] {
  const names = new Set<string>();
  for (const request of [...planned.requests, ...(planned.flow?.setup ?? [])]) {
    const templates = request.templates;
    if (templates === undefined) continue;
    for (const template of [templates.path, templates.body, ...templates.headers.map((header) => header.value)]) {
      for (const name of template?.envNames ?? []) names.add(name);
    }
  }
  return [...names];
}

function planRequests(data: ScenarioData, env: TemplateEnvironment, baseDir: string): Pick<Plan, 'requests' | 'iteration'> {
  const requests: PlannedRequest[] = [];
  const grpcContext = { target: data.target, proto: data.proto, baseDir, defaults: data.defaults, env };
  const add = (spec: RequestSpec): PlannedStep => {
    const grpc = grpcStepOf(spec);
    requests.push(grpc === undefined ? compileRequest(spec, data.target, data.defaults, env) : compileGrpcStep(grpc, grpcContext));
    return { kind: 'request', requestIndex: requests.length - 1, ...conditionOf(spec.if) };
  };
  const stepsOf = (steps: readonly Step[]): PlannedStep[] =>
    steps.flatMap((step): PlannedStep[] => {
      if (isLoopStep(step)) {
        const { count, max, think, steps: inner } = step.loop;
        const thinkTime = think === undefined ? undefined : thinkTimeOf(think);
        const loop: PlannedLoop = {
          kind: 'loop',
          maxPasses: count ?? max ?? 0,
          ...(step.loop.while === undefined ? {} : { while: compileCondition(step.loop.while).expression }),
          ...(thinkTime === undefined ? {} : { thinkTime }),
          ...conditionOf(step.if),
          steps: stepsOf(inner),
        };
        return [loop];
      }
      if (!isThinkStep(step)) return [add(step)];
      const thinkTime = thinkTimeOf(step.think);
      return thinkTime === undefined ? [] : [{ kind: 'think', thinkTime }];
    });
  const before = data.before === undefined ? undefined : stepsOf(data.before);
  const withBefore = (iteration: PlannedIteration): PlannedIteration => (before === undefined ? iteration : { ...iteration, before });
  if (data.flows !== undefined) {
    // Flows: one flow per iteration, by weight.
    const choices = data.flows.map((flow) => ({ name: flow.name, weight: flow.weight ?? 1, steps: stepsOf(flow.steps) }));
    return { requests, iteration: withBefore({ order: 'weighted', choices }) };
  }
  const specs = data.requests ?? [];
  const steps = specs.map(add);
  if (specs.some((spec) => spec.weight !== undefined)) {
    const choices = steps.map((step, index) => ({
      name: requests[index]?.name ?? '',
      weight: specs[index]?.weight ?? 1,
      steps: [step],
    }));
    return { requests, iteration: withBefore({ order: 'weighted', choices }) };
  }
  return { requests, iteration: withBefore({ order: 'sequence', choices: [{ name: 'requests', weight: 1, steps }] }) };
}

/** `if`, compiled (it passed checkFlowControl, so it compiles). */
function conditionOf(text: string | undefined): { condition?: Expression } {
  return text === undefined ? {} : { condition: compileCondition(text).expression };
}

/** Whether any step has a condition or is a loop: the flow path then runs the iteration (it reads variables). */
function hasFlowControl(iteration: PlannedIteration): boolean {
  const uses = (steps: readonly PlannedStep[]): boolean =>
    steps.some((step) => step.kind === 'loop' || (step.kind === 'request' && step.condition !== undefined));
  return uses(iteration.before ?? []) || iteration.choices.some((choice) => uses(choice.steps));
}

function scenarioNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.ya?ml$/i, '');
}

/** Durations here passed the schema, so they parse; a failure is a bug. */
function ms(duration: Duration): number {
  const value = parseDurationMs(duration);
  if (value === undefined) throw new Error(`unparsed duration ${JSON.stringify(duration)} after validation`);
  return value;
}

function optionalMs(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : ms(duration);
}
