import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import { FAULT_TRANSPORTS, faultPlan, startFaultServer } from '../../helpers/fault-servers.js';
import type { FaultServer } from '../../helpers/fault-servers.js';
import { budget } from '../engine/servers.js';

/**
 * A 50 MB response body, on both transports: counted whole (bytes in), a success, and never buffered — the
 * process's memory does not grow by anywhere near a body per request. In a file of its own: its own process
 * (vitest forks per file), so nothing else moves the RSS it samples.
 */

const BODY_BYTES = 50 * 1024 * 1024;
const REQUESTS = 3;
/** Over REQUESTS bodies (150 MB) the resident set may grow by less than one body: undici's read buffers wait for GC. */
const MAX_RSS_GROWTH_BYTES = 40 * 1024 * 1024;
const NO_ERRORS = Object.fromEntries(ERROR_CATEGORIES.map((name) => [name, 0]));

let server: FaultServer;

beforeAll(async () => {
  server = await startFaultServer({ kind: 'big-body', bodyBytes: BODY_BYTES });
});

afterAll(async () => {
  await server.close();
});

describe.each(FAULT_TRANSPORTS)('%s transport', (transport) => {
  it(`reads ${REQUESTS} bodies of 50 MB: counted, successes, not buffered`, async () => {
    // A budget of requests ends the run (≈0.2–0.8 s on an idle machine); the time bounds are only a backstop,
    // generous so that a busy machine never cuts the budget short.
    const load = (iterations: number) => ({ ...budget(1, iterations), max_duration: '30s', grace_period: '5s' });
    const plan = (iterations: number) =>
      faultPlan(transport, { target: server.url, requests: [{ path: '/big', timeout: '25s' }], load: load(iterations) });
    // One request first: the transport's code (undici and its parser for a flow) is loaded before the baseline.
    await runPlan(plan(1));

    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);
    const result = await runPlan(plan(REQUESTS));
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    const total = result.recorder.snapshot().total;
    expect(result.interrupted).toBe(false);
    expect(total).toMatchObject({
      requests: REQUESTS,
      successes: REQUESTS,
      failures: 0,
      statusCounts: { 200: REQUESTS },
      errorCounts: NO_ERRORS,
    });
    expect(total.bytesIn).toBeGreaterThanOrEqual(REQUESTS * BODY_BYTES);
    expect(total.bytesIn).toBeLessThan(REQUESTS * (BODY_BYTES + 1024)); // the body plus a head, no more
    expect(total.failureSamples).toEqual([]);
    expect(peakRss - baselineRss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  });
});
