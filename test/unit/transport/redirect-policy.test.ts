import { describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../../src/transport/exchange.js';
import { nextRedirect } from '../../../src/transport/redirect-policy.js';
import type { RedirectSettings } from '../../../src/transport/redirect-policy.js';

const ORIGIN = 'http://api.test:8080';
const FOLLOW: RedirectSettings = { follow: true, max: 5, allowOrigins: [] };

const post: OutgoingRequest = {
  method: 'POST',
  origin: ORIGIN,
  path: '/orders/new?draft=1',
  headers: [
    'accept',
    'application/json',
    'content-type',
    'application/json',
    'authorization',
    'Bearer secret',
    'proxy-authorization',
    'Basic cHJveHk=',
    'cookie',
    'session=abc',
    'x-api-key',
    'key-123',
    'x-auth-token',
    'tok',
    'user-agent',
    'loadseed',
    'host',
    'api.test:8080',
  ],
  body: Buffer.from('{"item":1}'),
};

const followed = (decision: ReturnType<typeof nextRedirect>): OutgoingRequest => {
  if (decision.kind !== 'follow') throw new Error(`expected follow, got ${JSON.stringify(decision)}`);
  return decision.request;
};
const headerNames = (request: OutgoingRequest): string[] => request.headers.filter((_, i) => i % 2 === 0);

describe('nextRedirect: which responses are followed', () => {
  it.each([200, 204, 300, 304, 305, 400, 500])('status %i: none', (status) => {
    expect(nextRedirect(post, status, '/elsewhere', FOLLOW, 0)).toEqual({ kind: 'none' });
  });

  it('none when following is off, or there is no location', () => {
    expect(nextRedirect(post, 302, '/x', { ...FOLLOW, follow: false }, 0)).toEqual({ kind: 'none' });
    expect(nextRedirect(post, 302, undefined, FOLLOW, 0)).toEqual({ kind: 'none' });
    expect(nextRedirect(post, 302, '', FOLLOW, 0)).toEqual({ kind: 'none' });
  });
});

describe('nextRedirect: method and body', () => {
  it.each([301, 302, 303])('%i: GET without body, and without the headers of the body', (status) => {
    const next = followed(nextRedirect(post, status, '/orders/42', FOLLOW, 0));
    expect(next.method).toBe('GET');
    expect(next.body).toBeUndefined();
    expect('body' in next).toBe(false);
    expect(headerNames(next)).not.toContain('content-type');
    expect(next.origin).toBe(ORIGIN);
    expect(next.path).toBe('/orders/42');
  });

  it('303 turns any method into GET', () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'GET']) {
      expect(followed(nextRedirect({ ...post, method }, 303, '/done', FOLLOW, 0)).method).toBe('GET');
    }
  });

  it('a HEAD stays a HEAD', () => {
    const head: OutgoingRequest = { method: 'HEAD', origin: ORIGIN, path: '/', headers: [] };
    for (const status of [301, 302, 303, 307, 308]) expect(followed(nextRedirect(head, status, '/x', FOLLOW, 0)).method).toBe('HEAD');
  });

  it.each([307, 308])('%i: same method, same body, content-type kept', (status) => {
    const next = followed(nextRedirect(post, status, '/orders/v2/new', FOLLOW, 0));
    expect(next.method).toBe('POST');
    expect(next.body?.toString()).toBe('{"item":1}');
    expect(next.headers).toContain('content-type');
  });
});

describe('nextRedirect: location', () => {
  it('resolves a relative location against the request URL, keeps the query, drops the fragment', () => {
    expect(followed(nextRedirect(post, 302, 'confirm?x=1#top', FOLLOW, 0)).path).toBe('/orders/confirm?x=1');
    expect(followed(nextRedirect(post, 302, '../up', FOLLOW, 0)).path).toBe('/up');
    expect(followed(nextRedirect(post, 302, '?page=2', FOLLOW, 0)).path).toBe('/orders/new?page=2');
    expect(followed(nextRedirect(post, 302, `${ORIGIN}/abs`, FOLLOW, 0)).path).toBe('/abs');
  });

  it('an absolute location on the same origin (default port written or not) is same-origin', () => {
    const https: OutgoingRequest = { ...post, origin: 'https://api.test' };
    const next = followed(nextRedirect(https, 302, 'https://API.test:443/x', FOLLOW, 0));
    expect(next.origin).toBe('https://api.test');
    expect(next.headers).toContain('authorization');
  });

  it('refuses a location that is not an http(s) URL', () => {
    expect(nextRedirect(post, 302, 'ftp://api.test/file', FOLLOW, 0).kind).toBe('refused');
    expect(nextRedirect(post, 302, 'http://[bad', FOLLOW, 0).kind).toBe('refused');
  });
});

describe('nextRedirect: hop limit', () => {
  it('follows up to max hops, then refuses', () => {
    expect(nextRedirect(post, 302, '/x', FOLLOW, 4).kind).toBe('follow');
    expect(nextRedirect(post, 302, '/x', FOLLOW, 5)).toEqual({ kind: 'refused', reason: 'too many redirects (max 5)' });
    expect(nextRedirect(post, 302, '/x', { ...FOLLOW, max: 1 }, 1)).toEqual({ kind: 'refused', reason: 'too many redirects (max 1)' });
  });
});

describe('nextRedirect: origins and credentials', () => {
  it('refuses another origin unless it is allowed, naming it', () => {
    expect(nextRedirect(post, 302, 'http://other:1234/login', FOLLOW, 0)).toEqual({
      kind: 'refused',
      reason: 'redirect to http://other:1234 not allowed (add it to http.redirects.allow_origins)',
    });
    // Another scheme or port is another origin.
    expect(nextRedirect(post, 302, 'https://api.test:8080/x', FOLLOW, 0).kind).toBe('refused');
    expect(nextRedirect(post, 302, 'http://api.test:8081/x', FOLLOW, 0).kind).toBe('refused');
  });

  it('follows an allowed origin (written with a trailing slash or in capitals) and strips credentials', () => {
    const settings = { ...FOLLOW, allowOrigins: ['HTTP://Other:1234/'] };
    const next = followed(nextRedirect(post, 307, 'http://other:1234/login', settings, 0));
    expect(next.origin).toBe('http://other:1234');
    expect(next.path).toBe('/login');
    expect(next.headers).toEqual(['accept', 'application/json', 'content-type', 'application/json', 'user-agent', 'loadseed']);
    expect(next.body?.toString()).toBe('{"item":1}');
  });

  it('on a cross-origin 302, drops authorization, cookie, x-api-key and the body headers, keeps accept', () => {
    const next = followed(nextRedirect(post, 302, 'http://other:1234/login', { ...FOLLOW, allowOrigins: ['http://other:1234'] }, 0));
    expect(headerNames(next)).toEqual(['accept', 'user-agent']);
  });

  it('on a same-origin hop, keeps the headers (but host, recomputed)', () => {
    const next = followed(nextRedirect(post, 307, '/orders/v2', FOLLOW, 0));
    expect(headerNames(next)).toEqual([
      'accept',
      'content-type',
      'authorization',
      'proxy-authorization',
      'cookie',
      'x-api-key',
      'x-auth-token',
      'user-agent',
    ]);
  });
});
