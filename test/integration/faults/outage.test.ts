import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { RunProgress } from '../../../src/engine/run-result.js';
import { FAULT_TRANSPORTS, faultPlan, startFlappingServer } from '../../helpers/fault-servers.js';

/**
 * A target that goes down in the middle of a run and comes back, on both transports: the requests during the
 * outage fail (refused, or reset if one was in flight), every other one succeeds, and the run goes on to its
 * planned end (a budget of iterations), picking the target up again.
 */

/** A budget of iterations ends the run; the outage is placed by counts, whatever the machine's speed. */
const ITERATIONS = 300;
/** Taken down once it has answered this many requests… */
const ANSWERED_BEFORE_DOWN = 20;
/** …and brought back once this many requests failed meanwhile. */
const FAILED_WHILE_DOWN = 10;
const USERS = 2;
const THINK_MS = 10;

describe.each(FAULT_TRANSPORTS)('%s transport', (transport) => {
  it('counts the outage as refused/reset, succeeds before and after it, and runs to its planned end', async () => {
    const server = await startFlappingServer();
    let answeredBeforeDown = -1;
    let answeredWhileDown = -1;
    let downAt = 0;
    let upAt = 0;
    let up: Promise<void> | undefined;
    const onProgress = ({ phase, recorder }: RunProgress): void => {
      if (phase !== 'measured') return;
      if (answeredBeforeDown === -1 && server.requests() >= ANSWERED_BEFORE_DOWN) {
        answeredBeforeDown = server.requests();
        downAt = performance.now();
        void server.down();
      } else if (answeredBeforeDown !== -1 && answeredWhileDown === -1 && recorder.counters().total.failures >= FAILED_WHILE_DOWN) {
        answeredWhileDown = server.requests();
        up = server.up().then(() => {
          upAt = performance.now();
        });
      }
    };
    try {
      const plan = faultPlan(transport, {
        target: server.url,
        requests: [{ path: '/', think_time: `${THINK_MS}ms`, timeout: '10s' }],
        load: { profile: 'constant', users: USERS, iterations: ITERATIONS, max_duration: '30s' },
      });
      const result = await runPlan(plan, { onProgress, progressIntervalMs: 5 });
      await up;
      const snapshot = result.recorder.snapshot();
      const total = snapshot.total;

      // The run went to its planned end: its whole budget, nothing interrupted.
      expect(result.interrupted).toBe(false);
      expect(snapshot.iterations).toBe(ITERATIONS);
      expect(total.requests).toBe(ITERATIONS);
      expect(total.interrupted).toBe(0);

      // Every success is a response the server gave, in either of its lives, and nothing else succeeded.
      expect(total.successes).toBe(server.requests());
      expect(answeredBeforeDown).toBeGreaterThanOrEqual(ANSWERED_BEFORE_DOWN);
      expect(answeredWhileDown).toBe(answeredBeforeDown);
      expect(server.requests() - answeredWhileDown).toBeGreaterThan(10);

      // The failures are the outage's, and only refused or reset.
      const { connection_refused: refused, connection_reset: reset } = total.errorCounts;
      expect(refused).toBeGreaterThan(0);
      expect(total.failures).toBeGreaterThanOrEqual(FAILED_WHILE_DOWN);
      expect(total.failures).toBe(refused + reset);
      expect(total.requests).toBe(total.successes + total.failures);
      expect(total.statusCounts).toEqual({ 200: total.successes });
      // At most one attempt per user per pause over the outage as it lasted (from down to back up), plus the
      // one each user had in flight as it began: a busy machine makes fewer attempts, never more.
      expect(upAt).toBeGreaterThan(downAt);
      expect(total.failures).toBeLessThanOrEqual(USERS * ((upAt - downAt) / THINK_MS + 2));
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
