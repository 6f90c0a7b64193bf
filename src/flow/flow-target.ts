import type { PlannedFlow, PlannedRequest } from '../plan/build-plan.js';
import { compileCapture, extractCapture } from './capture.js';
import type { PlannedCapture } from './capture.js';
import { compileChecks, evaluateChecks, needsBody } from './checks.js';
import type { PlannedChecks } from './checks.js';
import type { RequestTemplates } from '../plan/compile-request.js';
import { HookRequest, HookResponse, bindHook, isThenable, scriptError, verdictOf } from './hooks.js';
import type { BoundHook, HookContext, HookFunctions } from './hooks.js';
import { createResponseView } from './response-view.js';
import type { ResponseView } from './response-view.js';
import type { Segment } from '../plan/segment.js';
import { WHOLE_PLAN } from '../plan/segment.js';
import { feederValue } from '../scenario/feeder-table.js';
import type { FeederData } from '../scenario/load-feeders.js';
import { redactForms, secretFormsOfAll } from '../scenario/secrets.js';
import { seededRandom, SETUP_STREAM } from '../scenario/seeded-random.js';
import { MissingVariableError, renderTemplate } from '../scenario/template.js';
import type { Template } from '../scenario/template.js';
import type { ProtocolRun, ProtocolStepRunner, ProtocolUser } from './protocol-step.js';
import { UserCookieJar } from '../transport/cookie-jar.js';
import { EXHAUSTED, FeederCursor } from './feeder-cursor.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import type { ExchangeOptions, ExchangeResult, ExchangeSession, ExchangeTarget, OutgoingRequest } from '../transport/exchange.js';
import { HttpExchangeTarget } from '../transport/http-exchange.js';
import { SocketExchangeTarget } from '../transport/socket-exchange.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../transport/http-rules.js';
import { invalidHeaderOf } from '../transport/invalid-header.js';
import { nextRedirect } from '../transport/redirect-policy.js';
import type { RedirectSettings } from '../transport/redirect-policy.js';
import { requestError } from '../transport/request-errors.js';
import type { StepReply, StepSession, StepTarget } from '../transport/step-target.js';
import { STATUS_COLUMNS, successTableOf } from '../transport/success-table.js';
import type { TlsSettings } from '../transport/tls-settings.js';
import { clearLongTimeout, setLongTimeout } from '../time/long-timeout.js';

export interface FlowTargetOptions {
  readonly keepAlive: boolean;
  readonly tls?: TlsSettings;
  /** This thread's share of the plan: data rows are striped by it. Default: the whole plan. */
  readonly segment?: Segment;
  /** What `setup` captured (run once, before the load, by `runSetup`): every user reads them. */
  readonly setupVariables?: Readonly<Record<string, string>>;
  readonly connectTimeoutMs?: number;
  /** The plan's secrets (Plan.secrets): hidden in failure reasons before they are clipped. */
  readonly secrets?: readonly string[];
  /** The `hooks:` module's functions (flow/hooks.ts), imported on this thread. */
  readonly hooks?: HookFunctions;
  /** The plan's custom metrics by name (Plan.customMetrics): a request's `metric` is reported by index into these. */
  readonly customMetricNames?: readonly string[];
  /** Per request, the runner of its protocol step (`ws:`, `sse:`, `grpc:`; flow/protocol-runners.ts), if it is one. */
  readonly protocolRunners?: readonly (ProtocolStepRunner | undefined)[];
}

/** A response body is kept up to this for checks and captures (and counted whole, whatever its size). */
export const MAX_KEPT_BODY_BYTES = 1024 * 1024;

/** A request as a flow's session sends it, compiled once per thread. */
interface FlowRequest {
  readonly method: string;
  readonly origin: string;
  readonly templates: RequestTemplates | undefined;
  /** The static request, for one without templates. */
  readonly path: string;
  readonly headers: readonly string[];
  readonly body: Buffer | undefined;
  readonly timeoutMs: number;
  readonly successRow: number;
  readonly checks: PlannedChecks | undefined;
  readonly captures: readonly PlannedCapture[];
  /** `metric`: where each custom metric's value is, and the metric's index (StepReply.stepMetric). */
  readonly metrics: readonly FlowMetric[];
  /** Scratch for the metrics' values of the response being concluded (read all, then reported: none if one fails). */
  readonly metricValues: Float64Array;
  /** 0: the body is counted, not kept. */
  readonly keepBodyBytes: number;
  readonly beforeRequest: BoundHook | undefined;
  readonly afterResponse: BoundHook | undefined;
}

/** A custom metric a request feeds: the capture that reads it, its index, and whether it is a trend (≥ 0). */
interface FlowMetric {
  readonly index: number;
  readonly capture: PlannedCapture;
  readonly trend: boolean;
}

/** Where a column of the data files is: which feeder, which column. */
interface ColumnRef {
  readonly feeder: number;
  readonly column: number;
}

/** What every session of a target shares. */
interface FlowShared {
  readonly requests: readonly FlowRequest[];
  readonly successTable: Uint8Array;
  readonly exchange: ExchangeTarget;
  readonly cookies: boolean;
  readonly redirects: RedirectSettings;
  readonly feeders: readonly FeederData[];
  readonly cursors: readonly FeederCursor[];
  readonly columns: ReadonlyMap<string, ColumnRef>;
  /** `variables`, then setup's captures over them. */
  readonly baseVariables: ReadonlyMap<string, string>;
  readonly secretVariables: readonly string[];
  readonly secretHeaders: readonly string[];
  /** The plan's secrets in every form they take (secretFormsOfAll), built once. */
  readonly planSecretForms: readonly string[];
  readonly hooks: HookFunctions | undefined;
  /** `seed`: each user's random helpers draw from their own seeded stream; absent: Math.random. */
  readonly seed: number | undefined;
  /** This thread's segment: a session's global user index is local × count + index (segment.ts). */
  readonly segment: Segment;
  /** Per request, the runner of its protocol step, if it is one. */
  readonly protocolRunners: readonly (ProtocolStepRunner | undefined)[];
}

/**
 * HTTP for user journeys: each virtual user (session) has its own variables (captures), its current data
 * row, a cookie jar and its own connections: HTTP/1.1 on loadseed's raw sockets (socket-exchange.ts), or
 * undici with `http.http2` (http-exchange.ts: HTTP/2 by ALPN, which the socket client does not speak). A
 * request is rendered from its templates (compiled at plan time), sent, its redirects followed by policy
 * (credentials never cross origins), its status, checks and captures judged; a failed check or capture is
 * reported with its reason (`stepRejected`), counted under `check`. Requests without any of these features
 * never come here: they take the static socket transport (compiled once, not rendered per request).
 */
export class FlowTarget implements StepTarget {
  readonly #shared: FlowShared;
  readonly #setup: readonly PlannedRequest[];
  readonly #sessions: FlowSession[] = [];

  constructor(requests: readonly PlannedRequest[], flow: PlannedFlow, options: FlowTargetOptions) {
    const exchange = exchangeTargetOf({
      keepAlive: options.keepAlive,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      http2: flow.http2,
    });
    const segment = options.segment ?? WHOLE_PLAN;
    const columns = new Map<string, ColumnRef>();
    flow.feeders.forEach((feeder, feederIndex) =>
      feeder.columns.forEach((name, column) => columns.set(name, { feeder: feederIndex, column })),
    );
    const baseVariables = new Map(Object.entries({ ...flow.variables, ...options.setupVariables }));
    const hooks = options.hooks;
    const metricNames = options.customMetricNames ?? [];
    this.#shared = {
      requests: requests.map((request, index) => flowRequestOf(request, index, hooks, metricNames)),
      successTable: successTableOf(requests),
      exchange,
      cookies: flow.cookies,
      redirects: flow.redirects,
      feeders: flow.feeders,
      cursors: flow.feeders.map((feeder) => new FeederCursor(feeder, { segmentIndex: segment.index, segmentCount: segment.count })),
      columns,
      baseVariables,
      secretVariables: flow.secretVariables,
      secretHeaders: flow.secretHeaders,
      planSecretForms: secretFormsOfAll(options.secrets ?? []),
      hooks,
      seed: flow.seed,
      segment,
      protocolRunners: options.protocolRunners ?? [],
    };
    this.#setup = flow.setup;
  }

  /**
   * Opens each session's connection to each origin of the plan before t=0 (TCP, and TLS where it applies),
   * sending nothing, so the first requests are not cold. Resolves with the number of connections opened.
   */
  async prepare(sessions: readonly StepSession[], signal?: AbortSignal): Promise<number> {
    const origins = [...new Set(this.#shared.requests.map((request) => request.origin))];
    const opened = await Promise.all(
      sessions.flatMap((session) => (session instanceof FlowSession ? origins.map((origin) => session.preconnect(origin, signal)) : [])),
    );
    return opened.filter(Boolean).length;
  }

  createSession(userIndex: number): FlowSession {
    const { seed, segment } = this.#shared;
    // User k of this segment is user segment.index + k × segment.count of the whole plan (segment.ts).
    const globalUserIndex = segment.index + userIndex * segment.count;
    const random = seed === undefined ? undefined : seededRandom(seed, globalUserIndex);
    const session = new FlowSession(this.#shared, globalUserIndex, random);
    this.#sessions.push(session);
    return session;
  }

  /**
   * Runs `setup`'s requests once, in order, with the variables and first data row a user would have; returns
   * what they captured and why any failed (a failed setup request is reported, the run goes on: requests that
   * need its captures then fail, counted). Not measured.
   */
  async runSetup(): Promise<{ variables: Record<string, string>; failures: string[] }> {
    const setupRequests = this.#setup;
    const shared: FlowShared = {
      ...this.#shared,
      requests: setupRequests.map((request, index) => flowRequestOf(request, index, this.#shared.hooks, [])),
      protocolRunners: [],
      successTable: successTableOf(setupRequests),
      cursors: this.#shared.feeders.map((feeder) => new FeederCursor(feeder, { segmentIndex: 0, segmentCount: 1 })),
    };
    const session = new FlowSession(shared, 0, shared.seed === undefined ? undefined : seededRandom(shared.seed, SETUP_STREAM));
    const failures: string[] = [];
    try {
      session.beginIteration();
      for (const [index, request] of setupRequests.entries()) {
        const failure = await session.sendOnce(index, request.timeoutMs);
        if (failure !== undefined) failures.push(`setup request ${request.name}: ${failure}`);
      }
      return { variables: session.capturedVariables(), failures };
    } finally {
      session.close();
    }
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) session.close();
    await Promise.all([this.#shared.exchange.close(), ...this.#shared.protocolRunners.map(async (runner) => runner?.close())]);
  }
}

/** One virtual user: its variables, data row, cookies and connections; one request (or protocol step) at a time. */
export class FlowSession implements StepSession, ProtocolUser {
  readonly #shared: FlowShared;
  readonly #exchange: ExchangeSession;
  /** The phases the exchange measures (socket-exchange.ts, http-exchange.ts); with redirects, the last hop's waiting and download. */
  readonly timings: RequestTimings;
  readonly #jar: UserCookieJar | undefined;
  /** Captured so far by this user. */
  readonly #variables = new Map<string, string>();
  /** The current row of each data file (an index into its rows). */
  readonly #rows: Int32Array;
  #reply: StepReply | undefined = undefined;
  #request: FlowRequest | undefined = undefined;
  #outgoing: OutgoingRequest | undefined = undefined;
  #hops = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  /** Bumped by abort(): an exchange's late callback is ignored. */
  #epoch = 0;
  /** The last value of each secret header this user sent (a captured token in Authorization, say): never shown. */
  readonly #sentSecrets = new Map<string, string>();
  /** What hooks get as `context`: made once per user. */
  readonly #context: HookContext;
  /** This user's seeded random source for the template helpers; undefined: Math.random. */
  readonly #random: (() => number) | undefined;
  readonly userIndex: number;
  /** The protocol step in flight, if any. */
  #protocolRun: ProtocolRun | undefined = undefined;

  constructor(shared: FlowShared, globalUserIndex: number, random?: () => number) {
    this.#shared = shared;
    this.#random = random;
    this.userIndex = globalUserIndex;
    this.#context = {
      user: globalUserIndex,
      vars: {
        get: (name) => this.get(name),
        set: (name, value) => {
          this.#variables.set(String(name), String(value));
        },
      },
    };
    this.#exchange = shared.exchange.createSession();
    this.timings = this.#exchange.timings;
    this.#jar = shared.cookies ? new UserCookieJar() : undefined;
    this.#rows = new Int32Array(shared.feeders.length).fill(-1);
  }

  beginIteration(): boolean {
    const cursors = this.#shared.cursors;
    for (let index = 0; index < cursors.length; index++) {
      const row = (cursors[index] as FeederCursor).next();
      if (row === EXHAUSTED) return false;
      this.#rows[index] = row;
    }
    return true;
  }

  /** A variable's value: this user's captures, then its data row, then setup's captures and `variables`. */
  get(name: string): string | undefined {
    const captured = this.#variables.get(name);
    if (captured !== undefined) return captured;
    const ref = this.#shared.columns.get(name);
    if (ref !== undefined) {
      const row = this.#rows[ref.feeder]!;
      const feeder = this.#shared.feeders[ref.feeder];
      if (row >= 0 && feeder !== undefined) return feederValue(feeder.table, row, ref.column);
    }
    return this.#shared.baseVariables.get(name);
  }

  send(requestIndex: number, reply: StepReply): void {
    const runner = this.#shared.protocolRunners[requestIndex];
    if (runner !== undefined) {
      this.#protocolRun = runner.start(this, reply);
      return;
    }
    // A protocol step before this one has reported: abort() is for this request now.
    this.#protocolRun = undefined;
    const request = this.#shared.requests[requestIndex] as FlowRequest;
    let outgoing: OutgoingRequest;
    try {
      outgoing = this.#render(request);
    } catch (error) {
      reply.stepFailed(error instanceof MissingVariableError ? missingVariable(error) : error, 0, 0);
      return;
    }
    this.#reply = reply;
    this.#request = request;
    this.#hops = 0;
    this.#bytesIn = 0;
    this.#bytesOut = 0;
    if (request.beforeRequest === undefined) this.#dispatch(outgoing);
    else this.#beforeRequest(request.beforeRequest, outgoing);
  }

  /** `{{ fn(…) }}`: the hooks module's function, called now; what it throws is counted under `script`. */
  call(name: string, args: readonly string[]): string {
    let result: unknown;
    try {
      const fn = this.#shared.hooks?.get(name);
      if (fn === undefined) throw new Error('not a function of the hooks module');
      result = fn(...args);
    } catch (error) {
      throw scriptError(`${name}()`, error, (text) => this.#redact(text, undefined));
    }
    if (isThenable(result)) {
      throw scriptError(`${name}()`, 'returned a promise: a function called in a template must return its value', (text) => text);
    }
    return String(result);
  }

  /** Calls `before_request` with the rendered request, then sends what it made of it (once it resolves, if it returned a promise). */
  #beforeRequest(hook: BoundHook, outgoing: OutgoingRequest): void {
    const hookRequest = new HookRequest(outgoing);
    let result: unknown;
    try {
      result = hook.fn(hookRequest, this.#context);
    } catch (error) {
      this.#scriptFailed(hook, error, undefined);
      return;
    }
    if (!isThenable(result)) {
      this.#sendHooked(hook, hookRequest);
      return;
    }
    const epoch = this.#epoch;
    result.then(
      () => {
        if (epoch === this.#epoch) this.#sendHooked(hook, hookRequest);
      },
      (error: unknown) => {
        if (epoch === this.#epoch) this.#scriptFailed(hook, error, undefined);
      },
    );
  }

  #sendHooked(hook: BoundHook, hookRequest: HookRequest): void {
    let outgoing: OutgoingRequest;
    try {
      outgoing = hookRequest.toOutgoing();
    } catch (error) {
      this.#scriptFailed(hook, error, undefined);
      return;
    }
    this.#noteSecretHeaders(outgoing.headers);
    this.#dispatch(outgoing);
  }

  /** A hook threw or rejected: the request fails, counted under `script` with the hook's message (redacted). */
  #scriptFailed(hook: BoundHook, error: unknown, result: ExchangeResult | undefined): void {
    const reply = this.#reply;
    if (reply === undefined) return;
    this.#reply = undefined;
    const failure =
      (error as { code?: unknown } | null)?.code === 'LS_INVALID_HEADER'
        ? (error as Error)
        : scriptError(hook.name, error, (text) => this.#redact(text, result));
    reply.stepFailed(failure, this.#bytesIn, this.#bytesOut);
  }

  abort(): number {
    const run = this.#protocolRun;
    if (run !== undefined) {
      this.#protocolRun = undefined;
      return run.abort();
    }
    if (this.#reply === undefined) return 0;
    this.#reply = undefined;
    this.#epoch += 1;
    return this.#bytesOut + this.#exchange.abort();
  }

  close(): void {
    this.#protocolRun?.abort();
    this.#protocolRun = undefined;
    this.#reply = undefined;
    void this.#exchange.close();
  }

  /** Setup: sends one request and resolves with why it failed, or undefined. */
  sendOnce(requestIndex: number, timeoutMs: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setLongTimeout(() => {
        this.abort();
        resolve(`no response within ${timeoutMs} ms`);
      }, timeoutMs);
      const done = (failure: string | undefined): void => {
        clearLongTimeout(timer);
        resolve(failure);
      };
      this.send(requestIndex, {
        stepEnded: (status, success) => done(success ? undefined : `unexpected status ${status}`),
        stepFailed: (error) => done(error instanceof Error ? error.message : String(error)),
        stepRejected: (_status, reason) => done(reason),
      });
    });
  }

  preconnect(origin: string, signal?: AbortSignal): Promise<boolean> {
    return this.#exchange.preconnect(origin, signal);
  }

  /** ProtocolUser: renders a protocol step's template with this user's variables. */
  render(template: Template): string {
    return renderTemplate(template, this, this.#random);
  }

  /** ProtocolUser: a capture of a protocol step. */
  set(name: string, value: string): void {
    this.#variables.set(name, value);
  }

  /** ProtocolUser: a protocol step's failure reason without this user's secrets. */
  redact(text: string): string {
    return this.#redact(text, undefined);
  }

  capturedVariables(): Record<string, string> {
    return Object.fromEntries(this.#variables);
  }

  /**
   * A failure reason without the secrets of this moment: values of secret variables this user holds, of secret
   * headers it sends and of secret headers in the response (a check on `set-cookie` quotes what it got).
   */
  #redact(reason: string, result: ExchangeResult | undefined): string {
    const shared = this.#shared;
    const secrets: string[] = [];
    for (const name of shared.secretVariables) {
      const value = this.get(name);
      if (value !== undefined && value !== '') secrets.push(value);
    }
    for (const value of this.#sentSecrets.values()) secrets.push(...secretPartsOf(value));
    for (const name of result === undefined ? [] : shared.secretHeaders) {
      const value = result?.headers[name];
      if (typeof value === 'string') secrets.push(...secretPartsOf(value));
      else if (value !== undefined) for (const one of value) secrets.push(...secretPartsOf(one));
    }
    // The plan's secrets were put in all their forms once; only this moment's are added here.
    if (secrets.length === 0) return redactForms(reason, shared.planSecretForms);
    const forms = [...new Set([...shared.planSecretForms, ...secretFormsOfAll(secrets)])].sort((a, b) => b.length - a.length);
    return redactForms(reason, forms);
  }

  #render(request: FlowRequest): OutgoingRequest {
    const templates = request.templates;
    let path = request.path;
    let headers: string[];
    let body = request.body;
    if (templates === undefined) {
      headers = request.headers.slice();
    } else {
      path = renderTemplate(templates.path, this, this.#random);
      headers = [];
      for (const header of templates.headers) {
        const value = renderTemplate(header.value, this, this.#random);
        headers.push(header.name, header.basic === true ? `Basic ${Buffer.from(value, 'utf8').toString('base64')}` : value);
      }
      if (templates.body !== undefined) body = Buffer.from(renderTemplate(templates.body, this, this.#random), 'utf8');
    }
    const cookie = this.#jar?.cookieHeader(`${request.origin}${path}`);
    if (cookie !== undefined) addCookie(headers, cookie);
    // A rendered value may hold anything (a data row, a capture): refused before the client sees it, as the static path does.
    const invalid = invalidHeaderOf(headers);
    if (invalid !== undefined) throw invalid;
    this.#noteSecretHeaders(headers);
    return { method: request.method, origin: request.origin, path, headers, ...(body === undefined ? {} : { body }) };
  }

  /** Remembers the secret headers' values this user sends, to hide them in failure messages. */
  #noteSecretHeaders(headers: readonly string[]): void {
    const secretHeaders = this.#shared.secretHeaders;
    for (let index = 0; index + 1 < headers.length; index += 2) {
      const name = headers[index] as string;
      if (secretHeaders.includes(name)) this.#sentSecrets.set(name, headers[index + 1] as string);
    }
  }

  #dispatch(outgoing: OutgoingRequest): void {
    this.#outgoing = outgoing;
    const request = this.#request as FlowRequest;
    const epoch = this.#epoch;
    this.#exchange.exchange(outgoing, request.keepBodyBytes, request.timeoutMs, (error, result) => {
      if (epoch === this.#epoch) this.#received(error, result);
    });
  }

  #received(error: Error | undefined, result: ExchangeResult | undefined): void {
    const reply = this.#reply;
    const request = this.#request;
    const outgoing = this.#outgoing;
    if (reply === undefined || request === undefined || outgoing === undefined) return;
    if (error !== undefined || result === undefined) {
      this.#reply = undefined;
      reply.stepFailed(error, this.#bytesIn, this.#bytesOut);
      return;
    }
    this.#bytesIn += result.bytesIn;
    this.#bytesOut += result.bytesOut;
    const status = result.status;
    const setCookie = result.headers['set-cookie'];
    if (setCookie !== undefined) this.#jar?.store(`${outgoing.origin}${outgoing.path}`, setCookie);

    const location = result.headers['location'];
    const decision = nextRedirect(
      outgoing,
      status,
      typeof location === 'string' ? location : location?.[0],
      this.#shared.redirects,
      this.#hops,
    );
    if (decision.kind === 'follow') {
      this.#hops += 1;
      this.#follow(decision.request);
      return;
    }
    this.#reply = undefined;
    if (decision.kind === 'refused') {
      reply.stepRejected(status, decision.reason, this.#bytesIn, this.#bytesOut);
      return;
    }
    this.#judge(reply, request, status, result);
  }

  /** Sends a redirect's request. */
  #follow(next: OutgoingRequest): void {
    const jar = this.#jar;
    if (jar === undefined) {
      // No jar: a cookie the scenario set goes on to the same origin (nextRedirect drops it for another).
      this.#dispatch(next);
      return;
    }
    // The jar decides the cookies of the new URL: whatever the previous hop carried is replaced.
    const cleaned: string[] = [];
    for (let index = 0; index + 1 < next.headers.length; index += 2) {
      if (next.headers[index] !== 'cookie') cleaned.push(next.headers[index] as string, next.headers[index + 1] as string);
    }
    const cookie = jar.cookieHeader(`${next.origin}${next.path}`);
    if (cookie !== undefined) cleaned.push('cookie', cookie);
    this.#dispatch({ ...next, headers: cleaned });
  }

  /** The final response of a request: a success by its status, then by its checks; its captures taken. */
  #judge(reply: StepReply, request: FlowRequest, status: number, result: ExchangeResult): void {
    const success = this.#shared.successTable[request.successRow + (status < STATUS_COLUMNS ? status : 0)] === 1;
    if (request.afterResponse === undefined) this.#conclude(reply, request, status, success, result);
    else this.#afterResponse(request.afterResponse, reply, request, status, success, result);
  }

  /**
   * Calls `after_response` with the final response; a string or an Error it returns (or resolves with) fails the
   * request as a check. The user's reply is held meanwhile, so that a timeout (abort) cuts a hook that never resolves.
   */
  #afterResponse(hook: BoundHook, reply: StepReply, request: FlowRequest, status: number, success: boolean, result: ExchangeResult): void {
    this.#reply = reply;
    let value: unknown;
    try {
      value = hook.fn(new HookResponse(result), this.#context);
    } catch (error) {
      this.#scriptFailed(hook, error, result);
      return;
    }
    if (!isThenable(value)) {
      this.#settleAfter(hook, value, reply, request, status, success, result);
      return;
    }
    const epoch = this.#epoch;
    value.then(
      (verdict) => {
        if (epoch === this.#epoch) this.#settleAfter(hook, verdict, reply, request, status, success, result);
      },
      (error: unknown) => {
        if (epoch === this.#epoch) this.#scriptFailed(hook, error, result);
      },
    );
  }

  /** `after_response`'s verdict: a reason fails a response whose status passed, as a check; else on to the checks. */
  #settleAfter(
    hook: BoundHook,
    verdict: unknown,
    reply: StepReply,
    request: FlowRequest,
    status: number,
    success: boolean,
    result: ExchangeResult,
  ): void {
    this.#reply = undefined;
    const reason = verdictOf(verdict);
    if (reason !== undefined && success)
      reply.stepRejected(status, this.#redact(`${hook.name}: ${reason}`, result), this.#bytesIn, this.#bytesOut);
    else this.#conclude(reply, request, status, success, result);
  }

  /** A response's outcome: its status, then its checks and captures. */
  #conclude(reply: StepReply, request: FlowRequest, status: number, success: boolean, result: ExchangeResult): void {
    if (!success || (request.checks === undefined && request.captures.length === 0 && request.metrics.length === 0)) {
      reply.stepEnded(status, success, this.#bytesIn, this.#bytesOut);
      return;
    }
    const view = createResponseView(status, result.headers, result.body);
    if (request.checks !== undefined) {
      const reason = evaluateChecks(request.checks, view, (text) => this.#redact(text, result));
      if (reason !== undefined) {
        reply.stepRejected(status, this.#redact(reason, result), this.#bytesIn, this.#bytesOut);
        return;
      }
    }
    for (const capture of request.captures) {
      const captured = extractCapture(capture, view);
      if (!captured.ok) {
        reply.stepRejected(status, this.#redact(captured.reason, result), this.#bytesIn, this.#bytesOut);
        return;
      }
      this.#variables.set(capture.as, captured.value);
    }
    if (request.metrics.length > 0) {
      const reason = readMetrics(request, view);
      if (reason !== undefined) {
        reply.stepRejected(status, this.#redact(reason, result), this.#bytesIn, this.#bytesOut);
        return;
      }
      for (let index = 0; index < request.metrics.length; index++) {
        reply.stepMetric?.(request.metrics[index]!.index, request.metricValues[index]!);
      }
    }
    reply.stepEnded(status, true, this.#bytesIn, this.#bytesOut);
  }
}

/**
 * The flow's HTTP client: HTTP/1.1 on loadseed's raw sockets, which cost less CPU and memory per user; undici
 * when `http.http2` asks for HTTP/2 (offered by ALPN on https: origins).
 */
function exchangeTargetOf(options: ExchangeOptions): ExchangeTarget {
  return options.http2 ? new HttpExchangeTarget(options) : new SocketExchangeTarget(options);
}

function flowRequestOf(
  request: PlannedRequest,
  index: number,
  hooks: HookFunctions | undefined,
  metricNames: readonly string[],
): FlowRequest {
  const checks = compileChecks(request.checks);
  const captures = (request.captures ?? []).map(compileCapture);
  const metrics = (request.metrics ?? []).map((metric): FlowMetric => {
    const metricIndex = metricNames.indexOf(metric.name);
    if (metricIndex === -1) throw new Error(`metric ${metric.name} is not one of the plan's custom metrics`);
    return { index: metricIndex, capture: compileCapture(metric.capture), trend: metric.kind === 'trend' };
  });
  const afterResponse = bindHook(hooks, request.afterResponse);
  return {
    method: request.method,
    origin: request.origin,
    templates: request.templates,
    path: request.path,
    headers: request.headers,
    body: request.body,
    timeoutMs: request.timeoutMs,
    successRow: index * STATUS_COLUMNS,
    checks,
    captures,
    metrics,
    metricValues: new Float64Array(metrics.length),
    keepBodyBytes:
      needsBody(checks, [...captures, ...metrics.map((metric) => metric.capture)]) || afterResponse !== undefined ? MAX_KEPT_BODY_BYTES : 0,
    beforeRequest: bindHook(hooks, request.beforeRequest),
    afterResponse,
  };
}

/**
 * Reads each custom metric of the request from the response into `request.metricValues`; the reason the first
 * one that cannot be read fails (no value, not a number, a trend below 0), or undefined when every one was read.
 */
function readMetrics(request: FlowRequest, view: ResponseView): string | undefined {
  for (let index = 0; index < request.metrics.length; index++) {
    const metric = request.metrics[index]!;
    const captured = extractCapture(metric.capture, view);
    if (!captured.ok) return `metric${captured.reason.slice('capture'.length)}`;
    const value = captured.value.trim() === '' ? Number.NaN : Number(captured.value);
    if (!Number.isFinite(value)) return `metric ${metric.capture.as}: ${JSON.stringify(captured.value.slice(0, 40))} is not a number`;
    if (metric.trend && value < 0) return `metric ${metric.capture.as}: ${value} is below 0 (a trend records values from 0 up)`;
    request.metricValues[index] = value;
  }
  return undefined;
}

/** Adds the jar's cookies to a request's own `cookie` header, if it has one. */
function addCookie(headers: string[], cookie: string): void {
  for (let index = 0; index + 1 < headers.length; index += 2) {
    if (headers[index] === 'cookie') {
      headers[index + 1] = `${headers[index + 1] as string}; ${cookie}`;
      return;
    }
  }
  headers.push('cookie', cookie);
}

/**
 * A secret header's value and the credentials inside it: `Bearer abc` → also `abc`; `a=1; sid=xyz` → also
 * `sid=xyz` and `xyz`. Short fragments (attributes such as `Path=/`) are left alone.
 */
function secretPartsOf(value: string): string[] {
  const parts = [value];
  for (const piece of value.split(/;\s*|\s+/)) {
    if (piece.length >= 4 && piece !== value) parts.push(piece);
    const equals = piece.indexOf('=');
    if (equals > 0 && piece.length - equals - 1 >= 4) parts.push(piece.slice(equals + 1));
  }
  return parts;
}

function missingVariable(error: MissingVariableError): Error {
  return requestError('LS_MISSING_VARIABLE', error.message);
}
