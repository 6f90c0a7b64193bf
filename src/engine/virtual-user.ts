import { ErrorCategoryId } from '../metrics/error-category.js';
import type { Recorder } from '../metrics/recorder.js';
import { clearRequestTimings, finishRequestTimings } from '../metrics/request-timings.js';
import type { RequestTimings } from '../metrics/request-timings.js';
import type { PlannedThinkTime } from '../plan/build-plan.js';
import { evaluateCondition } from '../scenario/expression.js';
import type { TemplateScope } from '../scenario/template.js';
import { redactForms } from '../scenario/secrets.js';
import { classifyError } from '../transport/classify-error.js';
import { now, toMicros } from '../time/clock.js';
import type { StepReply, StepSession } from '../transport/step-target.js';
import type { Instruction } from './step-program.js';
import type { Workload } from './workload.js';
import { clearLongTimeout, setLongTimeout } from '../time/long-timeout.js';
import type { LongTimeout } from '../time/long-timeout.js';

/** What a virtual user needs from the phase (executor) it runs in. */
export interface UserHost {
  readonly recorder: Recorder;
  /** Open model: an iteration is started by an arrival and the user is released after it. */
  readonly openModel: boolean;
  /** The phase is ending: start nothing new. */
  readonly stopping: boolean;
  /** May this user start another iteration? (closed model: iterations budget, ramp-down). */
  claimIteration(user: VirtualUser): boolean;
  /** The user stopped running (end of its open-model iteration, retired, budget spent, phase over). */
  userStopped(user: VirtualUser): void;
  /** A data file ran out (`when_exhausted: stop`): the phase ends as planned, not interrupted. */
  dataExhausted(): void;
  requestStarted(): void;
  requestSettled(): void;
}

const NO_STEPS: readonly Instruction[] = [];
/** Variables for a session that has none (not a flow's): every condition reads them unset. */
const NO_VARIABLES: TemplateScope = { get: () => undefined };
/** Control instructions (skipped requests, loop bookkeeping) walked in one go before yielding to the event loop. */
const MAX_CONTROL_STEPS_PER_TURN = 10_000;
/** What #nextAction found: the program's end, or enough walking for one turn. */
const END = 0;
const YIELD = 1;
/** What a deferred continuation does. */
const Continue = { AfterRequest: 0, EndIteration: 1, RunStep: 2 } as const;
type Continue = (typeof Continue)[keyof typeof Continue];

/**
 * A virtual user: runs iterations step by step against its own session, records each outcome straight into
 * the recorder, pauses between requests. One object per user for the whole run, reused for every request;
 * callbacks are methods or bound once, so the request path allocates nothing.
 *
 * Timing: `dueAt` is when the request should have started (open model: its scheduled arrival; closed model:
 * when the user became ready, i.e. the end of the previous response or of the planned pause); `sentAt` is
 * taken just before the request is handed to the session.
 */
export class VirtualUser implements StepReply {
  readonly index: number;
  readonly session: StepSession;
  host: UserHost | undefined = undefined;
  /** Part of the load (iterating, pausing or waiting on a request). */
  running = false;
  /** Ramp-down: stop after the request in flight. */
  retiring = false;
  inFlight = false;
  requestIndex = -1;
  dueAt = 0;
  sentAt = 0;
  timeoutMs = 0;
  iterations = 0;
  readonly #workload: Workload;
  /** The session's timing phases of the request in flight (undefined: its transport measures none). */
  readonly #timings: RequestTimings | undefined;
  /** The session hands out a data row per iteration (a flow's): decided once, not per iteration. */
  readonly #takesRows: boolean;
  #steps: readonly Instruction[] = NO_STEPS;
  /** Passes made so far by each loop of the program (its slot). */
  readonly #passes: Int32Array;
  /** Where conditions read this user's variables. */
  readonly #scope: TemplateScope;
  /** Index of the last request step of `#steps`: an open-model iteration ends there. */
  #lastRequestStep = -1;
  /** The `before` steps ran (they lead this user's first iteration). */
  #started = false;
  #stepIndex = 0;
  /** An iteration is under way: started, not yet counted. */
  #iterating = false;
  /** The step index of the last request that got an outcome in this iteration (-1: none yet). */
  #settledStep = -1;
  /** Bumped whenever the user stops, so a timer or deferred continuation from before is ignored. */
  #epoch = 0;
  #sending = false;
  #continueAt = 0;
  #continueEpoch = 0;
  /** What the deferred continuation does: carry on after a request, end an iteration that sent nothing, or walk on. */
  #continueMode: Continue = Continue.AfterRequest;
  #wakeAt = 0;
  #thinkTimer: LongTimeout | undefined = undefined;
  readonly #onWake: () => void;
  readonly #onDeferred: () => void;

  constructor(index: number, session: StepSession, workload: Workload) {
    this.index = index;
    this.session = session;
    this.#workload = workload;
    this.#timings = session.timings;
    this.#takesRows = session.beginIteration !== undefined;
    this.#passes = new Int32Array(workload.iteration.loopSlots);
    this.#scope = session.get === undefined ? NO_VARIABLES : (session as StepSession & TemplateScope);
    this.#onWake = () => {
      this.#thinkTimer = undefined;
      // Due when the pause ends; a timer may fire a little early (Node rounds to whole ms), and then the request
      // goes out, and is due, now: a due time in the future would shorten (or zero) its response time.
      if (this.running) this.#runStep(Math.min(this.#wakeAt, now()));
    };
    this.#onDeferred = () => {
      if (!this.running || this.#continueEpoch !== this.#epoch) return;
      if (this.#continueMode === Continue.EndIteration) this.#iterationDone(this.#continueAt);
      else if (this.#continueMode === Continue.RunStep) this.#runStep(this.#continueAt);
      else this.#continueAfter(this.#continueAt);
    };
  }

  /** Starts running iterations (closed model) or one iteration (open model), the first due at `dueAt`. */
  begin(host: UserHost, dueAt: number): void {
    this.host = host;
    this.running = true;
    this.retiring = false;
    this.#nextIteration(dueAt);
  }

  /** Ramp-down: stop now if between requests, else after the request in flight. */
  retire(): void {
    if (!this.running) return;
    if (this.inFlight) this.retiring = true;
    else this.#stop();
  }

  /** The phase is stopping: stop now unless a request is in flight (that one may finish in the grace period). */
  halt(): void {
    if (this.running && !this.inFlight) this.#stop();
  }

  /** The request in flight passed its deadline (called by the sweeper): counted once as a timeout, aborted. */
  expire(at: number): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    const host = this.host as UserHost;
    const bytesOut = this.session.abort();
    this.#recordTimings(host, at, false);
    const deadlineAt = this.sentAt + this.timeoutMs;
    host.recorder.recordError(
      this.requestIndex,
      ErrorCategoryId.timeout,
      toMicros(deadlineAt - this.dueAt),
      toMicros(this.timeoutMs),
      0,
      bytesOut,
      at,
    );
    host.recorder.noteFailure(this.requestIndex, ErrorCategoryId.timeout, `no response within ${this.timeoutMs} ms`);
    this.#settledStep = this.#stepIndex;
    host.requestSettled();
    this.#afterRequest(at);
  }

  /** End of the grace period: the request in flight is aborted and counted as interrupted; the user stops. */
  interrupt(): void {
    if (this.inFlight) {
      this.inFlight = false;
      this.session.abort();
      const host = this.host as UserHost;
      host.recorder.recordInterrupted(this.requestIndex);
      host.requestSettled();
    }
    this.#stop();
  }

  stepEnded(status: number, success: boolean, bytesIn: number, bytesOut: number): void {
    if (!this.inFlight) return;
    const endedAt = now();
    this.inFlight = false;
    const host = this.host as UserHost;
    const requestIndex = this.requestIndex;
    const responseUs = toMicros(endedAt - this.dueAt);
    const maxLatencyUs = this.#workload.maxLatencyUs[requestIndex]!;
    if (success && maxLatencyUs > 0 && responseUs > maxLatencyUs) {
      this.#rejected(
        status,
        `check max_latency: ${formatMs(responseUs)} > ${formatMs(maxLatencyUs)}`,
        responseUs,
        endedAt,
        bytesIn,
        bytesOut,
      );
      return;
    }
    host.recorder.recordResponse(requestIndex, status, success, responseUs, toMicros(endedAt - this.sentAt), bytesIn, bytesOut, endedAt);
    this.#recordTimings(host, endedAt, true);
    this.#settledStep = this.#stepIndex;
    host.requestSettled();
    this.#afterRequest(endedAt);
  }

  stepMetric(metricIndex: number, value: number): void {
    if (this.inFlight) (this.host as UserHost).recorder.recordMetric(metricIndex, value);
  }

  stepRejected(status: number, reason: string, bytesIn: number, bytesOut: number): void {
    if (!this.inFlight) return;
    const endedAt = now();
    this.inFlight = false;
    this.#rejected(status, reason, toMicros(endedAt - this.dueAt), endedAt, bytesIn, bytesOut);
  }

  /** A response that failed a check: counted under `check`, with its reason as an example. */
  #rejected(status: number, reason: string, responseUs: number, endedAt: number, bytesIn: number, bytesOut: number): void {
    const host = this.host as UserHost;
    host.recorder.recordRejected(this.requestIndex, status, responseUs, toMicros(endedAt - this.sentAt), bytesIn, bytesOut, endedAt);
    this.#recordTimings(host, endedAt, true);
    host.recorder.noteFailure(this.requestIndex, ErrorCategoryId.check, this.#redacted(reason));
    this.#settledStep = this.#stepIndex;
    host.requestSettled();
    this.#afterRequest(endedAt);
  }

  stepFailed(error: unknown, bytesIn: number, bytesOut: number): void {
    if (!this.inFlight) return;
    const endedAt = now();
    this.inFlight = false;
    const host = this.host as UserHost;
    const category = classifyError(error);
    host.recorder.recordError(
      this.requestIndex,
      category,
      toMicros(endedAt - this.dueAt),
      toMicros(endedAt - this.sentAt),
      bytesIn,
      bytesOut,
      endedAt,
    );
    this.#recordTimings(host, endedAt, false);
    host.recorder.noteFailure(this.requestIndex, category, this.#redacted(messageOf(error)));
    this.#settledStep = this.#stepIndex;
    host.requestSettled();
    // Errors continue on the next turn: undici reports a connection error to every queued request in one
    // loop and must not see a new dispatch on that client in the middle of it. (A cold path.)
    this.#defer(endedAt, Continue.AfterRequest);
  }

  /**
   * The request's timing phases, if its session measures any: the waiting and the download finished from this
   * user's own send and end times (the transport leaves the first byte's moment), then recorded. `complete`: a
   * response ended (else there is no download).
   */
  #recordTimings(host: UserHost, endedAt: number, complete: boolean): void {
    const timings = this.#timings;
    if (timings === undefined) return;
    finishRequestTimings(timings, this.sentAt, endedAt, complete);
    host.recorder.recordTimings(this.requestIndex, timings);
  }

  /** A failure message without the plan's secrets, before the samples clip it (a cold path). */
  #redacted(message: string): string {
    const forms = this.#workload.secretForms;
    return forms === undefined ? message : redactForms(message, forms);
  }

  #nextIteration(dueAt: number): void {
    const host = this.host as UserHost;
    if (!host.claimIteration(this)) {
      this.#stop();
      return;
    }
    if (this.#takesRows && this.session.beginIteration?.() === false) {
      host.dataExhausted();
      this.#stop();
      return;
    }
    const iteration = this.#workload.iteration;
    const choice = iteration.pick();
    if (this.#started) {
      this.#steps = iteration.choices[choice] ?? NO_STEPS;
      this.#lastRequestStep = iteration.lastRequestStep[choice] ?? -1;
    } else {
      this.#started = true;
      this.#steps = iteration.firstChoices[choice] ?? NO_STEPS;
      this.#lastRequestStep = iteration.firstLastRequestStep[choice] ?? -1;
    }
    this.#stepIndex = 0;
    this.#settledStep = -1;
    this.#iterating = true;
    this.iterations += 1;
    if (this.#lastRequestStep === -1) {
      // Nothing to send (a flow of pauses only): finish on the next turn, never in a synchronous loop.
      this.#defer(dueAt, Continue.EndIteration);
      return;
    }
    this.#runStep(dueAt);
  }

  #runStep(dueAt: number): void {
    const host = this.host as UserHost;
    if (host.stopping || this.retiring) {
      this.#stop();
      return;
    }
    const step = this.#nextAction();
    if (step === YIELD) {
      this.#defer(dueAt, Continue.RunStep);
      return;
    }
    if (step === END || (step.op !== 'request' && host.openModel && this.#stepIndex > this.#lastRequestStep)) {
      // An iteration that sent nothing (every request skipped) ends on the next turn, never in a synchronous loop.
      if (this.#settledStep === -1) this.#defer(dueAt, Continue.EndIteration);
      else this.#iterationDone(dueAt);
      return;
    }
    if (step.op !== 'request') {
      this.#think(step.thinkTime as PlannedThinkTime, dueAt);
      return;
    }
    const requestIndex = step.requestIndex;
    this.requestIndex = requestIndex;
    this.timeoutMs = this.#workload.timeoutsMs[requestIndex] ?? Infinity;
    this.dueAt = dueAt;
    this.inFlight = true;
    host.requestStarted();
    this.#sending = true;
    if (this.#timings !== undefined) clearRequestTimings(this.#timings);
    this.sentAt = now();
    this.session.send(requestIndex, this);
    this.#sending = false;
  }

  /**
   * Walks the program from the current step to the next thing to do: a request to send (its index stays
   * current), a pause (a think step, or a loop's pause between passes; the index moves past it), the end of
   * the program, or YIELD after many control steps in one turn.
   */
  #nextAction(): Extract<Instruction, { op: 'request' | 'think' | 'pass' }> | typeof END | typeof YIELD {
    const steps = this.#steps;
    for (let walked = 0; walked < MAX_CONTROL_STEPS_PER_TURN; walked++) {
      const step = steps[this.#stepIndex];
      if (step === undefined) return END;
      switch (step.op) {
        case 'request':
          if (step.condition === undefined || evaluateCondition(step.condition, this.#scope)) return step;
          this.#stepIndex += 1;
          break;
        case 'think':
          this.#stepIndex += 1;
          return step;
        case 'enter':
          this.#passes[step.slot] = 0;
          this.#stepIndex =
            step.condition === undefined || evaluateCondition(step.condition, this.#scope) ? this.#stepIndex + 1 : step.exit;
          break;
        case 'pass': {
          const passes = this.#passes[step.slot]!;
          if (passes >= step.maxPasses || (step.while !== undefined && !evaluateCondition(step.while, this.#scope))) {
            this.#stepIndex = step.exit;
            break;
          }
          this.#passes[step.slot] = passes + 1;
          this.#stepIndex += 1;
          if (passes > 0 && step.thinkTime !== undefined) return step;
          break;
        }
        case 'repeat':
          this.#stepIndex = step.pass;
          break;
      }
    }
    return YIELD;
  }

  #afterRequest(at: number): void {
    // An outcome reported from inside send() (a synchronous failure) continues on the next turn of the event
    // loop: a target that always fails at once must not recurse, nor starve timers and I/O.
    if (this.#sending) this.#defer(at, Continue.AfterRequest);
    else this.#continueAfter(at);
  }

  #defer(at: number, mode: Continue): void {
    this.#continueAt = at;
    this.#continueMode = mode;
    this.#continueEpoch = this.#epoch;
    setImmediate(this.#onDeferred);
  }

  #continueAfter(at: number): void {
    const host = this.host as UserHost;
    const requestIndex = this.requestIndex;
    this.#stepIndex += 1;
    if (host.stopping || this.retiring || !this.running) {
      this.#stop();
      return;
    }
    if (host.openModel && this.#stepIndex > this.#lastRequestStep) {
      // Open model: the iteration ends with its last response; a trailing pause would only hold a slot.
      this.#iterationDone(at);
      return;
    }
    const thinkTime = this.#workload.thinkAfter[requestIndex];
    if (thinkTime !== undefined) this.#think(thinkTime, at);
    else this.#runStep(at);
  }

  #think(thinkTime: PlannedThinkTime, from: number): void {
    const pauseMs = thinkTime.minMs + Math.random() * (thinkTime.maxMs - thinkTime.minMs);
    // The user is ready again at from + pause: that is when the next request is due, however late the timer.
    this.#wakeAt = from + pauseMs;
    const delayMs = this.#wakeAt - now();
    this.#thinkTimer = setLongTimeout(this.#onWake, delayMs > 0 ? delayMs : 0);
  }

  #iterationDone(at: number): void {
    const host = this.host as UserHost;
    this.#iterating = false;
    host.recorder.recordIteration();
    if (host.openModel) this.#stop();
    else this.#nextIteration(at);
  }

  #stop(): void {
    if (this.#thinkTimer !== undefined) {
      clearLongTimeout(this.#thinkTimer);
      this.#thinkTimer = undefined;
    }
    if (!this.running) return;
    // Stopped (planned end, ramp-down, a signal) after its last request got an outcome: the iteration completed,
    // whatever pause or continuation it had left. One cut before that (interrupted, never sent) did not.
    // With loops, the last request step may be a loop's end: past it (a trailing pause), nothing was left to send.
    const allSent = this.#settledStep >= this.#lastRequestStep || (this.#settledStep !== -1 && this.#stepIndex > this.#lastRequestStep);
    if (this.#iterating && allSent) this.host?.recorder.recordIteration();
    this.#iterating = false;
    this.running = false;
    this.retiring = false;
    this.#epoch += 1;
    this.host?.userStopped(this);
  }
}

/** Microseconds as a short millisecond figure for a message: `512 ms`, `1.25 ms`. */
function formatMs(us: number): string {
  const ms = us / 1000;
  return `${ms >= 100 ? Math.round(ms) : Number(ms.toPrecision(3))} ms`;
}

/** An error's message for the reports: its code too when the message does not say it. A cold path. */
function messageOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, code } = error as { message?: unknown; code?: unknown };
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a thrown object without a message: its own toString(), if any
  const text = typeof message === 'string' && message !== '' ? message : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
