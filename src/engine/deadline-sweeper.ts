import { now } from '../time/clock.js';
import type { VirtualUser } from './virtual-user.js';

/** Sweeps at most every 50 ms, and at least 10 times per shortest deadline. */
const MAX_PERIOD_MS = 50;
const MIN_PERIOD_MS = 2;

/**
 * Enforces every request's deadline with one timer for all users, instead of one per request (undici's own
 * timers fire up to a second late). Each sweep scans the users (O(users), allocation-free) and expires those
 * whose request has been in flight for its timeout or more: counted once as `timeout`, then aborted.
 * Precise to one period: min(shortest timeout / 10, 50 ms). The timer runs only while a request is in flight:
 * a sweep that finds none stops it and the next request started (`requestStarted`) re-arms it, so an idle or
 * slow open-model run is not woken 20 times a second for nothing.
 */
export class DeadlineSweeper {
  readonly periodMs: number;
  readonly #users: readonly VirtualUser[];
  #timer: NodeJS.Timeout | undefined = undefined;
  #enabled = false;
  readonly #onTick = (): void => this.#tick();

  /** `users` is read live: users added to the array later are swept too. */
  constructor(users: readonly VirtualUser[], shortestTimeoutMs: number) {
    this.#users = users;
    this.periodMs = Math.max(MIN_PERIOD_MS, Math.min(MAX_PERIOD_MS, shortestTimeoutMs / 10));
  }

  /** Sweeps from now on while requests are in flight. */
  start(): void {
    this.#enabled = true;
    this.#arm();
  }

  stop(): void {
    this.#enabled = false;
    this.#disarm();
  }

  /** Whether the timer runs (a request was in flight at the last sweep or started since). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** A request went out: make sure its deadline is watched (one comparison when the timer already runs). */
  requestStarted(): void {
    if (this.#timer === undefined && this.#enabled) this.#arm();
  }

  /** Expires the requests past their deadline at `at`; whether any request is (still) in flight. */
  sweep(at: number): boolean {
    const users = this.#users;
    let inFlight = false;
    for (let index = 0; index < users.length; index++) {
      const user = users[index] as VirtualUser;
      // Against the deadline itself (sentAt + timeout, as `expire` computes it): `at - sentAt` can round below it.
      if (user.inFlight && at >= user.sentAt + user.timeoutMs) user.expire(at);
      if (user.inFlight) inFlight = true;
    }
    return inFlight;
  }

  #tick(): void {
    if (!this.sweep(now())) this.#disarm();
  }

  #arm(): void {
    if (this.#timer === undefined) this.#timer = setInterval(this.#onTick, this.periodMs);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
