import { describe, expect, it } from 'vitest';
import { shouldWarmTransport, warmTransport } from '../../../src/engine/warm-transport.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';

describe('warming the transport before t=0', () => {
  it('is for runs of 2 s or more that have no warm-up of their own', () => {
    const constant = (durationMs: number) => ({ kind: 'constant-users', users: 10, durationMs }) as const;
    expect(shouldWarmTransport({ profile: constant(1_999) })).toBe(false);
    expect(shouldWarmTransport({ profile: constant(2_000) })).toBe(true);
    expect(shouldWarmTransport({ profile: constant(60_000), warmup: { durationMs: 1_000 } })).toBe(false);
    expect(shouldWarmTransport({ profile: { kind: 'constant-arrival-rate', ratePerSec: 100, durationMs: 5_000, maxUsers: 10 } })).toBe(
      true,
    );
  });

  it("runs thousands of requests against loadseed's own loopback sink, quickly, and leaves nothing open", async () => {
    const servers = (): number =>
      (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((handle) => handle.startsWith('TCP'))
        .length;
    const before = servers();
    const startedAt = performance.now();
    const { lateMs } = await withLoopDelay(() => warmTransport());
    // Quickly: later only by what the machine held this process's loop up meanwhile.
    expect(performance.now() - startedAt).toBeLessThan(2_000 + lateMs);
    // Destroyed sockets close on a later turn: wait for that (a leak never gets there: the test times out).
    while (servers() !== before) await new Promise((resolve) => setImmediate(resolve));
    expect(servers()).toBe(before);
  });
});
