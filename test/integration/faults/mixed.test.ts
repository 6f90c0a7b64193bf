import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { ErrorCategory } from '../../../src/metrics/error-category.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import type { RequestSpec } from '../../../src/scenario/types.js';
import { expectOnlyFailures, FAULT_TRANSPORTS, faultPlan, startFaultServer, startTlsFaultServer } from '../../helpers/fault-servers.js';
import type { FaultServer } from '../../helpers/fault-servers.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';
import { budget, closedPort } from '../engine/servers.js';

/**
 * Many faults in one run, on both transports: each request of the iteration meets a different fault. Every
 * request ends exactly once, in exactly one bucket: total = successes + Σ error categories + status failures.
 */

const ITERATIONS = 6;
const NO_ERRORS = Object.fromEntries(ERROR_CATEGORIES.map((name) => [name, 0]));

/** What each request of the iteration must end as: a success, a status failure, or an error category (with its message). */
type Outcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'error'; readonly category: ErrorCategory; readonly message: RegExp };

interface Case {
  readonly request: RequestSpec & { readonly name: string };
  readonly outcome: Outcome;
}

const servers: FaultServer[] = [];
let cases: Case[] = [];

beforeAll(async () => {
  const fixtures = tlsFixtures();
  const start = async (server: Promise<FaultServer>): Promise<string> => {
    const started = await server;
    servers.push(started);
    return started.url;
  };
  const refusedPort = await closedPort();
  const error = (category: ErrorCategory, message: RegExp): Outcome => ({ kind: 'error', category, message });
  cases = [
    { request: { name: 'ok', url: `${await start(startFaultServer({ kind: 'ok' }))}/` }, outcome: { kind: 'success' } },
    { request: { name: 'refused', url: `http://127.0.0.1:${refusedPort}/` }, outcome: error('connection_refused', /ECONNREFUSED/) },
    {
      request: { name: 'reset on accept', url: `${await start(startFaultServer({ kind: 'reset-on-accept' }))}/` },
      outcome: error('connection_reset', /ECONNRESET/),
    },
    {
      request: {
        name: 'reset mid-body',
        url: `${await start(startFaultServer({ kind: 'reset-mid-body', bodyBytes: 1000, sentBytes: 100, resetAfterMs: 10 }))}/`,
      },
      // The server's resetAndDestroy() sends a RST, but about once in 1,000 the client reads a clean end of
      // stream instead (measured on main's socket client too): a close mid-body, the same category.
      outcome: error('connection_reset', /ECONNRESET|other side closed/),
    },
    {
      request: { name: 'silent', url: `${await start(startFaultServer({ kind: 'silent' }))}/`, timeout: '100ms' },
      outcome: error('timeout', /^no response within 100 ms$/),
    },
    {
      request: {
        name: 'trickle',
        url: `${await start(startFaultServer({ kind: 'trickle', bodyBytes: 100, intervalMs: 20 }))}/`,
        timeout: '100ms',
      },
      outcome: error('timeout', /^no response within 100 ms$/),
    },
    {
      request: { name: '503', url: `${await start(startFaultServer({ kind: 'status', status: 503 }))}/` },
      outcome: { kind: 'status', status: 503 },
    },
    {
      request: {
        name: 'bad status line',
        url: `${await start(startFaultServer({ kind: 'raw', response: 'HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\nok' }))}/`,
      },
      outcome: error('protocol', /status/i),
    },
    {
      request: {
        name: 'bad header',
        url: `${await start(startFaultServer({ kind: 'raw', response: 'HTTP/1.1 200 OK\r\nno colon\r\ncontent-length: 2\r\n\r\nok' }))}/`,
      },
      outcome: error('protocol', /header/i),
    },
    { request: { name: 'dns', url: 'http://loadseed-mixed.invalid/' }, outcome: error('dns', /loadseed-mixed\.invalid/) },
    {
      request: {
        name: 'untrusted certificate',
        url: `${await start(startTlsFaultServer({ cert: fixtures.certPem, key: fixtures.keyPem }))}/`,
      },
      outcome: error('tls', /unable to verify/),
    },
    {
      request: {
        name: 'https to plain http',
        url: `${(await start(startFaultServer({ kind: 'plain-http' }))).replace('http:', 'https:')}/`,
      },
      outcome: error('tls', /wrong version number|WRONG_VERSION_NUMBER/),
    },
    {
      request: {
        name: 'closes after each response',
        url: `${await start(startFaultServer({ kind: 'close-after-response', announce: false }))}/`,
      },
      outcome: { kind: 'success' },
    },
  ];
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe.each(FAULT_TRANSPORTS)('%s transport', (transport) => {
  it('counts every fault of a mixed run in its own bucket; total = successes + Σ categories + status failures', async () => {
    const plan = faultPlan(transport, { requests: cases.map((each) => each.request), load: budget(2, ITERATIONS) });
    const { value: result, lateMs } = await withLoopDelay(() => runPlan(plan));
    const snapshot = result.recorder.snapshot();
    expect(result.interrupted).toBe(false);
    expect(snapshot.iterations).toBe(ITERATIONS);
    // No fault held a user past its deadline: the run took its few 100 ms deadlines, plus what this process
    // was held up by (TLS handshakes on a busy machine).
    expect(result.elapsedMs).toBeLessThan(1500 + lateMs);

    for (const [index, { request, outcome }] of cases.entries()) {
      const stats = snapshot.requests[index];
      expect(stats?.name).toBe(request.name);
      if (stats === undefined) continue;
      expect(stats.requests, request.name).toBe(ITERATIONS);
      switch (outcome.kind) {
        case 'success':
          expect(stats, request.name).toMatchObject({
            successes: ITERATIONS,
            failures: 0,
            statusCounts: { 200: ITERATIONS },
            errorCounts: NO_ERRORS,
          });
          break;
        case 'status':
          expect(stats, request.name).toMatchObject({
            successes: 0,
            failures: ITERATIONS,
            statusCounts: { [outcome.status]: ITERATIONS },
            errorCounts: NO_ERRORS,
          });
          break;
        case 'error':
          expectOnlyFailures(stats, outcome.category, ITERATIONS, outcome.message);
          break;
      }
    }

    const total = snapshot.total;
    const categorized = ERROR_CATEGORIES.reduce((sum, category) => sum + total.errorCounts[category], 0);
    const statusFailures = total.failures - categorized;
    expect(total.requests).toBe(cases.length * ITERATIONS);
    expect(total.successes).toBe(2 * ITERATIONS);
    expect(statusFailures).toBe(total.statusCounts[503]);
    expect(total.requests).toBe(total.successes + categorized + statusFailures);
    expect(total.errorCounts).toEqual({
      ...NO_ERRORS,
      connection_refused: ITERATIONS,
      connection_reset: 2 * ITERATIONS,
      timeout: 2 * ITERATIONS,
      dns: ITERATIONS,
      tls: 2 * ITERATIONS,
      protocol: 2 * ITERATIONS,
    });
    expect(total.interrupted).toBe(0);
  });
});
