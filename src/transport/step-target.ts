import type { RequestTimings } from '../metrics/request-timings.js';

/**
 * What the executors drive: anything that can perform one request step of an iteration. HTTP (raw sockets, or
 * undici) is one implementation, an async function another. Executors decide when; targets decide how.
 */
export interface StepTarget {
  /** One session per virtual user, created once and reused for every step (a user's connections live here). */
  createSession(userIndex: number): StepSession;
  /**
   * Optional: get the sessions ready before t=0 (open connections), so the first requests are not cold. When
   * `signal` aborts (SIGINT/SIGTERM), connects still pending are given up and their sockets destroyed at once:
   * a target slow to accept must not hold an interrupted run for the length of a connect timeout.
   */
  prepare?(sessions: readonly StepSession[], signal?: AbortSignal): Promise<number>;
  /** Releases everything (connections). Called once, after every session is idle or aborted. */
  close(): Promise<void>;
}

export interface StepSession {
  /**
   * Starts request `requestIndex` and reports its outcome to `reply` exactly once (possibly synchronously),
   * unless `abort()` is called first: then never.
   */
  send(requestIndex: number, reply: StepReply): void;
  /** Gives up the step in flight, if any: its outcome is never reported. Returns the bytes it sent (0 if none). */
  abort(): number;
  /**
   * Optional: an iteration begins (a flow's session takes the next data row here). false: no data is left for
   * it (a `unique` data file used up, `when_exhausted: stop`), and the run ends.
   */
  beginIteration?(): boolean;
  /** Optional: the value of one of this user's variables (a flow's session), which flow control's conditions read. */
  get?(name: string): string | undefined;
  /**
   * Optional: where the session's transport writes the phases of the request in flight (DNS, connect, TLS,
   * waiting, download; metrics/request-timings.ts). The caller clears it before each `send` and reads it
   * when the outcome is reported (or when it gives the request up). Absent: the transport measures none.
   */
  readonly timings?: RequestTimings;
}

/** Where a session reports an outcome; numbers only, so the HTTP path allocates nothing. */
export interface StepReply {
  /** A response: `success` is whether its status is one the step expects. */
  stepEnded(status: number, success: boolean, bytesIn: number, bytesOut: number): void;
  /** No response: refused, reset, malformed… (`error` is classified by the caller). */
  stepFailed(error: unknown, bytesIn: number, bytesOut: number): void;
  /** A response with an expected status that failed a check or a capture: `reason` says which (a cold path). */
  stepRejected(status: number, reason: string, bytesIn: number, bytesOut: number): void;
  /**
   * Optional: a custom metric's value read from the response (`metric:`), reported before `stepEnded`;
   * `metricIndex` is into the plan's custom metrics.
   */
  stepMetric?(metricIndex: number, value: number): void;
}
