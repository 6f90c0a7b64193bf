import type { Recorder } from '../metrics/recorder.js';
import { now } from '../time/clock.js';
import { DeadlineSweeper } from './deadline-sweeper.js';
import type { UserPool } from './user-pool.js';
import type { UserHost, VirtualUser } from './virtual-user.js';
import type { Workload } from './workload.js';
import { clearLongTimeout, setLongTimeout } from '../time/long-timeout.js';
import type { LongTimeout } from '../time/long-timeout.js';

/** What runs a stretch of load and can be watched while it does: one phase, or several side by side (PhaseGroup). */
export interface RunnablePhase {
  readonly originAt: number;
  readonly activeUsers: number;
  readonly inFlight: number;
  readonly stopping: boolean;
  readonly recorder: Recorder;
  run(signal?: AbortSignal, originAt?: number): Promise<PhaseOutcome>;
}

export interface PhaseOutcome {
  /** t=0 of the phase (engine clock, ms). */
  readonly originAt: number;
  /** When the phase stopped starting work: its planned end, its budget spent, the abort signal, or the data used up. */
  readonly stoppedAt: number;
  /** When the last request settled or was interrupted (from `stoppedAt` on, requests in flight drained). */
  readonly endedAt: number;
  /** Stopped by the abort signal rather than by reaching its end. */
  readonly interrupted: boolean;
  /** Ended early because a data file was used up (`unique`, `when_exhausted: stop`). */
  readonly dataExhausted: boolean;
}

/**
 * One stretch of load (warm-up, or the measured profile) with its own recorder. Owns the phase's timers: the
 * end of the profile, the grace period and the deadline sweeper. Ending — at the planned end, when an
 * iterations budget is spent, or on the abort signal — is always the same: start nothing new; requests in
 * flight get the grace period; then whatever is still in flight is aborted and counted as interrupted.
 * Executors (closed, open) decide when iterations start.
 */
export abstract class Phase implements UserHost, RunnablePhase {
  abstract readonly openModel: boolean;
  readonly recorder: Recorder;
  stopping = false;
  originAt = 0;
  protected readonly pool: UserPool;
  protected readonly workload: Workload;
  readonly #durationMs: number;
  readonly #sweeper: DeadlineSweeper;
  #inFlight = 0;
  #activeUsers = 0;
  #finished = false;
  #stoppedAt = 0;
  #interrupted = false;
  #dataExhausted = false;
  #endTimer: LongTimeout | undefined = undefined;
  #graceTimer: LongTimeout | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;
  #resolve: ((outcome: PhaseOutcome) => void) | undefined = undefined;
  readonly #onAbort = (): void => this.stop(true);

  constructor(pool: UserPool, workload: Workload, recorder: Recorder, durationMs: number) {
    this.pool = pool;
    this.workload = workload;
    this.recorder = recorder;
    this.#durationMs = durationMs;
    this.#sweeper = new DeadlineSweeper(pool.users, Math.min(...workload.timeoutsMs));
  }

  get activeUsers(): number {
    return this.#activeUsers;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs the phase from `originAt` (default: now; a moment to come, to line several threads up on one t=0).
   * `seriesOriginAt`: the recorder's t=0 when it is not the phase's (a scenario of several that starts later).
   */
  run(signal?: AbortSignal, originAt?: number, seriesOriginAt?: number): Promise<PhaseOutcome> {
    return new Promise<PhaseOutcome>((resolve) => {
      this.#resolve = resolve;
      this.originAt = originAt ?? now();
      // A scenario of several leaves the series to its group (phase-group.ts): it starts later, maybe much later.
      if (seriesOriginAt === undefined) {
        this.recorder.start(this.originAt);
        this.recorder.setActiveUsers(0, this.originAt, this.workload.part);
      }
      if (signal?.aborted === true) {
        this.#interrupted = true;
        this.stopping = true;
        this.#stoppedAt = this.originAt;
        this.#finish();
        return;
      }
      this.#signal = signal;
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.#sweeper.start();
      this.#armEnd();
      this.begin(this.originAt);
    });
  }

  /**
   * Start nothing new; let requests in flight finish within the grace period. Idempotent. `at`: when the load
   * stopped (default now; the planned end when the end timer fired late).
   */
  stop(interrupted: boolean, at = now()): void {
    if (interrupted && !this.#finished) this.#interrupted = true;
    if (this.stopping) return;
    this.stopping = true;
    this.#stoppedAt = at;
    clearLongTimeout(this.#endTimer);
    this.#endTimer = undefined;
    this.haltSchedule();
    for (const user of this.pool.users) if (user.host === this) user.halt();
    if (this.#inFlight === 0) this.#finish();
    else if (!this.#finished) this.#graceTimer = setLongTimeout(() => this.#finish(), this.workload.gracePeriodMs);
  }

  dataExhausted(): void {
    if (this.stopping) return;
    this.#dataExhausted = true;
    this.stop(false);
  }

  requestStarted(): void {
    this.#inFlight += 1;
    this.#sweeper.requestStarted();
  }

  requestSettled(): void {
    this.#inFlight -= 1;
    if (this.stopping && this.#inFlight === 0) this.#finish();
  }

  abstract claimIteration(user: VirtualUser): boolean;
  abstract userStopped(user: VirtualUser): void;
  /** Start the schedule at `originAt`. */
  protected abstract begin(originAt: number): void;
  /** Stop the schedule: no more users, no more arrivals. */
  protected abstract haltSchedule(): void;

  protected changeActiveUsers(delta: number, at: number): void {
    this.#activeUsers += delta;
    this.recorder.setActiveUsers(this.#activeUsers, at, this.workload.part);
  }

  /** The planned end, checked against the clock (a timer may fire a little early). */
  #armEnd(): void {
    const endAt = this.originAt + this.#durationMs;
    const waitMs = endAt - now();
    if (waitMs <= 0) {
      this.#endTimer = undefined;
      this.stop(false, endAt);
    } else {
      this.#endTimer = setLongTimeout(() => this.#armEnd(), waitMs);
    }
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearLongTimeout(this.#endTimer);
    clearLongTimeout(this.#graceTimer);
    this.#sweeper.stop();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    for (const user of this.pool.users) if (user.host === this) user.interrupt();
    const endedAt = now();
    this.recorder.finish(endedAt);
    // Finishing always follows a stop (the end, a budget spent, a signal, the data used up).
    const stoppedAt = Math.min(this.#stoppedAt, endedAt);
    this.#resolve?.({ originAt: this.originAt, stoppedAt, endedAt, interrupted: this.#interrupted, dataExhausted: this.#dataExhausted });
  }
}
