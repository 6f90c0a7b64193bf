import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserCookieJar } from '../../../src/transport/cookie-jar.js';

const BASE = 'http://127.0.0.1:8080';

describe('UserCookieJar', () => {
  it('gives nothing before any cookie is stored', () => {
    const jar = new UserCookieJar();
    expect(jar.cookieHeader(`${BASE}/`)).toBeUndefined();
    jar.store(`${BASE}/`, undefined);
    jar.store(`${BASE}/`, []);
    expect(jar.cookieHeader(`${BASE}/`)).toBeUndefined();
  });

  it('round-trips cookies on a loopback address, one value or several', () => {
    const jar = new UserCookieJar();
    jar.store(`${BASE}/login`, 'session=abc; Path=/; HttpOnly');
    jar.store(`${BASE}/login`, ['theme=dark', 'lang=fr; Path=/']);
    expect(jar.cookieHeader(`${BASE}/login`)).toBe('session=abc; theme=dark; lang=fr');
    expect(jar.cookieHeader(`${BASE}/other`)).toBe('session=abc; theme=dark; lang=fr');
    // Another port of the same host shares cookies (RFC 6265); another host does not.
    expect(jar.cookieHeader('http://127.0.0.1:9090/')).toBe('session=abc; theme=dark; lang=fr');
    expect(jar.cookieHeader('http://127.0.0.2:8080/')).toBeUndefined();
  });

  it('works for localhost and a name without a public suffix', () => {
    const jar = new UserCookieJar();
    jar.store('http://localhost:3000/', 'a=1');
    jar.store('http://backend/', 'b=2');
    expect(jar.cookieHeader('http://localhost:3000/x')).toBe('a=1');
    expect(jar.cookieHeader('http://backend/y')).toBe('b=2');
  });

  it('replaces a cookie of the same name, domain and path', () => {
    const jar = new UserCookieJar();
    jar.store(`${BASE}/`, 'token=1');
    jar.store(`${BASE}/`, 'token=2');
    expect(jar.cookieHeader(`${BASE}/`)).toBe('token=2');
  });

  it('scopes cookies by path', () => {
    const jar = new UserCookieJar();
    jar.store(`${BASE}/api/login`, 'api=1; Path=/api');
    jar.store(`${BASE}/`, 'root=1; Path=/');
    expect(jar.cookieHeader(`${BASE}/api/items`)).toBe('api=1; root=1');
    expect(jar.cookieHeader(`${BASE}/api`)).toBe('api=1; root=1');
    expect(jar.cookieHeader(`${BASE}/apix`)).toBe('root=1');
    expect(jar.cookieHeader(`${BASE}/`)).toBe('root=1');
  });

  it('forgets a cookie on Max-Age=0 and an expired one', () => {
    const jar = new UserCookieJar();
    jar.store(`${BASE}/`, ['a=1', 'b=2', 'c=3']);
    jar.store(`${BASE}/`, 'a=gone; Max-Age=0');
    jar.store(`${BASE}/`, 'b=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.cookieHeader(`${BASE}/`)).toBe('c=3');
    jar.store(`${BASE}/`, 'c=; Max-Age=0');
    expect(jar.cookieHeader(`${BASE}/`)).toBeUndefined();
  });

  it('keeps a Secure cookie for https (and loopback) only', () => {
    const jar = new UserCookieJar();
    jar.store('https://shop.example/', 'secure=1; Secure');
    expect(jar.cookieHeader('https://shop.example/')).toBe('secure=1');
    expect(jar.cookieHeader('http://shop.example/')).toBeUndefined();
    jar.store(`${BASE}/`, 'local=1; Secure');
    expect(jar.cookieHeader(`${BASE}/`)).toBe('local=1');
  });

  it('ignores a cookie it cannot take, never throws', () => {
    const jar = new UserCookieJar();
    jar.store(`${BASE}/`, 'x=1; Domain=other.example');
    jar.store(`${BASE}/`, '');
    jar.store('not a url', 'y=1');
    expect(jar.cookieHeader(`${BASE}/`)).toBeUndefined();
    expect(jar.cookieHeader('not a url')).toBeUndefined();
  });

  describe('reuses the header of an origin only while that is exact', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('a cookie with an expiry: gone once it expires, though the header was reused before', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const jar = new UserCookieJar();
      jar.store(`${BASE}/login`, 'short=1; Path=/; Max-Age=60');
      expect(jar.cookieHeader(`${BASE}/a`)).toBe('short=1');
      expect(jar.cookieHeader(`${BASE}/b`)).toBe('short=1');
      vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
      expect(jar.cookieHeader(`${BASE}/c`)).toBeUndefined();
    });

    it('a cookie for a narrower path: each path gets its own header', () => {
      const jar = new UserCookieJar();
      jar.store(`${BASE}/login`, 'root=1; Path=/');
      expect(jar.cookieHeader(`${BASE}/api/items`)).toBe('root=1');
      jar.store(`${BASE}/api/login`, 'api=1; Path=/api');
      expect(jar.cookieHeader(`${BASE}/api/items`)).toBe('api=1; root=1');
      expect(jar.cookieHeader(`${BASE}/other`)).toBe('root=1');
      expect(jar.cookieHeader(`${BASE}/api/more`)).toBe('api=1; root=1');
    });

    it('another origin, or a new cookie: looked up again', () => {
      const jar = new UserCookieJar();
      jar.store(`${BASE}/`, 'a=1');
      expect(jar.cookieHeader(`${BASE}/x`)).toBe('a=1');
      expect(jar.cookieHeader('https://shop.example/x')).toBeUndefined();
      expect(jar.cookieHeader(`${BASE}/y`)).toBe('a=1');
      jar.store(`${BASE}/`, 'b=2');
      expect(jar.cookieHeader(`${BASE}/z`)).toBe('a=1; b=2');
    });
  });
});
