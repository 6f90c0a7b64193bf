import { describe, expect, it, vi } from 'vitest';
import { DeadlineSweeper } from '../../../src/engine/deadline-sweeper.js';
import type { VirtualUser } from '../../../src/engine/virtual-user.js';
import { now } from '../../../src/time/clock.js';

/** The fields the sweeper reads, and `expire` counting its calls: a user whose request is in flight or not. */
function userOf(inFlight: boolean, sentAt = now(), timeoutMs = 1_000): VirtualUser & { expired: number } {
  const user = {
    inFlight,
    sentAt,
    timeoutMs,
    expired: 0,
    expire(): void {
      user.expired += 1;
      user.inFlight = false;
    },
  };
  return user as unknown as VirtualUser & { expired: number };
}

/** Resolves once `condition` holds (vitest's own polling, bounded: fails after 5 s). */
const until = (condition: () => boolean): Promise<boolean> => vi.waitUntil(condition, { timeout: 5_000, interval: 2 });

describe('DeadlineSweeper', () => {
  it('expires a request at its deadline, never before it', () => {
    const sentAt = now();
    const late = userOf(true, sentAt, 100);
    const sweeper = new DeadlineSweeper([late, userOf(false)], 100);
    expect(sweeper.sweep(sentAt + 99.9)).toBe(true);
    expect(late.expired).toBe(0);
    expect(sweeper.sweep(sentAt + 100)).toBe(false);
    expect(late.expired).toBe(1);
  });

  it('sleeps while nothing is in flight and wakes with the next request', async () => {
    const users = [userOf(true, now(), 20)];
    const sweeper = new DeadlineSweeper(users, 20);
    expect(sweeper.periodMs).toBe(2);
    sweeper.start();
    // The request expires, the next sweep finds nothing in flight and stops the timer.
    await until(() => users[0]!.expired === 1 && !sweeper.armed);
    // A new request re-arms it, and its deadline is enforced.
    users.push(userOf(true, now(), 20));
    sweeper.requestStarted();
    expect(sweeper.armed).toBe(true);
    await until(() => users[1]!.expired === 1 && !sweeper.armed);
    sweeper.stop();
    sweeper.requestStarted();
    expect(sweeper.armed).toBe(false);
  });
});
