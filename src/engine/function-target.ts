import type { StepReply, StepSession, StepTarget } from '../transport/step-target.js';

/** What a target function is told about the call. */
export interface TargetFunctionContext {
  /** Aborted when loadseed gives the call up (deadline passed, run over): pass it on to your I/O. */
  readonly signal: AbortSignal;
  readonly userIndex: number;
  /** Index of the step's request in the workload (0 for a single function). */
  readonly requestIndex: number;
}

/**
 * What a target function may report. Resolving counts as a success unless `status` says otherwise
 * (a status outside the expected ones, by default any non-2xx/3xx, is a failure). Throwing or rejecting
 * is an error, categorised like any other (a `code` such as ECONNREFUSED is honoured).
 */
export interface TargetOutcome {
  readonly status?: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
}

export type TargetFunction = (context: TargetFunctionContext) => Promise<TargetOutcome | void> | TargetOutcome | void;

/**
 * Any async function as the target of the executors (the programmatic API uses it). Not allocation-free:
 * a promise per call is the function's own cost; loadseed adds one small context object and two callbacks.
 */
export class FunctionTarget implements StepTarget {
  readonly #fn: TargetFunction;
  readonly #isSuccess: (status: number) => boolean;

  constructor(fn: TargetFunction, expectedStatuses?: readonly number[]) {
    this.#fn = fn;
    const expected = expectedStatuses === undefined ? undefined : new Set(expectedStatuses);
    this.#isSuccess = expected === undefined ? (status) => status >= 200 && status < 400 : (status) => expected.has(status);
  }

  createSession(userIndex: number): StepSession {
    return new FunctionSession(this.#fn, this.#isSuccess, userIndex);
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}

class FunctionSession implements StepSession {
  readonly #fn: TargetFunction;
  readonly #isSuccess: (status: number) => boolean;
  readonly #userIndex: number;
  #controller = new AbortController();
  /** Identifies the call in flight; a call that was aborted (or superseded) reports nothing. */
  #call = 0;
  #reply: StepReply | undefined = undefined;

  constructor(fn: TargetFunction, isSuccess: (status: number) => boolean, userIndex: number) {
    this.#fn = fn;
    this.#isSuccess = isSuccess;
    this.#userIndex = userIndex;
  }

  send(requestIndex: number, reply: StepReply): void {
    const call = ++this.#call;
    this.#reply = reply;
    let result: Promise<TargetOutcome | void> | TargetOutcome | void;
    try {
      result = this.#fn({ signal: this.#controller.signal, userIndex: this.#userIndex, requestIndex });
    } catch (error) {
      this.#failed(call, error);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (outcome) => this.#ended(call, outcome),
        (error: unknown) => this.#failed(call, error),
      );
    } else {
      this.#ended(call, result);
    }
  }

  abort(): number {
    if (this.#reply === undefined) return 0;
    this.#reply = undefined;
    this.#call += 1;
    this.#controller.abort(new DOMException('aborted by loadseed', 'AbortError'));
    this.#controller = new AbortController();
    return 0;
  }

  #ended(call: number, outcome: TargetOutcome | void): void {
    const reply = this.#take(call);
    if (reply === undefined) return;
    const status = outcome?.status;
    reply.stepEnded(status ?? 0, status === undefined ? true : this.#isSuccess(status), outcome?.bytesIn ?? 0, outcome?.bytesOut ?? 0);
  }

  #failed(call: number, error: unknown): void {
    const reply = this.#take(call);
    if (reply !== undefined) reply.stepFailed(error, 0, 0);
  }

  #take(call: number): StepReply | undefined {
    if (call !== this.#call) return undefined;
    const reply = this.#reply;
    this.#reply = undefined;
    return reply;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<TargetOutcome | void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
