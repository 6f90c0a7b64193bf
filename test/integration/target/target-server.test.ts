import { STATUS_CODES } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';

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
    const reply = await request('/delay/150');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('ok');
    expect(reply.headers.get('content-length')).toBe('2');
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(149); // timers may fire up to 1 ms "early" vs performance.now
    expect(reply.elapsedMs).toBeLessThan(1000);
  });

  it('answers /delay/0 at once, and tolerates a trailing slash', async () => {
    const zero = await request('/delay/0');
    expect(zero.status).toBe(200);
    expect(zero.elapsedMs).toBeLessThan(500);
    const slash = await request('/delay/10/');
    expect(slash.status).toBe(200);
    expect(slash.text).toBe('ok');
  });

  it('stays healthy when a client disconnects before the delay ends', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/delay/5000`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
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
  it('has an observed mean of 10..40 ms for mean=20&p99=60 over 100 concurrent requests', async () => {
    // Open the connections first, so connection setup is not counted as latency.
    await requestMany('/', 100, 100);
    const replies = await requestMany('/latency?mean=20&p99=60', 100, 100);
    expect(countStatus(replies, 200)).toBe(100);
    expect(replies.every((reply) => reply.text === 'ok')).toBe(true);
    const meanMs = replies.reduce((sum, reply) => sum + reply.elapsedMs, 0) / replies.length;
    expect(meanMs).toBeGreaterThanOrEqual(10);
    expect(meanMs).toBeLessThanOrEqual(40);
  });

  it('fills in a missing p99 from the default ratio', async () => {
    const reply = await request('/latency?mean=5');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('ok');
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

  it.each(['/nope', '/json/extra', '/delayed/5', '/echo/x', '//delay/5'])('%s → 404 listing the routes', async (path) => {
    const reply = await request(path);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.text).toContain('/delay/:ms');
    expect(reply.text).toContain('/latency');
    expect(reply.text).not.toContain('\n');
  });

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
    const startedAt = performance.now();
    const first = closing.close();
    const second = closing.close();
    await Promise.all([first, second]);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(second).toBe(first);
    await closing.close();
    expect(await inFlight).toBe('failed');
    await expect(fetch(`${closing.url}/`)).rejects.toThrow();
  });
});
