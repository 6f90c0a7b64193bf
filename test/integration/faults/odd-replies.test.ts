import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import type { RequestStats } from '../../../src/metrics/recorder-snapshot.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { expectOnlyFailures, FAULT_TRANSPORTS, faultPlan, startFaultServer } from '../../helpers/fault-servers.js';
import type { Fault, FaultScenario, FaultServer, FaultTransport } from '../../helpers/fault-servers.js';
import { budget, planOf } from '../engine/servers.js';

/**
 * Issue 12: odd replies, each run on both HTTP paths (static requests and, made a flow, a user journey: both
 * on loadseed's raw-socket client since issue 17, undici being left for HTTP/2), each counted the same way on
 * both (RFC 9112 / RFC 9110; README "Error categories" states the table). Every count is checked against the
 * server's own count of the requests it read.
 */

const NO_ERRORS = Object.fromEntries(ERROR_CATEGORIES.map((name) => [name, 0]));
const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
const USERS = 2;
const ITERATIONS = 6;

/** What every request of a row comes to on a client. */
type Outcome = { readonly kind: 'success'; readonly status: number } | { readonly kind: 'protocol'; readonly message: RegExp };

const success = (status: number): Outcome => ({ kind: 'success', status });
const protocol = (message: RegExp): Outcome => ({ kind: 'protocol', message });

interface OddReply {
  readonly name: string;
  /** What the server answers to every request. */
  readonly response: string;
  readonly method?: 'HEAD';
  /** The same on both paths, or (only where a client can't be made to agree, see README) per path. */
  readonly outcome: Outcome | Readonly<Record<FaultTransport, Outcome>>;
}

/**
 * Skipped, the final response counting, on both paths. (undici's HTTP/1.1 client, which flows took before
 * issue 17, refuses any 100 it did not ask for: client-h1.js, nodejs/undici#197.)
 */
const UNSOLICITED_100: Outcome = success(200);

const ODD_REPLIES: readonly OddReply[] = [
  // 1xx interim responses: skipped, the final response counts (RFC 9110 §15.2); 101 nobody asked for is not one.
  { name: 'an unsolicited 100 Continue, then 200', response: `HTTP/1.1 100 Continue\r\n\r\n${OK}`, outcome: UNSOLICITED_100 },
  {
    name: 'two 100 Continue, then 200',
    response: `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n${OK}`,
    outcome: UNSOLICITED_100,
  },
  {
    name: '103 Early Hints, then 200',
    response: `HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n${OK}`,
    outcome: success(200),
  },
  {
    name: 'two 103 Early Hints and a 102, then 200',
    response: `HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </b.css>\r\n\r\n${OK}`,
    outcome: success(200),
  },
  { name: 'an unsolicited 101 Switching Protocols', response: `HTTP/1.1 101 Switching Protocols\r\n\r\n${OK}`, outcome: protocol(/101/) },
  // No body for 204, 304 and HEAD, whatever the headers say (RFC 9112 §6.3); what follows is not theirs.
  {
    name: '204 with content-length and a body',
    response: 'HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\nhello',
    outcome: success(204),
  },
  { name: '204 followed by garbage, no length', response: 'HTTP/1.1 204 No Content\r\n\r\ngarbage!', outcome: success(204) },
  {
    name: '204 with transfer-encoding and a chunked body',
    response: 'HTTP/1.1 204 No Content\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    outcome: success(204),
  },
  {
    name: '304 with content-length and a body',
    response: 'HTTP/1.1 304 Not Modified\r\netag: "x"\r\ncontent-length: 5\r\n\r\nhello',
    outcome: success(304),
  },
  {
    name: '304 with content-length, no body (RFC 9110 §8.6)',
    response: 'HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n',
    outcome: success(304),
  },
  {
    name: 'HEAD answered with a content-length',
    method: 'HEAD',
    response: 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n',
    outcome: success(200),
  },
  {
    name: 'HEAD answered with a body anyway',
    method: 'HEAD',
    response: 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello',
    outcome: success(200),
  },
  { name: 'an empty line before the status line', response: `\r\n${OK}`, outcome: success(200) },
  // Malformed: protocol on both.
  {
    name: 'a NUL in a header value',
    response: 'HTTP/1.1 200 OK\r\nx-a: b\x00c\r\ncontent-length: 2\r\n\r\nok',
    outcome: protocol(/NUL|header value char/),
  },
  { name: 'status 000', response: 'HTTP/1.1 000 Zero\r\ncontent-length: 2\r\n\r\nok', outcome: protocol(/malformed status code/) },
  { name: 'status 099', response: 'HTTP/1.1 099 Low\r\ncontent-length: 2\r\n\r\nok', outcome: protocol(/malformed status code/) },
  {
    name: 'status 99 (two digits)',
    response: 'HTTP/1.1 99 Low\r\ncontent-length: 2\r\n\r\nok',
    outcome: protocol(/malformed status code|Invalid status code/),
  },
  { name: 'status 600', response: 'HTTP/1.1 600 High\r\ncontent-length: 2\r\n\r\nok', outcome: protocol(/malformed status code/) },
  { name: 'status 999', response: 'HTTP/1.1 999 High\r\ncontent-length: 2\r\n\r\nok', outcome: protocol(/malformed status code/) },
  // RFC 9112 §2.2 lets a recipient take a bare LF; undici's parser refuses it, and so does the socket path.
  { name: 'bare LF line endings', response: 'HTTP/1.1 200 OK\ncontent-length: 2\n\nok', outcome: protocol(/bare LF|Missing expected CR/) },
  {
    name: 'a bare LF ending one header',
    response: 'HTTP/1.1 200 OK\r\nx-a: b\ncontent-length: 2\r\n\r\nok',
    outcome: protocol(/bare LF|Missing expected CR/),
  },
  {
    name: 'a bare LF in chunked framing',
    response: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n',
    outcome: protocol(/bare LF|Missing expected CR/),
  },
  // RFC 9112 §5.2 asks a user agent to unfold obs-fold; undici refuses it and can't be told otherwise (README).
  {
    name: 'an obs-fold header line',
    response: 'HTTP/1.1 200 OK\r\nx-a: b\r\n  c\r\ncontent-length: 2\r\n\r\nok',
    outcome: protocol(/folded header|whitespace/),
  },
  {
    name: 'whitespace before the first header',
    response: 'HTTP/1.1 200 OK\r\n x-a: b\r\ncontent-length: 2\r\n\r\nok',
    outcome: protocol(/folded header|space after start line/),
  },
  {
    name: 'two different content-lengths',
    response: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok',
    outcome: protocol(/conflicting content-length|content-length header/),
  },
  {
    name: 'two equal content-lengths',
    response: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\nok',
    outcome: protocol(/duplicate content-length|content-length header/),
  },
  {
    name: 'transfer-encoding and content-length',
    response: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    outcome: protocol(/both transfer-encoding and content-length|Content-Length can't be present with Transfer-Encoding/),
  },
  {
    name: 'a malformed chunk size',
    response: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n',
    outcome: protocol(/chunk size/),
  },
];

async function withServer<T>(fault: Fault, body: (server: FaultServer) => Promise<T>): Promise<T> {
  const server = await startFaultServer(fault);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** Runs the plan to its planned end (every iteration of the budget ran, none interrupted); the requests' stats. */
async function runToEnd(plan: Plan, iterations: number): Promise<readonly RequestStats[]> {
  const result = await runPlan(plan);
  const snapshot = result.recorder.snapshot();
  expect(result.interrupted).toBe(false);
  expect(snapshot.iterations).toBe(iterations);
  expect(snapshot.total.interrupted).toBe(0);
  return snapshot.requests;
}

const outcomeOn = (reply: OddReply, transport: FaultTransport): Outcome =>
  'kind' in reply.outcome ? reply.outcome : (reply.outcome as Record<FaultTransport, Outcome>)[transport];

describe('odd replies: one count per reply, the same on both clients', () => {
  it.each(ODD_REPLIES.map((reply) => [reply.name, reply] as const))('%s', async (_name, reply) => {
    for (const transport of FAULT_TRANSPORTS) {
      await withServer({ kind: 'raw', response: reply.response }, async (server) => {
        const request = { path: '/', ...(reply.method === undefined ? {} : { method: reply.method }) };
        const scenario: FaultScenario = { target: server.url, requests: [request], load: budget(USERS, ITERATIONS) };
        const [stats] = await runToEnd(faultPlan(transport, scenario), ITERATIONS);
        const total = stats as RequestStats;
        // Every request went out once and was read once by the server: counted once, nothing re-sent.
        expect(server.requests(), transport).toBe(ITERATIONS);
        expect(total.requests, transport).toBe(server.requests());
        const outcome = outcomeOn(reply, transport);
        if (outcome.kind === 'success') {
          const counts = { successes: ITERATIONS, failures: 0, statusCounts: { [outcome.status]: ITERATIONS }, errorCounts: NO_ERRORS };
          expect(total, transport).toMatchObject(counts);
          expect(total.failureSamples, transport).toEqual([]);
        } else {
          expectOnlyFailures(total, 'protocol', ITERATIONS, outcome.message);
        }
      });
    }
  });

  it('the table covers both paths alike: flows no longer differ (HTTP/1.1 on the same client)', () => {
    const differing = ODD_REPLIES.filter((reply) => !('kind' in reply.outcome)).map((reply) => reply.name);
    expect(differing).toEqual([]);
  });
});

describe('what follows a reply without a body is not read as the next response', () => {
  // The server answers its requests in turn: the odd reply (with stray bytes after it), then a good one. Were
  // the stray bytes read as the start of the next response, that one would fail (protocol) or take the wrong
  // status; each must get its own.
  const NEXT = 'HTTP/1.1 201 Created\r\ncontent-length: 6\r\n\r\nsecond';
  const NEXT_HEAD = 'HTTP/1.1 201 Created\r\ncontent-length: 6\r\n\r\n';
  it.each([
    ['204 with content-length and a body', 'GET', 'HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\nhello', NEXT, 204],
    [
      '204 followed by garbage, no length',
      'GET',
      'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 500 Stray\r\ncontent-length: 0\r\n\r\n',
      NEXT,
      204,
    ],
    ['304 with content-length and a body', 'GET', 'HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\nhello', NEXT, 304],
    [
      '204 with transfer-encoding and a chunked body',
      'GET',
      'HTTP/1.1 204 No Content\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      NEXT,
      204,
    ],
    ['HEAD answered with a body anyway', 'HEAD', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello', NEXT_HEAD, 200],
  ] as const)('%s', async (_name, method, odd, next, oddStatus) => {
    for (const transport of FAULT_TRANSPORTS) {
      await withServer({ kind: 'raw-sequence', responses: [odd, next] }, async (server) => {
        // One user: requests go out one after the other, so they alternate odd, next, odd…
        const iterations = 10;
        const scenario: FaultScenario = { target: server.url, requests: [{ path: '/', method }], load: budget(1, iterations) };
        const [stats] = await runToEnd(faultPlan(transport, scenario), iterations);
        expect(server.requests(), transport).toBe(iterations);
        expect(stats, transport).toMatchObject({
          requests: iterations,
          successes: iterations,
          failures: 0,
          statusCounts: { [oddStatus]: iterations / 2, 201: iterations / 2 },
          errorCounts: NO_ERRORS,
        });
      });
    }
  });
});

describe('a header value rendered at run time is never written as is: other, and the run goes on', () => {
  /** Values that would inject a header (CR LF), end one (LF, CR), break one (NUL), or can't be one byte each. */
  const BAD_VALUES: readonly (readonly [string, string])[] = [
    ['CR LF (header injection)', 'a\r\nx-injected: yes'],
    ['a bare LF', 'a\nx-injected: yes'],
    ['a bare CR', 'a\rx-injected: yes'],
    ['a NUL', 'a\u0000x-injected: yes'],
    ['a character beyond Latin-1', 'x-injected: 5 \u20ac'],
  ];

  it.each(BAD_VALUES)('static, on both clients: %s', async (_name, value) => {
    for (const transport of FAULT_TRANSPORTS) {
      await withServer({ kind: 'ok' }, async (server) => {
        const scenario: FaultScenario = {
          target: server.url,
          requests: [{ path: '/', headers: { 'x-t': value } }],
          load: budget(USERS, ITERATIONS),
        };
        const [stats] = await runToEnd(faultPlan(transport, scenario), ITERATIONS);
        expectOnlyFailures(
          stats as RequestStats,
          'other',
          ITERATIONS,
          /^LS_INVALID_HEADER: invalid value of header "x-t".*request not sent$/,
        );
        expect(server.requests(), transport).toBe(0);
        expect(server.received(), transport).not.toContain('x-injected');
      });
    }
  });

  // Only the flow client renders templates: a capture puts the value in the header.
  it.each([...BAD_VALUES, ['a fine value (the control)', 'plain value'] as const])(
    'captured, then sent in a templated header: %s',
    async (_name, value) => {
      const json = JSON.stringify({ v: value });
      const response = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
      await withServer({ kind: 'raw', response }, async (server) => {
        const plan = planOf({
          target: server.url,
          flows: [
            {
              name: 'journey',
              steps: [
                { name: 'token', path: '/token', capture: [{ as: 'v', json: '$.v' }] },
                { name: 'use', path: '/use', headers: { 'x-t': '{{ v }}' } },
              ],
            },
          ],
          load: budget(USERS, ITERATIONS),
        });
        const [token, use] = await runToEnd(plan, ITERATIONS);
        expect(token).toMatchObject({ requests: ITERATIONS, successes: ITERATIONS, failures: 0 });
        if (value === 'plain value') {
          expect(use).toMatchObject({ requests: ITERATIONS, successes: ITERATIONS, failures: 0 });
          expect(server.requests()).toBe(2 * ITERATIONS);
          expect(server.received().split('x-t: plain value\r\n')).toHaveLength(ITERATIONS + 1);
          return;
        }
        expectOnlyFailures(
          use as RequestStats,
          'other',
          ITERATIONS,
          /^LS_INVALID_HEADER: invalid value of header "x-t".*request not sent$/,
        );
        // Only the captures went out; the refused requests never reached the server, nor did their bytes.
        expect(server.requests()).toBe(ITERATIONS);
        expect(server.received()).not.toContain('x-injected');
        expect(server.received()).not.toContain('/use');
      });
    },
  );
});
