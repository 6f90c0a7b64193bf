import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { RunProgress } from '../../../src/engine/run-result.js';
import { FAULT_TRANSPORTS, faultPlan, startFlappingServer } from '../../helpers/fault-servers.js';

/**
 * A target that goes down in the middle of a run and comes back, on both transports: the requests during the
 * outage fail (refused, or reset if one was in flight), every other one succeeds, and the run goes on to its
 * planned end, picking the target up again.
 */

const DURATION_MS = 900;
const DOWN_AT_MS = 300;
const UP_AT_MS = 600;
const USERS = 2;
const THINK_MS = 10;

describe.each(FAULT_TRANSPORTS)('%s transport', (transport) => {
  it('counts the outage as refused/reset, succeeds before and after it, and runs to its planned end', async () => {
    const server = await startFlappingServer();
    let answeredBeforeDown = -1;
    let answeredWhileDown = -1;
    // Down and up on the run's own clock (its t=0 comes after plan, imports and pre-connection).
    const onProgress = ({ phase, elapsedMs }: RunProgress): void => {
      if (phase !== 'measured') return;
      if (answeredBeforeDown === -1 && elapsedMs >= DOWN_AT_MS) {
        answeredBeforeDown = server.requests();
        void server.down();
      } else if (answeredBeforeDown !== -1 && answeredWhileDown === -1 && elapsedMs >= UP_AT_MS) {
        answeredWhileDown = server.requests();
        void server.up();
      }
    };
    try {
      const plan = faultPlan(transport, {
        target: server.url,
        requests: [{ path: '/', think_time: `${THINK_MS}ms`, timeout: '500ms' }],
        load: { profile: 'constant', users: USERS, duration: `${DURATION_MS}ms` },
      });
      const result = await runPlan(plan, { onProgress, progressIntervalMs: 5 });
      const total = result.recorder.snapshot().total;

      expect(result.interrupted).toBe(false);
      // The load stopped at its planned end, on the run's own clock; then the requests in flight ended, each
      // within its 500 ms deadline (late by at most the sweeper's 50 ms and the run's own event-loop delay).
      expect(result.elapsedMs - result.drainMs).toBeCloseTo(DURATION_MS, 3);
      expect(result.drainMs).toBeLessThan(500 + 50 + result.generator.eventLoopDelayMaxMs + 40);
      expect(total.interrupted).toBe(0);

      // Every success is a response the server gave, in either of its lives, and nothing else succeeded.
      expect(total.successes).toBe(server.requests());
      expect(answeredBeforeDown).toBeGreaterThan(10);
      expect(answeredWhileDown).toBe(answeredBeforeDown);
      expect(server.requests() - answeredWhileDown).toBeGreaterThan(10);

      // The failures are the outage's, and only refused or reset.
      const { connection_refused: refused, connection_reset: reset } = total.errorCounts;
      expect(refused).toBeGreaterThan(0);
      expect(total.failures).toBe(refused + reset);
      expect(total.requests).toBe(total.successes + total.failures);
      expect(total.statusCounts).toEqual({ 200: total.successes });
      // At most one attempt per user per pause over the outage (≈300 ms / 10 ms), with room for late timers.
      expect(total.failures).toBeLessThanOrEqual(USERS * ((UP_AT_MS - DOWN_AT_MS) / THINK_MS + 15));
      for (const sample of total.failureSamples) {
        expect(['connection_refused', 'connection_reset']).toContain(sample.kind);
        expect(sample.message).toMatch(/ECONNREFUSED|ECONNRESET|other side closed|closed/);
      }
      expect(total.failureSamples.reduce((sum, sample) => sum + sample.count, 0)).toBe(total.failures);
    } finally {
      await server.close();
    }
  });
});
