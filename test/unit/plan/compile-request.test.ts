import { describe, expect, it } from 'vitest';
import { compileRequest, DEFAULT_TIMEOUT_MS, expectedStatusesOf, thinkTimeOf } from '../../../src/plan/compile-request.js';

const text = (buffer: Buffer | undefined): string | undefined => buffer?.toString('utf8');

describe('compileRequest', () => {
  it('splits the URL into origin and path, merging the query once, encoded', () => {
    const request = compileRequest({ path: '/items?x=1', query: { q: 'a b&c', b: [1, true] } }, 'http://shop.local:8080/api/', {
      query: { q: 'default', d: 'é' },
    });
    expect(request.origin).toBe('http://shop.local:8080');
    expect(request.path).toBe('/api/items?x=1&q=a%20b%26c&d=%C3%A9&b=1&b=true');
    expect(request.url).toBe('http://shop.local:8080/api/items?x=1&q=a%20b%26c&d=%C3%A9&b=1&b=true');
    expect(request.method).toBe('GET');
    expect(request.name).toBe('GET /items?x=1');
  });

  it('uses an absolute url instead of the target, default ports left implicit', () => {
    const request = compileRequest({ name: 'ext', method: 'DELETE', url: 'https://api.example.com/v1/things/7' }, 'http://ignored');
    expect(request).toMatchObject({
      name: 'ext',
      method: 'DELETE',
      origin: 'https://api.example.com',
      path: '/v1/things/7',
      url: 'https://api.example.com/v1/things/7',
    });
  });

  it('merges default headers with the request, names lower-cased, request wins, as a flat list', () => {
    const request = compileRequest({ path: '/', headers: { accept: 'application/json', 'X-Num': 5, 'X-Flag': false } }, 'http://h', {
      headers: { 'X-Trace': 'abc', Accept: 'text/plain' },
    });
    expect(request.headers).toEqual(['x-trace', 'abc', 'accept', 'application/json', 'x-num', '5', 'x-flag', 'false']);
  });

  it('encodes a json body once and sets its content-type, unless the scenario set one', () => {
    const json = compileRequest({ method: 'POST', path: '/', json: { a: 1, b: ['x'] } }, 'http://h');
    expect(text(json.body)).toBe('{"a":1,"b":["x"]}');
    expect(json.headers).toEqual(['content-type', 'application/json']);
    const custom = compileRequest(
      { method: 'POST', path: '/', json: [1], headers: { 'Content-Type': 'application/vnd.x+json' } },
      'http://h',
    );
    expect(custom.headers).toEqual(['content-type', 'application/vnd.x+json']);
  });

  it('encodes a form as urlencoded with its content-type, and sends a raw body as is', () => {
    const form = compileRequest({ method: 'POST', path: '/', form: { name: 'a b', n: 2, ok: true } }, 'http://h');
    expect(text(form.body)).toBe('name=a+b&n=2&ok=true');
    expect(form.headers).toEqual(['content-type', 'application/x-www-form-urlencoded']);
    const raw = compileRequest({ method: 'PUT', path: '/', body: 'héllo' }, 'http://h');
    expect(raw.body).toEqual(Buffer.from('héllo', 'utf8'));
    expect(raw.body?.length).toBe(6);
    expect(raw.headers).toEqual([]);
    expect(compileRequest({ path: '/' }, 'http://h').body).toBeUndefined();
  });

  it('turns auth into an authorization header (an explicit one wins)', () => {
    expect(compileRequest({ path: '/', auth: { bearer: 't0k' } }, 'http://h').headers).toEqual(['authorization', 'Bearer t0k']);
    expect(compileRequest({ path: '/' }, 'http://h', { auth: { basic: { username: 'u', password: 'p:w' } } }).headers).toEqual([
      'authorization',
      `Basic ${Buffer.from('u:p:w').toString('base64')}`,
    ]);
    expect(compileRequest({ path: '/', auth: { bearer: 't' }, headers: { Authorization: 'Custom x' } }, 'http://h').headers).toEqual([
      'authorization',
      'Custom x',
    ]);
  });

  it('takes the timeout from the request, else the defaults, else 10 s', () => {
    expect(compileRequest({ path: '/' }, 'http://h').timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBe(10_000);
    expect(compileRequest({ path: '/' }, 'http://h', { timeout: '2s' }).timeoutMs).toBe(2000);
    expect(compileRequest({ path: '/', timeout: '250ms' }, 'http://h', { timeout: '2s' }).timeoutMs).toBe(250);
  });

  it('keeps the weight, the expected statuses and the think time', () => {
    const request = compileRequest(
      { path: '/', weight: 2.5, expect: [204, 200, 200], think_time: { min: '100ms', max: '1s' } },
      'http://h',
    );
    expect(request.weight).toBe(2.5);
    expect(request.expectedStatuses).toEqual([200, 204]);
    expect(request.thinkTime).toEqual({ minMs: 100, maxMs: 1000 });
    const plain = compileRequest({ path: '/' }, 'http://h');
    expect('weight' in plain || 'expectedStatuses' in plain || 'thinkTime' in plain).toBe(false);
    const defaulted = compileRequest({ path: '/' }, 'http://h', { expect: 201, think_time: 2 });
    expect(defaulted.expectedStatuses).toEqual([201]);
    expect(defaulted.thinkTime).toEqual({ minMs: 2000, maxMs: 2000 });
  });
});

describe('expectedStatusesOf', () => {
  it('reads a number, a list or {status}; anything else means any 2xx/3xx', () => {
    expect(expectedStatusesOf(201)).toEqual([201]);
    expect(expectedStatusesOf([404, 200])).toEqual([200, 404]);
    expect(expectedStatusesOf({ status: 202 })).toEqual([202]);
    expect(expectedStatusesOf({ status: [500, 503] })).toEqual([500, 503]);
    expect(expectedStatusesOf({ body_contains: 'ok' })).toBeUndefined();
    expect(expectedStatusesOf(undefined)).toBeUndefined();
  });
});

describe('thinkTimeOf', () => {
  it('reads a fixed or a random pause in ms; zero is none', () => {
    expect(thinkTimeOf('1.5s')).toEqual({ minMs: 1500, maxMs: 1500 });
    expect(thinkTimeOf({ min: 0, max: '200ms' })).toEqual({ minMs: 0, maxMs: 200 });
    expect(thinkTimeOf(0)).toBeUndefined();
    expect(thinkTimeOf('0s')).toBeUndefined();
    expect(thinkTimeOf(undefined)).toBeUndefined();
  });
});
