import { now } from '../time/clock.js';
import type { VirtualUser } from './virtual-user.js';

/** Sweeps at most every 50 ms, and at least 10 times per shortest deadline. */
const MAX_PERIOD_MS = 50;
const MIN_PERIOD_MS = 2;

/**
 * Enforces every request's deadline with one timer for all users, instead of one per request (undici's own
 * timers fire up to a second late). Each sweep scans the users (O(users), allocation-free) and expires those
 * whose request has been in flight for its timeout or more: counted once as `timeout`, then aborted.
 * Precise to one period: min(shortest timeout / 10, 50 ms).
 */
export class DeadlineSweeper {
  readonly periodMs: number;
  readonly #users: readonly VirtualUser[];
  #timer: NodeJS.Timeout | undefined = undefined;

  /** `users` is read live: users added to the array later are swept too. */
  constructor(users: readonly VirtualUser[], shortestTimeoutMs: number) {
    this.#users = users;
    this.periodMs = Math.max(MIN_PERIOD_MS, Math.min(MAX_PERIOD_MS, shortestTimeoutMs / 10));
  }

  start(): void {
    if (this.#timer === undefined) this.#timer = setInterval(() => this.sweep(now()), this.periodMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  sweep(at: number): void {
    const users = this.#users;
    for (let index = 0; index < users.length; index++) {
      const user = users[index] as VirtualUser;
      // Against the deadline itself (sentAt + timeout, as `expire` computes it): `at - sentAt` can round below it.
      if (user.inFlight && at >= user.sentAt + user.timeoutMs) user.expire(at);
    }
  }
}
