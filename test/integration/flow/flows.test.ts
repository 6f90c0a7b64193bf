import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { RunResult } from '../../../src/engine/run-result.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { scenarioFromData, withFiles } from '../../../src/scenario/load-scenario.js';
import type { ScenarioData } from '../../../src/scenario/types.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';

/**
 * User journeys against real loopback servers: templates, captures, data files, checks, cookies, auth,
 * redirects and TLS, each asserted on exact counts.
 */

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface App {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

const USERS: Readonly<Record<string, string>> = { alice: 'wonderland', bob: 'builder', carol: 'singer' };

/** A small API: log in for a token (and a session cookie), use both, redirect elsewhere. */
async function startApp(other?: () => string): Promise<App> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      route(req, res, body, other);
    });
  });
  return listen(server, seen);
}

/** POST /login: a token and a session cookie for a known user and password. */
function login(body: string, json: (status: number, value: unknown, headers?: Record<string, string>) => void): void {
  let credentials: { username?: string; password?: string } = {};
  try {
    credentials = JSON.parse(body) as typeof credentials;
  } catch {
    json(400, { error: 'bad json' });
    return;
  }
  const { username = '', password } = credentials;
  if (USERS[username] === undefined || USERS[username] !== password) {
    json(401, { error: 'bad credentials' });
    return;
  }
  json(200, { token: `t-${username}`, user: { name: username } }, { 'set-cookie': `sid=s-${username}; Path=/; HttpOnly` });
}

function route(req: IncomingMessage, res: ServerResponse, body: string, other: (() => string) | undefined): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
  switch (url.pathname) {
    case '/login':
      login(body, json);
      return;
    case '/me': {
      const token = /^Bearer t-(\w+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || USERS[token] === undefined) json(401, { error: 'bad token' });
      else json(200, { user: token, status: 'ok' });
      return;
    }
    case '/cart': {
      const sid = /(?:^|; )sid=s-(\w+)/.exec(req.headers.cookie ?? '')?.[1];
      if (sid === undefined) json(403, { error: 'no session' });
      else json(200, { cart: sid });
      return;
    }
    case '/item':
      json(200, { id: url.searchParams.get('id') });
      return;
    case '/slow':
      setTimeout(() => json(200, { slow: true }), 60);
      return;
    case '/away':
      res.writeHead(302, { location: `${other?.() ?? ''}/landing` });
      res.end();
      return;
    case '/here':
      res.writeHead(302, { location: '/me' });
      res.end();
      return;
    case '/landing':
      json(200, { landed: true });
      return;
    default:
      json(404, { error: 'not found' });
  }
}

function listen(server: Server, seen: Seen[]): Promise<App> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

let dir: string;
let app: App;
let elsewhere: App;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-flows-'));
  await writeFile(join(dir, 'users.csv'), 'username,password\nalice,wonderland\nbob,builder\ncarol,singer\n');
  await writeFile(join(dir, 'ids.json'), JSON.stringify([1, 2, 3, 4, 5].map((id) => ({ id }))));
  elsewhere = await startApp();
  app = await startApp(() => elsewhere.url);
});

afterAll(async () => {
  await app.close();
  await elsewhere.close();
  await rm(dir, { recursive: true, force: true });
});

/** A plan from scenario data, its files (data, certificates) read from the test's directory. */
async function flowPlan(
  data: Omit<ScenarioData, 'load'> & { readonly load?: ScenarioData['load'] },
  env: Record<string, string> = {},
): Promise<Plan> {
  const scenario = scenarioFromData({ load: { profile: 'constant', users: 1, iterations: 1 }, ...data }, 'flows.yml', dir);
  return buildPlan(await withFiles(scenario, undefined, env));
}

function countsOf(result: RunResult, name: string) {
  const stats = result.recorder.snapshot().requests.find((request) => request.name === name);
  if (stats === undefined) throw new Error(`no request ${name}`);
  return stats;
}

describe('flows: login → token → authorized request', () => {
  it('captures a token from the login response and sends it; a wrong token is rejected by the server', async () => {
    const plan = await flowPlan({
      target: app.url,
      data: [{ file: 'users.csv' }],
      flows: [
        {
          name: 'journey',
          steps: [
            {
              name: 'login',
              method: 'POST',
              path: '/login',
              json: { username: '{{ username }}', password: '{{ password }}' },
              capture: [{ as: 'token', json: '$.token' }],
            },
            {
              name: 'me',
              path: '/me',
              auth: { bearer: '{{ token }}' },
              expect: { status: 200, json: [{ path: '$.status', equals: 'ok' }] },
            },
            { name: 'forged', path: '/me', headers: { authorization: 'Bearer {{ token }}x' }, expect: 200 },
            { name: 'cart', path: '/cart', expect: 200 },
          ],
        },
      ],
      load: { profile: 'constant', users: 2, iterations: 6 },
    });
    expect(plan.flow).toBeDefined();
    const result = await runPlan(plan);
    expect(countsOf(result, 'login')).toMatchObject({ requests: 6, successes: 6, failures: 0 });
    expect(countsOf(result, 'me')).toMatchObject({ requests: 6, successes: 6, failures: 0 });
    // The server refuses the forged token: an unexpected status, counted as a failure.
    expect(countsOf(result, 'forged')).toMatchObject({ requests: 6, successes: 0, failures: 6, statusCounts: { 401: 6 } });
    // Cookies are on for flows: the session cookie set by the login comes back on /cart.
    expect(countsOf(result, 'cart')).toMatchObject({ requests: 6, successes: 6 });
    const logins = app.seen.filter((seen) => seen.path === '/login').slice(-6);
    // Sequential rows: each user starts its own place in the file and walks on.
    expect(logins.map((seen) => (JSON.parse(seen.body) as { username: string }).username).sort()).toEqual([
      'alice',
      'alice',
      'bob',
      'bob',
      'carol',
      'carol',
    ]);
    const mine = app.seen.filter((seen) => seen.path === '/me').slice(-12);
    expect(new Set(mine.map((seen) => seen.headers.authorization))).toEqual(
      new Set(['Bearer t-alice', 'Bearer t-bob', 'Bearer t-carol', 'Bearer t-alicex', 'Bearer t-bobx', 'Bearer t-carolx']),
    );
  });

  it('a capture that fails marks its request failed with a reason, and the requests that need it fail too', async () => {
    const plan = await flowPlan({
      target: app.url,
      flows: [
        {
          name: 'broken',
          steps: [
            {
              name: 'login',
              method: 'POST',
              path: '/login',
              json: { username: 'alice', password: 'wonderland' },
              capture: [{ as: 'token', json: '$.access_token' }],
            },
            { name: 'me', path: '/me', auth: { bearer: '{{ token }}' } },
          ],
        },
      ],
      load: { profile: 'constant', users: 1, iterations: 3 },
    });
    const result = await runPlan(plan);
    const login = countsOf(result, 'login');
    expect(login).toMatchObject({ requests: 3, failures: 3, statusCounts: { 200: 3 } });
    expect(login.errorCounts.check).toBe(3);
    expect(login.failureSamples).toEqual([
      { kind: 'check', message: 'capture token: $.access_token matched nothing in the JSON body', count: 3 },
    ]);
    const me = countsOf(result, 'me');
    expect(me).toMatchObject({ requests: 3, failures: 3 });
    expect(me.failureSamples[0]?.message).toMatch(/variable "token" is not set/);
  });
});

describe('flows: data files', () => {
  const idsOf = (count: number): string[] =>
    app.seen
      .filter((seen) => seen.path.startsWith('/item'))
      .slice(-count)
      .map((seen) => new URL(seen.path, 'http://x').searchParams.get('id') ?? '');

  it('sequential: rows in order, wrapping', async () => {
    const plan = await flowPlan({
      target: app.url,
      data: [{ file: 'ids.json', order: 'sequential' }],
      requests: [{ name: 'item', path: '/item?id={{ id }}' }],
      load: { profile: 'constant', users: 1, iterations: 7 },
    });
    const result = await runPlan(plan);
    expect(countsOf(result, 'item').successes).toBe(7);
    expect(idsOf(7)).toEqual(['1', '2', '3', '4', '5', '1', '2']);
  });

  it('unique with stop: each row exactly once, then the run ends by itself', async () => {
    const plan = await flowPlan({
      target: app.url,
      data: [{ file: 'ids.json', order: 'unique', when_exhausted: 'stop' }],
      requests: [{ name: 'item', path: '/item', query: { id: '{{ id }}' } }],
      load: { profile: 'constant', users: 3, duration: '10s' },
    });
    const result = await runPlan(plan);
    expect(countsOf(result, 'item').requests).toBe(5);
    expect(idsOf(5).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(result.interrupted).toBe(false);
    expect(result.dataExhausted).toBe(true);
    // Ended by itself when the data ran out, not at the planned 10 s end.
    expect(result.elapsedMs - result.drainMs).toBeLessThan(10_000);
  });

  it('unique with cycle: every row once per round', async () => {
    const plan = await flowPlan({
      target: app.url,
      data: [{ file: 'ids.json', order: 'unique', when_exhausted: 'cycle' }],
      requests: [{ name: 'item', path: '/item?id={{ id }}' }],
      load: { profile: 'constant', users: 1, iterations: 10 },
    });
    await runPlan(plan);
    expect(idsOf(10)).toEqual(['1', '2', '3', '4', '5', '1', '2', '3', '4', '5']);
  });

  it('random: only rows of the file, each of them over enough iterations', async () => {
    const plan = await flowPlan({
      target: app.url,
      data: [{ file: 'ids.json', order: 'random' }],
      requests: [{ name: 'item', path: '/item?id={{ id }}' }],
      load: { profile: 'constant', users: 2, iterations: 200 },
    });
    await runPlan(plan);
    const ids = idsOf(200);
    expect(new Set(ids)).toEqual(new Set(['1', '2', '3', '4', '5']));
  });
});

describe('flows: checks', () => {
  const cases: readonly { readonly name: string; readonly expect: unknown; readonly path?: string; readonly reason?: RegExp }[] = [
    { name: 'status list passes', expect: [200, 201] },
    { name: 'status fails', expect: { status: 201 } },
    { name: 'header passes', expect: { headers: { 'content-type': 'application/json' } } },
    {
      name: 'header fails',
      expect: { headers: { 'content-type': 'text/html' } },
      reason: /check header content-type: expected "text\/html", got "application\/json"/,
    },
    { name: 'contains passes', expect: { body_contains: '"status":"ok"' } },
    { name: 'contains fails', expect: { body_contains: 'nope' }, reason: /check body_contains "nope" failed/ },
    { name: 'matches passes', expect: { body_matches: '"user":"\\w+"' } },
    { name: 'matches fails', expect: { body_matches: '^<html' }, reason: /check body_matches/ },
    { name: 'json passes', expect: { json: [{ path: '$.user', equals: 'alice' }] } },
    {
      name: 'json fails',
      expect: { json: [{ path: '$.user', equals: 'bob' }] },
      reason: /check json \$\.user: expected "bob", got "alice"/,
    },
    { name: 'latency passes', expect: { max_latency: '2s' }, path: '/slow' },
    { name: 'latency fails', expect: { max_latency: '20ms' }, path: '/slow', reason: /check max_latency: \d+(\.\d+)? ms > 20 ms/ },
  ];

  it('each check kind passes and fails, with its reason in the failure samples', async () => {
    const plan = await flowPlan({
      target: app.url,
      defaults: { auth: { bearer: 't-alice' } },
      requests: cases.map((entry) => ({ name: entry.name, path: entry.path ?? '/me', expect: entry.expect })),
      load: { profile: 'constant', users: 1, iterations: 2 },
    } as unknown as ScenarioData);
    const result = await runPlan(plan);
    for (const entry of cases) {
      const stats = countsOf(result, entry.name);
      const passes = entry.name.endsWith('passes');
      expect(stats.requests, entry.name).toBe(2);
      expect(stats.failures, entry.name).toBe(passes ? 0 : 2);
      if (entry.reason !== undefined) {
        expect(stats.errorCounts.check, entry.name).toBe(2);
        expect(stats.failureSamples[0]?.message, entry.name).toMatch(entry.reason);
      }
    }
    // A failed check counts against the error rate like any failure.
    expect(result.recorder.snapshot().total.failures).toBe(12);
  });
});

describe('flows: redirects', () => {
  it('follows a same-origin redirect keeping credentials, and never carries them to another origin', async () => {
    const before = elsewhere.seen.length;
    const plan = await flowPlan({
      target: app.url,
      http: { redirects: { follow: true, allow_origins: [elsewhere.url] } },
      requests: [
        {
          name: 'here',
          path: '/here',
          headers: { authorization: 'Bearer t-bob', 'x-api-key': 'k-1', accept: 'application/json', cookie: 'sid=s-bob' },
        },
        { name: 'away', path: '/away', headers: { authorization: 'Bearer t-bob', 'x-api-key': 'k-1', accept: 'application/json' } },
      ],
      load: { profile: 'constant', users: 1, iterations: 2 },
    });
    const result = await runPlan(plan);
    expect(countsOf(result, 'here')).toMatchObject({ successes: 2, statusCounts: { 200: 2 } });
    expect(countsOf(result, 'away')).toMatchObject({ successes: 2, statusCounts: { 200: 2 } });
    // Same origin, no cookie jar (requests, not flows): the cookie the scenario set goes along to /me.
    const followed = app.seen.filter((seen) => seen.path === '/me').slice(-2);
    expect(followed.map((seen) => [seen.headers.authorization, seen.headers.cookie])).toEqual([
      ['Bearer t-bob', 'sid=s-bob'],
      ['Bearer t-bob', 'sid=s-bob'],
    ]);
    const landed = elsewhere.seen.slice(before);
    expect(landed).toHaveLength(2);
    for (const seen of landed) {
      expect(seen.path).toBe('/landing');
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.headers['x-api-key']).toBeUndefined();
      expect(seen.headers.accept).toBe('application/json');
    }
  });

  it('refuses a redirect to an origin not allowed: a failed request with the reason', async () => {
    const plan = await flowPlan({
      target: app.url,
      http: { redirects: { follow: true } },
      requests: [{ name: 'away', path: '/away' }],
      load: { profile: 'constant', users: 1, iterations: 2 },
    });
    const stats = countsOf(await runPlan(plan), 'away');
    expect(stats).toMatchObject({ failures: 2, statusCounts: { 302: 2 } });
    expect(stats.failureSamples[0]?.message).toMatch(/not allowed \(add it to http\.redirects\.allow_origins\)/);
  });
});

describe('flows: setup and before', () => {
  it('setup runs once before the load and its captures reach every user; before runs once per user', async () => {
    const logins = (): number => app.seen.filter((seen) => seen.path === '/login').length;
    const start = logins();
    const plan = await flowPlan({
      target: app.url,
      setup: [
        {
          name: 'admin login',
          method: 'POST',
          path: '/login',
          json: { username: 'carol', password: 'singer' },
          capture: [{ as: 'admin', json: '$.token' }],
        },
      ],
      before: [
        {
          name: 'user login',
          method: 'POST',
          path: '/login',
          json: { username: 'bob', password: 'builder' },
          capture: [{ as: 'token', json: '$.token' }],
        },
      ],
      requests: [
        { name: 'as user', path: '/me', auth: { bearer: '{{ token }}' }, expect: { json: [{ path: '$.user', equals: 'bob' }] } },
        { name: 'as admin', path: '/me', auth: { bearer: '{{ admin }}' }, expect: { json: [{ path: '$.user', equals: 'carol' }] } },
      ],
      load: { profile: 'constant', users: 3, iterations: 9 },
    });
    const result = await runPlan(plan);
    // 1 setup login + 3 users × 1 before login.
    expect(logins() - start).toBe(4);
    expect(countsOf(result, 'user login').requests).toBe(3);
    expect(countsOf(result, 'as user')).toMatchObject({ requests: 9, successes: 9 });
    expect(countsOf(result, 'as admin')).toMatchObject({ requests: 9, successes: 9 });
    expect(result.setupFailures).toBeUndefined();
  });
});

describe('flows: TLS', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const fixtures = tlsFixtures();
    server = createHttpsServer({ cert: fixtures.certPem, key: fixtures.keyPem }, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('secure');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await writeFile(join(dir, 'ca.pem'), fixtures.caPem);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a self-signed certificate by default and accepts it with the CA given', async () => {
    const refused = await runPlan(
      await flowPlan({ target: url, requests: [{ name: 'secure', path: '/' }], load: { profile: 'constant', users: 1, iterations: 2 } }),
    );
    expect(countsOf(refused, 'secure')).toMatchObject({ failures: 2 });
    expect(countsOf(refused, 'secure').errorCounts.tls).toBe(2);
    const trusted = await runPlan(
      await flowPlan({
        target: url,
        http: { tls: { ca: 'ca.pem' } },
        requests: [{ name: 'secure', path: '/', expect: { body_contains: 'secure' } }],
        load: { profile: 'constant', users: 1, iterations: 2 },
      }),
    );
    expect(countsOf(trusted, 'secure')).toMatchObject({ successes: 2, failures: 0 });
  });
});

describe('flows: connections before t=0', () => {
  it('opens each user’s connection before the load, and the first requests use it', async () => {
    const connections: number[] = [];
    const counting = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    counting.on('connection', () => connections.push(Date.now()));
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    try {
      const plan = await flowPlan({
        target: url,
        requests: [{ name: 'one', path: '/', headers: { 'x-id': '{{ $uuid }}' } }],
        load: { profile: 'constant', users: 3, iterations: 30 },
      });
      const result = await runPlan(plan);
      expect(result.preconnectedConnections).toBe(3);
      expect(countsOf(result, 'one')).toMatchObject({ requests: 30, successes: 30 });
      // Keep-alive: the three connections opened before t=0 carried every request.
      expect(connections).toHaveLength(3);
    } finally {
      counting.closeAllConnections();
      await new Promise<void>((resolve) => counting.close(() => resolve()));
    }
  });
});
