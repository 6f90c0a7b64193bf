import type { Duration } from './duration.js';
import type { FeederData } from './load-feeders.js';
import type { LoadedTlsSettings } from './load-tls-files.js';

/**
 * What a scenario file means, key for key: the data of a file that passed the schema
 * (`schemas/scenario.schema.json`) and the checks in `check-scenario.ts`. Durations are still as written;
 * `plan/` turns them into milliseconds and fills in defaults.
 */
export interface ScenarioData {
  readonly version?: 1;
  readonly name?: string;
  readonly description?: string;
  readonly target?: string;
  /** The `.proto` file of the `grpc:` steps (relative to the scenario file), unless a step names its own. */
  readonly proto?: string;
  readonly defaults?: RequestDefaults;
  readonly http?: HttpSettings;
  readonly variables?: Readonly<Record<string, string | number | boolean>>;
  readonly data?: readonly Feeder[];
  readonly redact?: readonly string[];
  /** An ES module of functions the scenario calls (scenario/load-hooks.ts), relative to the scenario's directory. */
  readonly hooks?: string;
  readonly setup?: readonly RequestSpec[];
  readonly before?: readonly Step[];
  readonly requests?: readonly RequestSpec[];
  readonly flows?: readonly FlowSpec[];
  /** The load profile; absent when the file has `scenarios` (each has its own). */
  readonly load?: LoadSpec;
  /** Several workloads at once, by name, on one t=0 (see partsOf). */
  readonly scenarios?: Readonly<Record<string, ScenarioPartSpec>>;
  /** Absent (or setting no threshold): the default `max_error_rate: 0.01`; false: no thresholds. */
  readonly sla?: SlaSpec | false;
  readonly report?: ReportSpec;
  readonly workers?: 'auto' | number;
  /** Makes the random template helpers reproducible (`--seed` overrides it). */
  readonly seed?: number;
  readonly monitor?: MonitorSpec;
  /** Tags of every request of the file (of each scenario, in a file with `scenarios`): see `Tags`. */
  readonly tags?: Tags;
}

/** One scenario of several: its own requests or flows, load, thresholds, and when it starts. */
export interface ScenarioPartSpec {
  readonly description?: string;
  readonly before?: readonly Step[];
  readonly requests?: readonly RequestSpec[];
  readonly flows?: readonly FlowSpec[];
  readonly load: LoadSpec;
  /** Thresholds judged on this scenario's requests only. */
  readonly sla?: SlaSpec;
  readonly start_after?: Duration;
  /** Tags of this scenario's requests, over the file's own (see `Tags`). */
  readonly tags?: Tags;
}

/** The data of one workload: a file without `scenarios`, or one scenario of a file with them (partsOf). */
export type SingleScenarioData = ScenarioData & { readonly load: LoadSpec };

/** The keys a scenario of several holds itself; every other key of the file is shared by all of them. */
export const PART_KEYS = ['before', 'requests', 'flows', 'load', 'sla'] as const;

/**
 * A file's workloads: each named scenario as data of its own (the file's shared keys with the scenario's
 * before, requests, flows, load and sla), or the file itself, unnamed, when it has no `scenarios`. `path` is
 * where a part's own keys are in the file (`['scenarios', name]`; `[]` for the file itself).
 */
export function partsOf(
  data: ScenarioData,
): { readonly name?: string; readonly data: SingleScenarioData; readonly path: readonly string[]; readonly startAfter?: Duration }[] {
  if (data.scenarios === undefined) {
    return data.load === undefined ? [] : [{ data: data as SingleScenarioData, path: [] }];
  }
  // The part keys at the top of a file with scenarios are refused (check-scenario.ts); none is inherited.
  const { scenarios, sla: _sla, before: _before, requests: _requests, flows: _flows, load: _load, ...shared } = data;
  return Object.entries(scenarios).map(([name, part]) => {
    const { description: _description, start_after, ...own } = part;
    // Tags add up: the file's, then the scenario's over them.
    const tags = shared.tags === undefined || own.tags === undefined ? (own.tags ?? shared.tags) : { ...shared.tags, ...own.tags };
    return {
      name,
      data: { ...shared, ...own, ...(tags === undefined ? {} : { tags }) },
      path: ['scenarios', name],
      ...(start_after === undefined ? {} : { startAfter: start_after }),
    };
  });
}

/**
 * `tags: {team: payments}`: labels that group requests in the results (`team:payments`), inherited scenario →
 * flow → request, the inner value winning for a key. A number or boolean value is its text.
 */
export type Tags = Readonly<Record<string, string | number | boolean>>;

/**
 * `metric: {name, from, kind}`: a number read from each response (`from` as a capture reads it:
 * `json $.depth`, `header x-queue`, `regex depth=(\d+)`, `status`) into a custom metric: a `trend` (its
 * distribution) or a `counter` (its sum).
 */
export interface MetricSpec {
  readonly name: string;
  readonly from: string;
  readonly kind?: 'trend' | 'counter';
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export type HeaderValues = Readonly<Record<string, string | number | boolean>>;
export type QueryValue = string | number | boolean | readonly (string | number | boolean)[];
export type ThinkTime = Duration | { readonly min: Duration; readonly max: Duration };

export interface ExpectChecks {
  readonly status?: number | readonly number[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body_contains?: string;
  readonly body_matches?: string;
  readonly json?: readonly { readonly path: string; readonly equals: unknown }[];
  readonly max_latency?: Duration;
}
export type Expect = number | readonly number[] | ExpectChecks;

export type Auth = { readonly basic: { readonly username: string; readonly password: string } } | { readonly bearer: string };

export interface Capture {
  readonly as: string;
  readonly json?: string;
  readonly header?: string;
  readonly regex?: string;
  readonly group?: number;
  readonly status?: true;
}

export interface RequestDefaults {
  readonly headers?: HeaderValues;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly timeout?: Duration;
  readonly think_time?: ThinkTime;
  readonly expect?: Expect;
  readonly auth?: Auth;
  readonly before_request?: string;
  readonly after_response?: string;
}

export interface RequestSpec {
  /** Always a string here: a number in the file (`name: 50`) is its text, see request-names.ts. */
  readonly name?: string;
  readonly method?: HttpMethod;
  readonly path?: string;
  readonly url?: string;
  readonly headers?: HeaderValues;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly json?: unknown;
  readonly body?: string;
  readonly form?: HeaderValues;
  readonly timeout?: Duration;
  readonly weight?: number;
  readonly expect?: Expect;
  readonly think_time?: ThinkTime;
  readonly auth?: Auth;
  readonly capture?: readonly Capture[];
  /** A function of the `hooks:` module called with (request, context) before the request is sent. */
  readonly before_request?: string;
  /** A function of the `hooks:` module called with (response, context) when the response has arrived. */
  readonly after_response?: string;
  /** A condition (`{{ expr }}`, scenario/expression.ts): the request is sent only when it holds. */
  readonly if?: string;
  readonly tags?: Tags;
  /** A custom metric (or several) read from each response. */
  readonly metric?: MetricSpec | readonly MetricSpec[];
  /** A WebSocket session (`$defs/wsStep`, flows only): a path on target or a ws:// / wss:// URL; `steps` says what it does. */
  readonly ws?: string;
  /** A `ws:` session's steps, in order (required with `ws`). */
  readonly steps?: readonly WsAction[];
}

/** One step of a `ws:` session: exactly one key. */
export type WsAction =
  | { readonly send: string }
  | { readonly expect: WsExpect }
  | { readonly capture: WsCapture }
  | { readonly send_every: WsSendEvery }
  | { readonly close: WsClose };

/**
 * Waits (`within`, default 10s) for the first message that matches; with `strict`, the next message must match.
 * `json` (a JSONPath) with `equals`, `contains` or `regex`, or alone (it selects something); `text` (the whole
 * message); `contains` or `regex` alone (on the whole message).
 */
export interface WsExpect {
  readonly json?: string;
  readonly equals?: unknown;
  readonly contains?: string;
  readonly text?: string;
  readonly regex?: string;
  readonly within?: Duration;
  readonly strict?: boolean;
}

/** A capture from the last message an `expect` matched: `json` or `regex` (with its `group`). */
export interface WsCapture {
  readonly as: string;
  readonly json?: string;
  readonly regex?: string;
  readonly group?: number;
}

/** `count` messages, one every `interval`; with `expect`, each waits for its reply before the next is due. */
export interface WsSendEvery {
  readonly message: string;
  readonly interval: Duration;
  readonly count: number;
  readonly expect?: WsExpect;
}

/** Closes the session with `code` (1000 or 1001, default 1000) and `reason`. */
export interface WsClose {
  readonly code?: 1000 | 1001;
  readonly reason?: string;
}

/** A gRPC status code by name (`OK`, `UNAVAILABLE`, ...), as `expect.status` of a `grpc:` step names it. */
export type GrpcStatusName =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

/**
 * A `grpc:` step (schema `$defs/grpcStep`): one call of a unary or server-streaming method, on a `grpc://`
 * target. It sits among a flow's steps where a RequestSpec does (the schema tells them apart by the `grpc` key;
 * `grpcStepOf` reads one as this): its name, timeout, weight, think_time, if and tags mean what a request's do;
 * its `expect` names gRPC statuses instead of HTTP ones.
 */
export interface GrpcStepSpec {
  readonly name?: string;
  /** `package.Service/Method`. */
  readonly grpc: string;
  readonly url?: string;
  readonly proto?: string;
  /** The request message, JSON-like; `{{ }}` in its strings as in a `json` body. */
  readonly message?: Readonly<Record<string, unknown>>;
  readonly metadata?: HeaderValues;
  readonly timeout?: Duration;
  readonly weight?: number;
  readonly expect?: { readonly status?: GrpcStatusName | readonly GrpcStatusName[] };
  readonly think_time?: ThinkTime;
  readonly if?: string;
  readonly tags?: Tags;
}

/** The step as a `grpc:` step, when it is one. */
export function grpcStepOf(spec: RequestSpec): GrpcStepSpec | undefined {
  return 'grpc' in spec ? (spec as unknown as GrpcStepSpec) : undefined;
}

/**
 * `expect` of a streamed step (`sse:`, `stream:`): the status (or statuses) its response must have; default 200.
 */
export interface StreamExpectChecks {
  readonly status?: number | readonly number[];
}
export type StreamExpect = number | readonly number[] | StreamExpectChecks;

/** What is common to the streamed steps: a request (a GET by default) whose response is read as it comes. */
interface StreamStepCommon {
  readonly name?: string;
  /** Default GET. */
  readonly method?: HttpMethod;
  readonly headers?: HeaderValues;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly auth?: Auth;
  readonly json?: unknown;
  readonly body?: string;
  /** The whole step's deadline (from its start to its end). */
  readonly timeout?: Duration;
  /** The longest wait for the next event (chunk) once the response has begun: past it the step fails as `timeout`. */
  readonly idle_timeout?: Duration;
  readonly expect?: StreamExpect;
  readonly think_time?: ThinkTime;
  readonly if?: string;
  readonly tags?: Tags;
}

/**
 * `sse: /events`: a Server-Sent Events stream read until `until` is met or the stream ends (plan/planned-sse.ts).
 * Captures read the last event's data (`json`, `regex`), the response's `header` or its `status`.
 */
export interface SseStepSpec extends StreamStepCommon {
  /** A path on the target, or an absolute http(s) URL; templated. */
  readonly sse: string;
  /** The step ends at the first event of this type, or after this many events (the first met wins). */
  readonly until?: { readonly event?: string; readonly events?: number };
  readonly capture?: readonly Capture[];
}

/** `stream: /completions`: a streamed (chunked) response read to its end: time to first chunk, gaps between chunks. */
export interface StreamStepSpec extends StreamStepCommon {
  /** A path on the target, or an absolute http(s) URL; templated. */
  readonly stream: string;
}

export interface ThinkStep {
  readonly think: ThinkTime;
}

/** Steps repeated `count` times, or while a condition holds (checked before each pass, at most `max` passes). */
export interface LoopSpec {
  readonly count?: number;
  readonly while?: string;
  readonly max?: number;
  /** A pause between passes. */
  readonly think?: ThinkTime;
  readonly steps: readonly Step[];
}

export interface LoopStep {
  readonly loop: LoopSpec;
  readonly if?: string;
}
export type Step = RequestSpec | SseStepSpec | StreamStepSpec | ThinkStep | LoopStep;

export interface FlowSpec {
  readonly name: string;
  readonly weight?: number;
  readonly steps: readonly Step[];
  readonly tags?: Tags;
}

export interface Feeder {
  readonly file: string;
  readonly format?: 'csv' | 'json';
  readonly order?: 'sequential' | 'random' | 'unique';
  readonly when_exhausted?: 'stop' | 'cycle';
  readonly delimiter?: string;
  /** A CSV file without a header row: its columns' names (every row is data). */
  readonly columns?: readonly string[];
}

export interface HttpSettings {
  readonly http2?: boolean;
  readonly keep_alive?: boolean;
  readonly cookies?: boolean;
  readonly tls?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly insecure?: boolean;
    readonly server_name?: string;
  };
  readonly redirects?: { readonly follow?: boolean; readonly max?: number; readonly allow_origins?: readonly string[] };
}

export type Warmup = Duration | { readonly duration: Duration; readonly users?: number; readonly rate?: number };

interface LoadCommon {
  readonly warmup?: Warmup;
  readonly grace_period?: Duration;
}
export interface ConstantLoad extends LoadCommon {
  readonly profile: 'constant';
  readonly users: number;
  readonly duration?: Duration;
  readonly iterations?: number;
  /** Each user does exactly this many iterations, then stops (k6's per-vu-iterations). */
  readonly iterations_per_user?: number;
  readonly max_duration?: Duration;
}
export interface RampLoad extends LoadCommon {
  readonly profile: 'ramp';
  readonly start_users?: number;
  readonly end_users: number;
  readonly ramp_duration: Duration;
  readonly steady_duration?: Duration;
}
export interface StagesLoad extends LoadCommon {
  readonly profile: 'stages';
  readonly start_users?: number;
  readonly stages: readonly { readonly duration: Duration; readonly users: number }[];
}
export interface ArrivalRateLoad extends LoadCommon {
  readonly profile: 'arrival_rate';
  readonly rate: number;
  readonly duration: Duration;
  readonly max_users?: number;
}
export interface RampingArrivalRateLoad extends LoadCommon {
  readonly profile: 'ramping_arrival_rate';
  readonly start_rate?: number;
  readonly stages: readonly { readonly duration: Duration; readonly rate: number }[];
  readonly max_users?: number;
}
export interface BreakingPointLoad extends LoadCommon {
  readonly profile: 'breaking_point';
  readonly start_rate: number;
  readonly step_rate: number;
  readonly max_rate: number;
  readonly step_duration: Duration;
  readonly max_users?: number;
  /** find-limit: most dropped arrivals a step may have (share of those offered, 0–1). Default 0.01. */
  readonly max_dropped_rate?: number;
  /** find-limit: least share of the offered rate a step must serve (0–1). Default 0.95. */
  readonly min_delivered_ratio?: number;
}
export type LoadSpec = ConstantLoad | RampLoad | StagesLoad | ArrivalRateLoad | RampingArrivalRateLoad | BreakingPointLoad;

/** Threshold keys: the named ones, any `pNN_latency_ms`, and the timing phases' `<phase>_<avg|max|pNN>_ms`. */
export type ThresholdSpec = Readonly<Record<string, number>>;

export interface SlaSpec {
  readonly [threshold: string]: unknown;
  readonly abort_on_fail?: boolean | { readonly delay?: Duration; readonly interval?: Duration };
  readonly requests?: Readonly<Record<string, ThresholdSpec>>;
  /** Thresholds on the requests of one tag together, by `key:value` (the run's `sla` only). */
  readonly tags?: Readonly<Record<string, ThresholdSpec>>;
  /** Thresholds on custom metrics, by metric name (the run's `sla` only): see MetricThresholdSpec. */
  readonly metrics?: Readonly<Record<string, MetricThresholdSpec>>;
}

/** A trend's `pNN`, `avg`, `max` (each at most) or a counter's `sum_max` (at most) and `sum_min` (at least). */
export type MetricThresholdSpec = Readonly<Record<string, number>>;

export interface ReportSpec {
  readonly html?: string | false;
  readonly json?: string | false;
  readonly junit?: string | false;
  readonly markdown?: string | false;
  /** Streaming outputs (`--output KIND=TARGET` replaces them). */
  readonly outputs?: readonly StreamOutputSpec[];
}

/** A streaming output of `report.outputs`: a JSON Lines file, an OTLP/HTTP receiver, a remote-write receiver. */
export interface StreamOutputSpec {
  readonly kind: 'jsonl' | 'otlp' | 'prometheus-rw';
  readonly target: string;
}

export interface MonitorSpec {
  readonly interval?: Duration;
  readonly sources: readonly {
    readonly name?: string;
    readonly process?: { readonly pid: number } | { readonly command: string };
    readonly prometheus?: { readonly url: string; readonly cpu_metric?: string; readonly memory_metric?: string };
  }[];
}

/** A loaded scenario: its data, where it came from, and which environment variables it read. */
export interface Scenario {
  /** The path as given by the user, for messages. */
  readonly file: string;
  /** The directory relative paths inside the scenario (data files, certificates) resolve against. */
  readonly baseDir: string;
  readonly data: ScenarioData;
  /** Names of environment variables whose values were substituted: secrets to the reports. */
  readonly envVarsUsed: readonly string[];
  /** The environment the scenario was read with: `{{ $env.NAME }}` templates read it when compiled. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The `data` files, read and checked (scenario/load-feeders.ts). */
  readonly feeders?: readonly FeederData[];
  /** `http.tls` with its certificate files read (scenario/load-tls-files.ts). */
  readonly tls?: LoadedTlsSettings;
  /** `hooks:`, imported and checked (scenario/load-hooks.ts). */
  readonly hooks?: LoadedHooks;
}

/** The `hooks:` module: where it is (a file: URL, which worker threads import too) and the functions it exports. */
export interface LoadedHooks {
  readonly url: string;
  readonly functions: readonly string[];
}

export function isThinkStep(step: Step): step is ThinkStep {
  return 'think' in step;
}

export function isLoopStep(step: Step): step is LoopStep {
  return 'loop' in step;
}

export function isRequestStep(step: Step): step is RequestSpec {
  return !isThinkStep(step) && !isLoopStep(step);
}

/** The name a request is reported under: its `name`, else `METHOD path` (or `METHOD url`; `SSE path`, `STREAM path`). */
export function requestNameOf(spec: RequestSpec): string {
  if (spec.name === undefined && spec.ws !== undefined) return `WS ${spec.ws}`;
  const grpc = grpcStepOf(spec)?.grpc;
  // A gRPC call: Service/Method, the service without its package.
  if (grpc !== undefined) return spec.name ?? grpc.slice(grpc.lastIndexOf('.', grpc.indexOf('/')) + 1);
  const streamed = streamTargetOf(spec);
  if (streamed !== undefined) return spec.name ?? `${streamed.kind.toUpperCase()} ${streamed.target}`;
  return spec.name ?? `${spec.method ?? 'GET'} ${spec.path ?? spec.url ?? ''}`;
}

/**
 * Where a request's URL is written, as [key, text]: `url` (absolute), or `path` (on the target; only without a
 * url), or a streamed step's `sse:` / `stream:` (either, by its first character).
 */
export function urlFieldsOf(spec: RequestSpec): { readonly url?: readonly [string, string]; readonly path?: readonly [string, string] } {
  const streamed = streamTargetOf(spec);
  if (streamed !== undefined) {
    return streamed.target.startsWith('/') ? { path: [streamed.kind, streamed.target] } : { url: [streamed.kind, streamed.target] };
  }
  if (spec.url !== undefined) return { url: ['url', spec.url] };
  return spec.path === undefined ? {} : { path: ['path', spec.path] };
}

/** A streamed step's kind and what it reads (`sse:` or `stream:`: a path or a URL); undefined for any other request. */
export function streamTargetOf(spec: RequestSpec): { readonly kind: 'sse' | 'stream'; readonly target: string } | undefined {
  if ('sse' in spec) return { kind: 'sse', target: (spec as SseStepSpec).sse };
  if ('stream' in spec) return { kind: 'stream', target: (spec as StreamStepSpec).stream };
  return undefined;
}

/** Every request a scenario can send, with its data path: setup, before, requests and flow steps (inside loops too). */
export function* requestsOf(data: ScenarioData): Generator<{ readonly spec: RequestSpec; readonly path: (string | number)[] }> {
  for (const [index, spec] of (data.setup ?? []).entries()) yield { spec, path: ['setup', index] };
  for (const [name, part] of Object.entries(data.scenarios ?? {})) {
    for (const { spec, path } of requestsOf(part)) {
      yield { spec, path: ['scenarios', name, ...path] };
    }
  }
  yield* requestsOfSteps(data.before ?? [], ['before']);
  for (const [index, spec] of (data.requests ?? []).entries()) yield { spec, path: ['requests', index] };
  for (const [flowIndex, flow] of (data.flows ?? []).entries()) yield* requestsOfSteps(flow.steps, ['flows', flowIndex, 'steps']);
}

/** Every step of a list with its data path, loops entered (a loop step comes before its own steps). */
export function* stepsOf(
  steps: readonly Step[],
  path: (string | number)[],
): Generator<{ readonly step: Step; readonly path: (string | number)[] }> {
  for (const [index, step] of steps.entries()) {
    yield { step, path: [...path, index] };
    if (isLoopStep(step)) yield* stepsOf(step.loop.steps, [...path, index, 'loop', 'steps']);
  }
}

/** Every step of `before` and the flows (each scenario's too), loops entered. */
export function* allStepsOf(data: ScenarioData): Generator<{ readonly step: Step; readonly path: (string | number)[] }> {
  for (const [name, part] of Object.entries(data.scenarios ?? {})) {
    for (const { step, path } of allStepsOf(part)) yield { step, path: ['scenarios', name, ...path] };
  }
  yield* stepsOf(data.before ?? [], ['before']);
  for (const [flowIndex, flow] of (data.flows ?? []).entries()) yield* stepsOf(flow.steps, ['flows', flowIndex, 'steps']);
}

function* requestsOfSteps(
  steps: readonly Step[],
  path: (string | number)[],
): Generator<{ readonly spec: RequestSpec; readonly path: (string | number)[] }> {
  for (const { step, path: stepPath } of stepsOf(steps, path)) if (isRequestStep(step)) yield { spec: step, path: stepPath };
}
