import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../../src/outputs/delivery-queue.js';

/** A receiver the test answers by hand: each push waits until the test settles it. */
function manualReceiver(): {
  send: (batch: number, signal: AbortSignal) => Promise<void>;
  pending: { batch: number; settle: (ok: boolean) => void }[];
  seen: number[];
} {
  const pending: { batch: number; settle: (ok: boolean) => void }[] = [];
  const seen: number[] = [];
  return {
    pending,
    seen,
    send: (batch, signal) =>
      new Promise<void>((resolve, reject) => {
        seen.push(batch);
        signal.addEventListener('abort', () => reject(new Error('aborted')));
        pending.push({ batch, settle: (ok) => (ok ? resolve() : reject(new Error('HTTP 500'))) });
      }),
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('DeliveryQueue', () => {
  it('sends one batch at a time, in order, and counts them', async () => {
    const receiver = manualReceiver();
    const queue = new DeliveryQueue({ send: receiver.send, maxBatches: 10, timeoutMs: 60_000, onFirstDrop: () => {} });
    queue.push(1);
    queue.push(2);
    expect(receiver.seen).toEqual([1]);
    receiver.pending.shift()?.settle(true);
    await until(() => receiver.seen.length === 2);
    receiver.pending.shift()?.settle(true);
    await queue.close(60_000);
    expect([queue.sent, queue.dropped]).toEqual([2, 0]);
  });

  it('drops the oldest waiting batch when full, and a failed one; says so once', async () => {
    const receiver = manualReceiver();
    const reasons: string[] = [];
    const queue = new DeliveryQueue({
      send: receiver.send,
      maxBatches: 2,
      timeoutMs: 60_000,
      onFirstDrop: (reason) => reasons.push(reason),
    });
    for (const batch of [1, 2, 3, 4]) queue.push(batch); // 1 in flight; 2 dropped when 4 came
    expect(queue.dropped).toBe(1);
    receiver.pending.shift()?.settle(false); // 1 failed
    await until(() => receiver.seen.length === 2);
    expect(receiver.seen).toEqual([1, 3]);
    receiver.pending.shift()?.settle(true);
    await until(() => receiver.seen.length === 3);
    receiver.pending.shift()?.settle(true);
    await queue.close(60_000);
    expect([queue.sent, queue.dropped]).toEqual([2, 2]);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/more than 2 batches waiting/);
  });

  it('a push without an answer times out and is dropped; close gives up after its grace', async () => {
    const receiver = manualReceiver();
    const queue = new DeliveryQueue({ send: receiver.send, maxBatches: 5, timeoutMs: 20, onFirstDrop: () => {} });
    queue.push(1);
    await until(() => queue.dropped === 1);
    expect(queue.firstError).toBe('no answer within 20 ms');
    queue.push(2);
    queue.push(3);
    await queue.close(0);
    expect(queue.sent).toBe(0);
    expect(queue.dropped).toBe(3);
  });
});
