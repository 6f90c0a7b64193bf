import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly elapsedMs: number;
}

let server: TargetServer;

async function request(path: string, init: RequestInit = {}): Promise<Reply> {
  const startedAt = performance.now();
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, elapsedMs: performance.now() - startedAt };
}

/** Sends `count` requests for `path`, at most `concurrency` at a time. */
async function requestMany(path: string, count: number, concurrency: number): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let sent = 0; sent < count; sent += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - sent) }, () => request(path));
    replies.push(...(await Promise.all(batch)));
  }
  return replies;
}

function countStatus(replies: readonly Reply[], status: number): number {
  return replies.filter((reply) => reply.status === status).length;
}

/** POSTs `body` (a value sent as JSON, or raw text) with the given extra headers. */
function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
}

function jsonOf(reply: Reply): unknown {
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(reply.text)));
  return JSON.parse(reply.text) as unknown;
}

/** Sends raw bytes on a new connection and destroys it at once, as a client that gives up mid-request. */
async function sendAndDisconnect(raw: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      socket.write(raw, () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('startTargetServer', () => {
  it('listens on loopback on a free port and reports its url', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    await expect(startTargetServer({ port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('brackets an IPv6 host in its url (when ::1 is available)', async () => {
    let ipv6: TargetServer;
    try {
      ipv6 = await startTargetServer({ host: '::1' });
    } catch (error) {
      // No IPv6 loopback in this environment: nothing to check.
      expect((error as NodeJS.ErrnoException).code).toMatch(/^(EADDRNOTAVAIL|EAFNOSUPPORT)$/);
      return;
    }
    try {
      expect(ipv6.url).toBe(`http://[::1]:${ipv6.port}`);
      const response = await fetch(`${ipv6.url}/`);
      expect(await response.text()).toBe('ok');
    } finally {
      await ipv6.close();
    }
  });
});

describe('GET /', () => {
  it('responds 200 text/plain "ok" with a content-length', async () => {
    const reply = await request('/');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('ok');
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.headers.get('content-length')).toBe('2');
  });

  it('accepts any method', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await request('/', { method, body: method === 'DELETE' ? null : 'ignored body' });
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('ok');
    }
  });
});

describe('/delay/:ms', () => {
  it('waits at least the given time, then responds 200 "ok"', async () => {
    const { value: reply, lateMs } = await withLoopDelay(() => request('/delay/150'));
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('ok');
    expect(reply.headers.get('content-length')).toBe('2');
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(149); // timers may fire up to 1 ms "early" vs performance.now
    expect(reply.elapsedMs).toBeLessThan(150 + 100 + lateMs);
  });

  it('answers /delay/0 at once, and tolerates a trailing slash', async () => {
    const { value: zero, lateMs } = await withLoopDelay(() => request('/delay/0'));
    expect(zero.status).toBe(200);
    expect(zero.elapsedMs).toBeLessThan(100 + lateMs);
    const slash = await request('/delay/10/');
    expect(slash.status).toBe(200);
    expect(slash.text).toBe('ok');
  });

  it('stays healthy when a client disconnects before the delay ends', async () => {
    const controller = new AbortController();
    const before = server.requestCount();
    const pending = fetch(`${server.url}/delay/5000`, { signal: controller.signal });
    pending.catch(() => undefined); // awaited below; not unhandled meanwhile
    // Disconnects once the server has the request (its delay under way), however long that took to arrive.
    while (server.requestCount() === before) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const reply = await request('/');
    expect(reply.status).toBe(200);
  });
});

describe('/status/:code', () => {
  it.each([200, 201, 404, 418, 500, 503])('responds %d with its reason phrase', async (code) => {
    const reply = await request(`/status/${code}`);
    expect(reply.status).toBe(code);
    expect(reply.text).toBe(STATUS_CODES[code]);
    expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(STATUS_CODES[code] ?? '')));
  });

  it('responds 503 "Service Unavailable"', async () => {
    const reply = await request('/status/503');
    expect(reply.status).toBe(503);
    expect(reply.text).toBe('Service Unavailable');
  });

  it('uses an empty body for a code without a reason phrase, and none for 204', async () => {
    const unnamed = await request('/status/599');
    expect(unnamed.status).toBe(599);
    expect(unnamed.text).toBe('');
    expect(unnamed.headers.get('content-length')).toBe('0');
    const noContent = await request('/status/204');
    expect(noContent.status).toBe(204);
    expect(noContent.text).toBe('');
  });
});

describe('/json', () => {
  it('responds 200 application/json with the fixed object', async () => {
    const reply = await request('/json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(reply.text)));
    expect(JSON.parse(reply.text)).toEqual({
      id: 1,
      name: 'loadseed',
      items: [
        { sku: 'a-1', price: 9.5 },
        { sku: 'b-2', price: 20 },
      ],
      ok: true,
    });
  });
});

describe('/bytes/:n', () => {
  it.each([0, 1, 65_536, 200_000, 5 * 1024 * 1024 + 3])('returns exactly %d bytes', async (byteCount) => {
    const response = await fetch(`${server.url}/bytes/${byteCount}`);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-length')).toBe(String(byteCount));
    expect(body.byteLength).toBe(byteCount);
  });
});

describe('/echo', () => {
  it('describes a POST with a JSON body, a query and a custom header', async () => {
    const payload = JSON.stringify({ name: 'café', count: 3 });
    const reply = await request('/echo?a=1&a=2&b=x&empty=', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Loadseed-Test': 'hello' },
      body: payload,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(reply.text)));
    const echoed = JSON.parse(reply.text) as Record<string, unknown>;
    expect(echoed).toMatchObject({
      method: 'POST',
      path: '/echo',
      query: { a: ['1', '2'], b: 'x', empty: '' },
      body: payload,
      bodyBytes: Buffer.byteLength(payload),
    });
    expect(Buffer.byteLength(payload)).toBe(payload.length + 1); // 'é' is two bytes in UTF-8
    expect(echoed['headers']).toMatchObject({
      'x-loadseed-test': 'hello',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
    });
    expect(JSON.parse(echoed['body'] as string)).toEqual({ name: 'café', count: 3 });
  });

  it('describes a GET with no body', async () => {
    const echoed = JSON.parse((await request('/echo')).text) as Record<string, unknown>;
    expect(echoed).toMatchObject({ method: 'GET', path: '/echo', query: {}, body: '', bodyBytes: 0 });
  });

  it('accepts a body of exactly 1 MiB and answers 413 beyond it', async () => {
    const atLimit = await request('/echo', { method: 'PUT', body: new Uint8Array(1024 * 1024).fill(97) });
    expect(atLimit.status).toBe(200);
    expect((JSON.parse(atLimit.text) as Record<string, unknown>)['bodyBytes']).toBe(1024 * 1024);
    const overLimit = await request('/echo', { method: 'PUT', body: new Uint8Array(1024 * 1024 + 1) });
    expect(overLimit.status).toBe(413);
    expect(overLimit.text).toContain('1048576');
  });
});

describe('/flaky', () => {
  it('never fails at rate=0 (50 requests)', async () => {
    const replies = await requestMany('/flaky?rate=0', 50, 25);
    expect(countStatus(replies, 200)).toBe(50);
    expect(replies.every((reply) => reply.text === 'ok')).toBe(true);
  });

  it('always fails at rate=1 (50 requests)', async () => {
    const replies = await requestMany('/flaky?rate=1', 50, 25);
    expect(countStatus(replies, 500)).toBe(50);
    expect(replies.every((reply) => reply.text === 'error')).toBe(true);
  });

  it('fails between 30% and 70% of 400 requests at rate=0.5', async () => {
    const replies = await requestMany('/flaky?rate=0.5', 400, 50);
    const failures = countStatus(replies, 500);
    expect(failures + countStatus(replies, 200)).toBe(400);
    expect(failures).toBeGreaterThanOrEqual(120);
    expect(failures).toBeLessThanOrEqual(280);
  });

  it('uses a default rate of 0.05 (under 40% of 100 requests fail)', async () => {
    const replies = await requestMany('/flaky', 100, 50);
    expect(countStatus(replies, 500) + countStatus(replies, 200)).toBe(100);
    expect(countStatus(replies, 500)).toBeLessThan(40);
  });
});

describe('/latency', () => {
  it('has an observed median of at least 8 ms for mean=20&p99=60 over 100 concurrent requests', async () => {
    // Open the connections first, so connection setup is not counted as latency.
    await requestMany('/', 100, 100);
    const replies = await requestMany('/latency?mean=20&p99=60', 100, 100);
    expect(countStatus(replies, 200)).toBe(100);
    expect(replies.every((reply) => reply.text === 'ok')).toBe(true);
    // Log-normal with mean 20 and p99 60: the median is ≈ 17 ms (the shape itself is checked exactly in
    // test/unit/target/latency-shape.test.ts). Observed from the client, a timer never fires early, so the median
    // is at least the imposed one's lower range; no upper bound: a busy machine only adds to what a client sees.
    const sorted = replies.map((reply) => reply.elapsedMs).sort((a, b) => a - b);
    const medianMs = ((sorted[49] ?? 0) + (sorted[50] ?? 0)) / 2;
    expect(medianMs).toBeGreaterThanOrEqual(8);
  });

  it('fills in a missing p99 from the default ratio', async () => {
    const reply = await request('/latency?mean=5');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('ok');
  });
});

describe('/capacity', () => {
  it('answers one request alone in about 1000/rps ms (rps=50: 20 ms)', async () => {
    await request('/');
    const replies: Reply[] = [];
    // One after another: never queued, so each takes the service time alone.
    for (let i = 0; i < 5; i++) {
      const { value: reply, lateMs } = await withLoopDelay(() => request('/capacity?rps=50'));
      replies.push(reply);
      expect(reply.elapsedMs).toBeGreaterThanOrEqual(19);
      expect(reply.elapsedMs).toBeLessThan(20 + 60 + lateMs);
    }
    expect(replies.map((reply) => [reply.status, reply.text])).toEqual(Array.from({ length: 5 }, () => [200, 'ok']));
  });

  it('serves at most rps per second, first in first out: 40 at once at rps=200 take ≈ 5, 10 … 200 ms', async () => {
    await requestMany('/', 40, 40);
    const startedAt = performance.now();
    const { value: replies, lateMs } = await withLoopDelay(() =>
      Promise.all(Array.from({ length: 40 }, () => request('/capacity?rps=200'))),
    );
    const totalMs = performance.now() - startedAt;
    expect(countStatus(replies, 200)).toBe(40);
    // 40 requests × 5 ms of service, one at a time: the last is answered at ≥ 200 ms, whatever the timers do.
    expect(totalMs).toBeGreaterThanOrEqual(199);
    expect(totalMs).toBeLessThan(200 + 400 + lateMs);
    const sorted = replies.map((reply) => reply.elapsedMs).sort((a, b) => a - b);
    expect(sorted[0]).toBeLessThan(5 + 55 + lateMs);
    // The median waited for ≈ 20 others: ≈ 100 ms.
    expect(sorted[20]).toBeGreaterThanOrEqual(95);
    expect(sorted[20]).toBeLessThan(100 + 250 + lateMs);
  });

  it('answers 503 at once beyond `queue` requests waiting or in service, and recovers', async () => {
    await requestMany('/', 20, 20);
    const { value: replies, lateMs } = await withLoopDelay(() =>
      Promise.all(Array.from({ length: 20 }, () => request('/capacity?rps=20&queue=5'))),
    );
    expect(countStatus(replies, 200)).toBe(5);
    expect(countStatus(replies, 503)).toBe(15);
    for (const reply of replies.filter((one) => one.status === 503)) {
      expect(reply.text).toContain('over capacity');
      expect(reply.elapsedMs).toBeLessThan(100 + lateMs);
    }
    // The 5 served took 50, 100 … 250 ms; the queue is empty again.
    expect(Math.max(...replies.map((reply) => reply.elapsedMs))).toBeGreaterThanOrEqual(249);
    expect((await request('/capacity?rps=20&queue=1')).status).toBe(200);
  });

  it('adds service_ms after the queue, in parallel: 10 at once at rps=1000&service_ms=50 take ≈ 60 ms, not 500', async () => {
    await requestMany('/', 10, 10);
    const startedAt = performance.now();
    const { value: replies, lateMs } = await withLoopDelay(() =>
      Promise.all(Array.from({ length: 10 }, () => request('/capacity?rps=1000&service_ms=50'))),
    );
    const totalMs = performance.now() - startedAt;
    expect(countStatus(replies, 200)).toBe(10);
    expect(totalMs).toBeGreaterThanOrEqual(59);
    // 500 ms if service_ms were served one at a time.
    expect(totalMs).toBeLessThan(60 + 240 + lateMs);
  });

  it.each([
    '/capacity?rps=0',
    '/capacity?rps=abc',
    '/capacity?rps=-5',
    '/capacity?rps=2000000',
    '/capacity?queue=0',
    '/capacity?queue=1.5',
    '/capacity?queue=10001',
    '/capacity?service_ms=-1',
    '/capacity?service_ms=60001',
  ])('%s → 400 with a plain-text reason', async (path) => {
    const reply = await request(path);
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.text).toMatch(/^bad (rps|queue|service_ms) /);
  });
});

describe('POST /login', () => {
  it('answers 200 with a token, the user and a session cookie for user U with password "pw-U"', async () => {
    const reply = await post('/login', { username: 'alice', password: 'pw-alice' });
    expect(reply.status).toBe(200);
    expect(jsonOf(reply)).toEqual({ token: 'tok-alice', user: 'alice' });
    expect(reply.headers.getSetCookie()).toEqual(['session=s-alice; Path=/; HttpOnly']);
  });

  it('accepts every character of the user-name alphabet, up to 64 characters', async () => {
    const username = `A.z_0-9@${'x'.repeat(56)}`;
    expect(username).toHaveLength(64);
    const reply = await post('/login', { username, password: `pw-${username}` });
    expect(reply.status).toBe(200);
    expect(jsonOf(reply)).toEqual({ token: `tok-${username}`, user: username });
  });

  it.each([
    ['a wrong password', { username: 'alice', password: 'pw-bob' }],
    ['no password', { username: 'alice' }],
    ['no username', { password: 'pw-' }],
    ['an empty username', { username: '', password: 'pw-' }],
    ['a username with a space', { username: 'a b', password: 'pw-a b' }],
    ['a username with a semicolon', { username: 'a;b', password: 'pw-a;b' }],
    ['a username over 64 characters', { username: 'x'.repeat(65), password: `pw-${'x'.repeat(65)}` }],
    ['a numeric username', { username: 7, password: 'pw-7' }],
    ['an empty object', {}],
  ])('answers 401 "bad credentials", without a cookie, for %s', async (_label, body) => {
    const reply = await post('/login', body);
    expect(reply.status).toBe(401);
    expect(jsonOf(reply)).toEqual({ error: 'bad credentials' });
    expect(reply.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    ['text', 'username=alice&password=pw-alice'],
    ['an empty body', ''],
    ['truncated JSON', '{"username": "alice"'],
    ['a JSON array', '["alice", "pw-alice"]'],
    ['a JSON string', '"alice"'],
    ['JSON null', 'null'],
  ])('answers 400 with a JSON error for %s', async (_label, body) => {
    const reply = await post('/login', body);
    expect(reply.status).toBe(400);
    expect((jsonOf(reply) as { error: string }).error.length).toBeGreaterThan(10);
  });

  it('accepts a body of exactly 64 KiB and answers 413 beyond it', async () => {
    const credentials = JSON.stringify({ username: 'alice', password: 'pw-alice' });
    const atLimit = credentials + ' '.repeat(64 * 1024 - credentials.length);
    expect(Buffer.byteLength(atLimit)).toBe(65_536);
    expect((await post('/login', atLimit)).status).toBe(200);
    const overLimit = await post('/login', `${atLimit} `);
    expect(overLimit.status).toBe(413);
    expect((jsonOf(overLimit) as { error: string }).error).toContain('65536');
  });

  it('answers 405 with Allow: POST to another method', async () => {
    const reply = await request('/login');
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('POST');
    expect(jsonOf(reply)).toEqual({ error: 'method GET not allowed: use POST' });
  });

  it('stays healthy when a client disconnects in the middle of the body', async () => {
    const before = server.requestCount();
    await sendAndDisconnect('POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user');
    await sendAndDisconnect('POST /cart/items HTTP/1.1\r\nHost: x\r\nCookie: session=s-a\r\nContent-Length: 1000\r\n\r\n{"sku');
    while (server.requestCount() < before + 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const reply = await post('/login', { username: 'bob', password: 'pw-bob' });
    expect(reply.status).toBe(200);
  });
});

describe('GET /me', () => {
  it('answers 200 with the user of a bearer token "tok-U" (the scheme in any case)', async () => {
    for (const authorization of ['Bearer tok-alice', 'bearer tok-alice', 'BEARER  tok-alice']) {
      const reply = await request('/me', { headers: { authorization } });
      expect(reply.status, authorization).toBe(200);
      expect(jsonOf(reply)).toEqual({ user: 'alice', status: 'ok' });
    }
  });

  it('accepts the token that /login returned', async () => {
    const { token } = jsonOf(await post('/login', { username: 'carol', password: 'pw-carol' })) as { token: string };
    const reply = await request('/me', { headers: { authorization: `Bearer ${token}` } });
    expect(jsonOf(reply)).toEqual({ user: 'carol', status: 'ok' });
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer token', 'Bearer '],
    ['a token without the tok- prefix', 'Bearer alice'],
    ['a token with no user', 'Bearer tok-'],
    ['two tokens', 'Bearer tok-a tok-b'],
    ['Basic credentials', `Basic ${Buffer.from('alice:pw-alice').toString('base64')}`],
  ])('answers 401 "missing or bad token" for %s', async (_label, authorization) => {
    const reply = await request('/me', authorization === undefined ? {} : { headers: { authorization } });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="loadseed"');
    expect(jsonOf(reply)).toEqual({ error: 'missing or bad token' });
  });

  it('answers 405 to a POST, with Allow: GET, HEAD', async () => {
    const reply = await request('/me', { method: 'POST', body: 'x', headers: { authorization: 'Bearer tok-alice' } });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('GET /cart', () => {
  it('answers 200 with the user of the session cookie and the fixed items', async () => {
    const reply = await request('/cart', { headers: { cookie: 'theme=dark; session=s-alice; lang=en' } });
    expect(reply.status).toBe(200);
    expect(jsonOf(reply)).toEqual({
      user: 'alice',
      items: [
        { sku: 'a-1', qty: 1 },
        { sku: 'b-2', qty: 2 },
      ],
    });
  });

  it('accepts the cookie that /login set', async () => {
    const login = await post('/login', { username: 'dave', password: 'pw-dave' });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    expect(cookie).toBe('session=s-dave');
    const reply = await request('/cart', { headers: { cookie } });
    expect(reply.status).toBe(200);
    expect((jsonOf(reply) as { user: string }).user).toBe('dave');
  });

  it.each([
    ['no cookie', undefined],
    ['other cookies only', 'theme=dark; lang=en'],
    ['a session without the s- prefix', 'session=alice'],
    ['an empty session', 'session=s-'],
    ['a cookie whose name only ends in session', 'xsession=s-alice'],
  ])('answers 403 for %s', async (_label, cookie) => {
    const reply = await request('/cart', cookie === undefined ? {} : { headers: { cookie } });
    expect(reply.status).toBe(403);
    expect(jsonOf(reply)).toEqual({ error: 'missing or bad session cookie' });
  });
});

describe('POST /cart/items', () => {
  const session = { cookie: 'session=s-alice' };

  it('answers 201 with the sku of the body, as sent', async () => {
    const reply = await post('/cart/items', { sku: 'sku-42', quantity: 1 }, session);
    expect(reply.status).toBe(201);
    expect(jsonOf(reply)).toEqual({ added: 'sku-42' });
    const numeric = await post('/cart/items', { sku: 7 }, session);
    expect(jsonOf(numeric)).toEqual({ added: 7 });
  });

  it('answers 201 with added: null when the body has no sku', async () => {
    for (const body of [{ quantity: 2 }, [1, 2], 'null']) {
      const reply = await post('/cart/items', body, session);
      expect(reply.status).toBe(201);
      expect(jsonOf(reply)).toEqual({ added: null });
    }
  });

  it('does not store anything: GET /cart is unchanged', async () => {
    await post('/cart/items', { sku: 'z-9' }, session);
    const cart = jsonOf(await request('/cart', { headers: session })) as { items: { sku: string }[] };
    expect(cart.items.map((item) => item.sku)).toEqual(['a-1', 'b-2']);
  });

  it('answers 403 without the session cookie, 400 on a body that is not JSON, 413 over 64 KiB, 405 to a GET', async () => {
    const noCookie = await post('/cart/items', { sku: 'a-1' });
    expect(noCookie.status).toBe(403);
    expect(jsonOf(noCookie)).toEqual({ error: 'missing or bad session cookie' });
    expect((await post('/cart/items', 'sku=a-1', session)).status).toBe(400);
    expect((await post('/cart/items', ' '.repeat(64 * 1024 + 1), session)).status).toBe(413);
    const get = await request('/cart/items', { headers: session });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('/redirect', () => {
  it('redirects with 302 by default, Location exactly as given', async () => {
    const reply = await request('/redirect?to=/me', { redirect: 'manual' });
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/me');
    expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(reply.text)));
  });

  it.each([301, 302, 303, 307, 308])('answers status=%d', async (code) => {
    const reply = await request(`/redirect?to=${encodeURIComponent('/json?a=1&b=2')}&status=${code}`, { redirect: 'manual' });
    expect(reply.status).toBe(code);
    expect(reply.headers.get('location')).toBe('/json?a=1&b=2');
  });

  it('redirects to an absolute http or https URL', async () => {
    for (const to of ['https://example.test/a?b=c', 'http://127.0.0.1:9/x', 'HTTP://Example.test']) {
      const reply = await request(`/redirect?to=${encodeURIComponent(to)}&status=308`, { redirect: 'manual' });
      expect(reply.status, to).toBe(308);
      expect(reply.headers.get('location')).toBe(to);
    }
  });

  it('is followed by a client to the target, which sees the headers sent', async () => {
    const response = await fetch(`${server.url}/redirect?to=/headers`, { headers: { 'x-loadseed-test': 'hop' } });
    expect(response.status).toBe(200);
    expect(response.redirected).toBe(true);
    expect(((await response.json()) as Record<string, string>)['x-loadseed-test']).toBe('hop');
  });

  it.each([
    ['no to', '/redirect'],
    ['an empty to', '/redirect?to='],
    ['a relative path', '/redirect?to=me'],
    ['a protocol-relative URL', '/redirect?to=//evil.example/'],
    ['a backslash path', '/redirect?to=/%5Cevil.example'],
    ['another scheme', '/redirect?to=ftp://example.test/'],
    ['a javascript: URL', '/redirect?to=javascript:alert(1)'],
    ['a CR LF (header injection)', '/redirect?to=/me%0d%0aset-cookie:%20x=1'],
    ['a space', '/redirect?to=/a%20b'],
    ['a non-ASCII character', '/redirect?to=/caf%C3%A9'],
    ['a status that is not a redirect', '/redirect?to=/me&status=200'],
    ['status 304', '/redirect?to=/me&status=304'],
    ['a status that is not a number', '/redirect?to=/me&status=abc'],
  ])('answers 400 with a plain-text reason for %s', async (_label, path) => {
    const reply = await request(path, { redirect: 'manual' });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('location')).toBeNull();
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.text).toMatch(/^bad (redirect target|status)/);
  });
});

describe('/headers', () => {
  it('answers 200 with the request headers as JSON, names lower-cased', async () => {
    const reply = await request('/headers', { headers: { 'X-Loadseed-Test': 'hello', authorization: 'Bearer tok-x' } });
    expect(reply.status).toBe(200);
    expect(jsonOf(reply)).toMatchObject({
      host: `127.0.0.1:${server.port}`,
      'x-loadseed-test': 'hello',
      authorization: 'Bearer tok-x',
    });
  });

  it('answers HEAD without a body', async () => {
    const reply = await request('/headers', { method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
  });
});

describe('invalid input', () => {
  it.each([
    '/delay/abc',
    '/delay/-5',
    '/delay/1.5',
    '/delay/60001',
    '/delay',
    '/status/99',
    '/status/600',
    '/status/abc',
    '/bytes/-1',
    '/bytes/1e3',
    '/bytes/104857601',
    '/flaky?rate=2',
    '/flaky?rate=abc',
    '/flaky?rate=-0.1',
    '/flaky?rate=',
    '/latency?mean=100&p99=10',
    '/latency?mean=0&p99=10',
    '/latency?mean=10&p99=1000',
    '/latency?mean=abc',
  ])('%s → 400 with a plain-text reason', async (path) => {
    const reply = await request(path);
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(reply.text)));
    expect(reply.text.length).toBeGreaterThan(10);
  });

  it('explains the allowed latency range', async () => {
    const inverted = await request('/latency?mean=100&p99=10');
    expect(inverted.text).toContain('p99 must be >= mean');
    const tooWide = await request('/latency?mean=10&p99=1000');
    expect(tooWide.text).toContain('p99/mean must be <= 14.97');
  });

  it.each(['/nope', '/json/extra', '/delayed/5', '/echo/x', '//delay/5', '/login/x', '/me/x', '/cart/x', '/cart/items/x', '/headers/x'])(
    '%s → 404 listing the routes',
    async (path) => {
      const reply = await request(path);
      expect(reply.status).toBe(404);
      expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(reply.text).toContain('/delay/:ms');
      expect(reply.text).toContain('/latency');
      for (const route of ['/redirect', '/headers', 'POST /login', 'GET /me', 'GET /cart', 'POST /cart/items']) {
        expect(reply.text).toContain(route);
      }
      expect(reply.text).not.toContain('\n');
    },
  );

  it('keeps serving after bad input', async () => {
    expect((await request('/')).status).toBe(200);
  });
});

describe('lifecycle', () => {
  it('counts every request, whatever its outcome', async () => {
    const counted = await startTargetServer();
    try {
      expect(counted.requestCount()).toBe(0);
      for (const path of ['/', '/json', '/status/500', '/nope', '/delay/abc']) {
        await (await fetch(`${counted.url}${path}`)).text();
      }
      expect(counted.requestCount()).toBe(5);
    } finally {
      await counted.close();
    }
  });

  it('closes promptly with a /delay/30000 request in flight, idempotently', async () => {
    const closing = await startTargetServer();
    const inFlight = fetch(`${closing.url}/delay/30000`).then(
      () => 'answered',
      () => 'failed',
    );
    while (closing.requestCount() < 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = closing.close();
    const second = closing.close();
    // Resolves without waiting for the pending /delay: that request is cut, not answered (below).
    await Promise.all([first, second]);
    expect(second).toBe(first);
    await closing.close();
    expect(await inFlight).toBe('failed');
    await expect(fetch(`${closing.url}/`)).rejects.toThrow();
  });
});
