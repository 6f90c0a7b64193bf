import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { DEFAULT_TIMEOUT_MS } from '../../../src/plan/build-plan.js';
import type { RunResult } from '../../../src/engine/run-result.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import type { RequestStats } from '../../../src/metrics/recorder-snapshot.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import {
  expectOnlyFailures,
  expectReadableSamples,
  FAULT_TRANSPORTS,
  faultPlan,
  startFaultServer,
  startTlsFaultServer,
} from '../../helpers/fault-servers.js';
import type { Fault, FaultScenario, FaultServer, FaultTransport } from '../../helpers/fault-servers.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';
import type { TlsFixtures } from '../../helpers/tls-fixtures.js';
import { budget, closedPort } from '../engine/servers.js';

/**
 * Fault injection, one fault at a time, on both transports: the static path (raw sockets) and the same
 * requests made dynamic (a flow with a `{{ $uuid }}` header: undici). Each fault lands in its own category
 * with exact counts and a readable example message; every run resolves (nothing thrown, nothing crashed) and
 * runs its whole budget of iterations.
 */

const NO_ERRORS = Object.fromEntries(ERROR_CATEGORIES.map((name) => [name, 0]));

/** Runs the plan and checks that it went to its planned end: every iteration of the budget ran, none interrupted. */
async function runToEnd(plan: Plan, iterations: number): Promise<{ result: RunResult; total: RequestStats }> {
  const result = await runPlan(plan);
  const snapshot = result.recorder.snapshot();
  expect(result.interrupted).toBe(false);
  expect(snapshot.iterations).toBe(iterations);
  expect(snapshot.total.interrupted).toBe(0);
  return { result, total: snapshot.total };
}

async function withServer<T>(server: Promise<FaultServer>, body: (server: FaultServer) => Promise<T>): Promise<T> {
  const started = await server;
  try {
    return await body(started);
  } finally {
    await started.close();
  }
}

const fault = (spec: Fault): Promise<FaultServer> => startFaultServer(spec);

describe.each(FAULT_TRANSPORTS)('%s transport', (transport: FaultTransport) => {
  const plan = (scenario: FaultScenario): Plan => faultPlan(transport, scenario);

  it('connection refused (nothing listening): connection_refused, nothing sent', async () => {
    const port = await closedPort();
    const { total } = await runToEnd(plan({ target: `http://127.0.0.1:${port}`, requests: [{ path: '/' }], load: budget(2, 10) }), 10);
    expect(total.requests).toBe(10);
    expectOnlyFailures(total, 'connection_refused', 10, /ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(total.bytesOut).toBe(0);
    expect(total.bytesIn).toBe(0);
  });

  it('reset right after accept: connection_reset, one new connection per request', async () => {
    await withServer(fault({ kind: 'reset-on-accept' }), async (server) => {
      const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 10) }), 10);
      expect(total.requests).toBe(10);
      expectOnlyFailures(total, 'connection_reset', 10, /ECONNRESET/);
      expect(server.requests()).toBe(0);
      // One per request, plus the users' pre-opened ones (static path), reset before any request went out.
      expect(server.connections()).toBeGreaterThanOrEqual(10);
      expect(server.connections()).toBeLessThanOrEqual(10 + 2);
    });
  });

  it('reset in the middle of the body: connection_reset, never a success', async () => {
    await withServer(fault({ kind: 'reset-mid-body', bodyBytes: 1000, sentBytes: 100, resetAfterMs: 20 }), async (server) => {
      const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 10) }), 10);
      expect(total.requests).toBe(10);
      expect(total.successes).toBe(0);
      expectOnlyFailures(total, 'connection_reset', 10, /ECONNRESET/);
      // The server saw each request once: nothing was retried after part of a response had arrived.
      expect(server.requests()).toBe(10);
      expect(server.connections()).toBe(10);
    });
  });

  it('a server that accepts and never answers: timeout, at ≈ the deadline', async () => {
    await withServer(fault({ kind: 'silent' }), async (server) => {
      const { value, lateMs } = await withLoopDelay(() =>
        runToEnd(plan({ target: server.url, requests: [{ path: '/', timeout: '200ms' }], load: budget(2, 4) }), 4),
      );
      const { result, total } = value;
      expect(total.requests).toBe(4);
      expectOnlyFailures(total, 'timeout', 4, /^no response within 200 ms$/);
      expect(server.requests()).toBe(4);
      // At the deadline, never before it, late by no more than the sweeper's period (20 ms at 200 ms) and
      // what the run's own event loop was late by.
      expect(total.responseTime.minUs / 1000).toBeGreaterThanOrEqual(199);
      expect(total.responseTime.maxUs / 1000).toBeLessThan(200 + 20 + result.generator.eventLoopDelayMaxMs + 40);
      // Two rounds of two users at ≈200 ms each: no more than that, plus what this process was held up by.
      expect(result.elapsedMs).toBeGreaterThanOrEqual(390);
      expect(result.elapsedMs).toBeLessThan(800 + lateMs);
    });
  });

  it('headers at once, then a body trickled past the deadline: timeout', async () => {
    // 100 bytes at one per 20 ms: 2 s of body for a 200 ms deadline.
    await withServer(fault({ kind: 'trickle', bodyBytes: 100, intervalMs: 20 }), async (server) => {
      const { value, lateMs } = await withLoopDelay(() =>
        runToEnd(plan({ target: server.url, requests: [{ path: '/', timeout: '200ms' }], load: budget(2, 4) }), 4),
      );
      const { result, total } = value;
      expect(total.requests).toBe(4);
      expectOnlyFailures(total, 'timeout', 4, /^no response within 200 ms$/);
      expect(server.requests()).toBe(4);
      // Cut at the deadline, not when the 2 s of body would have ended.
      expect(total.responseTime.maxUs / 1000).toBeLessThan(200 + 20 + result.generator.eventLoopDelayMaxMs + 40);
      expect(result.elapsedMs).toBeLessThan(800 + lateMs);
    });
  });

  it('a body trickled within the deadline is a success (the deadline is the whole response, not a gap between bytes)', async () => {
    await withServer(fault({ kind: 'trickle', bodyBytes: 5, intervalMs: 20 }), async (server) => {
      const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/', timeout: '400ms' }], load: budget(1, 2) }), 2);
      expect(total).toMatchObject({ requests: 2, successes: 2, failures: 0, statusCounts: { 200: 2 }, errorCounts: NO_ERRORS });
      expect(total.responseTime.minUs / 1000).toBeGreaterThanOrEqual(90);
    });
  });

  it('5xx responses: counted by status as failures, in no error category', async () => {
    await withServer(fault({ kind: 'status', status: 500 }), (broken) =>
      withServer(fault({ kind: 'status', status: 503 }), async (unavailable) => {
        const { result, total } = await runToEnd(
          plan({
            target: broken.url,
            requests: [
              { name: 'broken', path: '/' },
              { name: 'unavailable', url: `${unavailable.url}/` },
              { name: 'expected', url: `${unavailable.url}/`, expect: { status: [503] } },
            ],
            load: budget(2, 10),
          }),
          10,
        );
        const [brokenStats, unavailableStats, expectedStats] = result.recorder.snapshot().requests;
        expect(brokenStats).toMatchObject({ requests: 10, successes: 0, failures: 10, statusCounts: { 500: 10 }, errorCounts: NO_ERRORS });
        expect(unavailableStats).toMatchObject({
          requests: 10,
          successes: 0,
          failures: 10,
          statusCounts: { 503: 10 },
          errorCounts: NO_ERRORS,
        });
        expect(expectedStats).toMatchObject({
          requests: 10,
          successes: 10,
          failures: 0,
          statusCounts: { 503: 10 },
          errorCounts: NO_ERRORS,
        });
        expect(total).toMatchObject({
          requests: 30,
          successes: 10,
          failures: 20,
          statusCounts: { 500: 10, 503: 20 },
          errorCounts: NO_ERRORS,
        });
        // A status failure is explained by its status count; no message is sampled for it (see the report).
        expect(total.failureSamples).toEqual([]);
        // Responses were read whole: keep-alive held, one connection per user.
        expect(broken.connections() + unavailable.connections()).toBeLessThanOrEqual(4);
      }),
    );
  });

  describe('malformed status line: protocol', () => {
    it.each([
      ['a letter in the status code', 'HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\nok'],
      ['no status code', 'HTTP/1.1 OK\r\ncontent-length: 2\r\n\r\nok'],
      ['a two-digit status code', 'HTTP/1.1 20 OK\r\ncontent-length: 2\r\n\r\nok'],
      ['not HTTP at all', 'ICY 200 OK\r\ncontent-length: 2\r\n\r\nok'],
      ['binary garbage', '\x00\x01\x02\xff\xfe garbage\r\n\r\n'],
    ])('%s', async (_name, response) => {
      await withServer(fault({ kind: 'raw', response }), async (server) => {
        const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 6) }), 6);
        expect(total.requests).toBe(6);
        expectOnlyFailures(total, 'protocol', 6, /malformed|status|protocol|Expected HTTP/i);
        expect(server.requests()).toBe(6);
      });
    });
  });

  describe('malformed headers: protocol', () => {
    it.each([
      ['a line without a colon', 'HTTP/1.1 200 OK\r\nno-colon-here\r\ncontent-length: 2\r\n\r\nok'],
      ['spaces in a header name', 'HTTP/1.1 200 OK\r\nthis is not a header: x\r\ncontent-length: 2\r\n\r\nok'],
      ['a space before the colon', 'HTTP/1.1 200 OK\r\nx-a : b\r\ncontent-length: 2\r\n\r\nok'],
      ['a bare CR in a value', 'HTTP/1.1 200 OK\r\nx-a: b\rc\r\ncontent-length: 2\r\n\r\nok'],
      ['a content-length that is not a number', 'HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\nok'],
      ['a negative content-length', 'HTTP/1.1 200 OK\r\ncontent-length: -2\r\n\r\nok'],
      ['two different content-lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok'],
      ['content-length and chunked both', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
      ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n'],
      ['headers over 64 KiB', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70 * 1024)}\r\ncontent-length: 2\r\n\r\nok`],
      ['an upgrade (101) nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'],
    ])('%s', async (_name, response) => {
      await withServer(fault({ kind: 'raw', response }), async (server) => {
        const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 6) }), 6);
        expect(total.requests).toBe(6);
        expectOnlyFailures(total, 'protocol', 6, /malformed|invalid|content-length|chunk|protocol|match|too large|overflow|101|upgrade/i);
      });
    });

    // Replies HTTP lets a client take or refuse (bare LF, obs-fold, 1xx, bodies after 204/304…): odd-replies.test.ts.
  });

  it('a host name that does not resolve (.invalid, RFC 2606): dns', async () => {
    const unresolvable = plan({ target: 'http://loadseed-fault.invalid:8080', requests: [{ path: '/' }], load: budget(2, 6) });
    const { total } = await runToEnd(unresolvable, 6);
    expect(total.requests).toBe(6);
    expectOnlyFailures(
      total,
      'dns',
      6,
      /(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL).*loadseed-fault\.invalid|loadseed-fault\.invalid.*(ENOTFOUND|EAI_)/,
    );
    expect(total.bytesOut).toBe(0);
    // A failed lookup ends the request at once: none waited for its deadline (the resolver's own speed is
    // the network's, not something to bound here).
    expect(total.responseTime.maxUs / 1000).toBeLessThan(DEFAULT_TIMEOUT_MS);
    expect(unresolvable.requests[0]?.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
  });

  describe('TLS handshake failures: tls', () => {
    let fixtures: TlsFixtures;
    let server: FaultServer;
    beforeAll(async () => {
      fixtures = tlsFixtures();
      server = await startTlsFaultServer({ cert: fixtures.certPem, key: fixtures.keyPem });
    }, 30_000);
    afterAll(async () => {
      await server.close();
    });

    it('a certificate no trusted CA signed', async () => {
      const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 6) }), 6);
      expect(total.requests).toBe(6);
      expectOnlyFailures(total, 'tls', 6, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
      expect(server.requests()).toBe(0);
    });

    it('a certificate for another name: every request fails at once, none waits for its deadline', async () => {
      // The CA is trusted: only the name is wrong. (undici left its Client stuck after this one: see http-exchange.ts.)
      const scenario = { target: server.url, requests: [{ path: '/', timeout: '2s' }], load: budget(1, 4) };
      const wrongName = { ...plan(scenario), tls: { ca: Buffer.from(fixtures.caPem), insecure: false, serverName: 'other.invalid' } };
      const { total } = await runToEnd(wrongName, 4);
      expect(total.requests).toBe(4);
      expectOnlyFailures(total, 'tls', 4, /ERR_TLS_CERT_ALTNAME_INVALID.*other\.invalid/);
      // At once: each failed on the handshake, none held until its 2 s deadline (nor counted as a timeout).
      expect(total.responseTime.maxUs / 1000).toBeLessThan(2000);
      // The control: the same server, CA and name right.
      const rightName = { ...plan(scenario), tls: { ca: Buffer.from(fixtures.caPem), insecure: false } };
      const { total: trusted } = await runToEnd(rightName, 4);
      expect(trusted).toMatchObject({ requests: 4, successes: 4, failures: 0 });
    });

    it('behind a good handshake, a reset mid-body is connection_reset and a close after each response costs nothing', async () => {
      const trusted = (target: string, iterations: number): Plan => ({
        ...plan({ target, requests: [{ path: '/' }], load: budget(2, iterations) }),
        tls: { ca: Buffer.from(fixtures.caPem), insecure: false },
      });
      const resetting = await startTlsFaultServer(
        { cert: fixtures.certPem, key: fixtures.keyPem },
        { kind: 'reset-mid-body', bodyBytes: 1000, sentBytes: 100, resetAfterMs: 10 },
      );
      await withServer(Promise.resolve(resetting), async () => {
        const { total } = await runToEnd(trusted(resetting.url, 6), 6);
        // Under load the reset can reach TLS as a plain close before the response ended: connection_reset too.
        expectOnlyFailures(total, 'connection_reset', 6, /ECONNRESET|LS_CONNECTION_CLOSED/);
        expect(resetting.requests()).toBe(6);
      });
      const closing = await startTlsFaultServer(
        { cert: fixtures.certPem, key: fixtures.keyPem },
        { kind: 'close-after-response', announce: false },
      );
      await withServer(Promise.resolve(closing), async () => {
        const { total } = await runToEnd(trusted(closing.url, 10), 10);
        // A request written before the silent close was seen is connection_reset, never re-sent (see below).
        expect(total.requests).toBe(10);
        expect(total.successes).toBe(closing.requests());
        expect(total.errorCounts).toEqual({ ...NO_ERRORS, connection_reset: 10 - total.successes });
      });
    });

    it('https:// to a plain HTTP server', async () => {
      await withServer(fault({ kind: 'plain-http' }), async (plain) => {
        const { total } = await runToEnd(
          plan({ target: plain.url.replace('http:', 'https:'), requests: [{ path: '/' }], load: budget(2, 6) }),
          6,
        );
        expect(total.requests).toBe(6);
        expectOnlyFailures(total, 'tls', 6, /wrong version number|WRONG_VERSION_NUMBER|EPROTO/);
      });
    });
  });

  it(
    'a GET the server read and closed without answering is connection_reset, counted once, never re-sent',
    { timeout: 30_000 },
    async () => {
      await withServer(fault({ kind: 'drop-every', every: 5 }), async (server) => {
        const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 60) }), 60);
        // Every request loadseed counts is one the server read, and each one the server dropped is a failure.
        expect(total.requests).toBe(server.requests());
        const dropped = Math.floor(server.requests() / 5);
        expect(dropped).toBe(12);
        expect(total.successes).toBe(server.requests() - dropped);
        expect(total).toMatchObject({ failures: dropped, statusCounts: { 200: server.requests() - dropped } });
        expect(total.errorCounts).toEqual({ ...NO_ERRORS, connection_reset: dropped });
        expectReadableSamples(total, 'connection_reset', dropped, /closed|ECONNRESET/);
      });
    },
  );

  describe('a server that closes keep-alive connections after every response', () => {
    it('saying so (connection: close): all succeed, one connection each', async () => {
      await withServer(fault({ kind: 'close-after-response', announce: true }), async (server) => {
        const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 20) }), 20);
        expect(total).toMatchObject({ requests: 20, successes: 20, failures: 0, statusCounts: { 200: 20 }, errorCounts: NO_ERRORS });
        expect(total.failureSamples).toEqual([]);
        // Each connection answered one request; none was opened and left unused.
        expect(server.requests()).toBe(20);
        expect(server.connections()).toBe(20);
      });
    });

    it('without saying so (FIN after a keep-alive response): a GET that raced the FIN is connection_reset, not re-sent', async () => {
      await withServer(fault({ kind: 'close-after-response', announce: false }), async (server) => {
        const { total } = await runToEnd(plan({ target: server.url, requests: [{ path: '/' }], load: budget(2, 20) }), 20);
        // The request went out on a live (half-closed) connection: the server got it and chose not to answer.
        // Whatever was written before the FIN was seen failed once; every success is one the server answered.
        expect(total.requests).toBe(20);
        expect(total.successes).toBe(server.requests());
        expect(total.errorCounts).toEqual({ ...NO_ERRORS, connection_reset: 20 - total.successes });
        expect(total.statusCounts).toEqual({ 200: server.requests() });
      });
    });

    it('a POST (not idempotent) that races the close is not sent twice', async () => {
      await withServer(fault({ kind: 'close-after-response', announce: false }), async (server) => {
        const { total } = await runToEnd(
          plan({ target: server.url, requests: [{ method: 'POST', path: '/', body: 'x' }], load: budget(1, 10) }),
          10,
        );
        expect(total.requests).toBe(10);
        // Whatever raced the close failed as a reset and was not replayed: the server answered each success once.
        expect(total.successes + total.errorCounts.connection_reset).toBe(10);
        expect(server.requests()).toBe(total.successes);
      });
    });
  });
});
