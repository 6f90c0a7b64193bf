import { describe, expect, it } from 'vitest';
import { HookRequest, HookResponse, scriptError, verdictOf } from '../../../src/flow/hooks.js';
import type { OutgoingRequest } from '../../../src/transport/exchange.js';

const OUTGOING: OutgoingRequest = {
  method: 'POST',
  origin: 'http://127.0.0.1:8080',
  path: '/orders?a=1',
  headers: ['content-type', 'application/json', 'x-one', '1'],
  body: Buffer.from('{"n":1}'),
};

describe('HookRequest: what before_request sees and what is sent after it', () => {
  it('shows the rendered request; left alone, the same request goes out (the same body bytes)', () => {
    const request = new HookRequest(OUTGOING);
    expect({ method: request.method, url: request.url, headers: request.headers, body: request.body }).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:8080/orders?a=1',
      headers: { 'content-type': 'application/json', 'x-one': '1' },
      body: '{"n":1}',
    });
    const out = request.toOutgoing();
    expect(out).toEqual(OUTGOING);
    expect(out.body).toBe(OUTGOING.body);
  });

  it('takes the changes: method, url (origin and path), headers (lower-cased, framing ones left out), body', () => {
    const request = new HookRequest(OUTGOING);
    request.method = 'put';
    request.url = 'http://localhost:9000/other/path?x=%20y';
    request.headers = { 'X-Signature': 'abc', 'Content-Length': '999', 'x-count': 3 as unknown as string };
    request.body = 'signed';
    expect(request.toOutgoing()).toEqual({
      method: 'PUT',
      origin: 'http://localhost:9000',
      path: '/other/path?x=%20y',
      headers: ['x-signature', 'abc', 'x-count', '3'],
      body: Buffer.from('signed'),
    });
    request.body = undefined;
    expect(request.toOutgoing().body).toBeUndefined();
  });

  it('refuses what cannot be sent: a URL that is not absolute (script), a header value with CR LF (invalid header)', () => {
    const badUrl = new HookRequest(OUTGOING);
    badUrl.url = '/relative';
    expect(() => badUrl.toOutgoing()).toThrow(expect.objectContaining({ code: 'LS_SCRIPT' }));
    const badHeader = new HookRequest(OUTGOING);
    badHeader.headers['x-evil'] = 'a\r\nb: c';
    expect(() => badHeader.toOutgoing()).toThrow(expect.objectContaining({ code: 'LS_INVALID_HEADER' }));
  });
});

describe('HookResponse, verdicts and script errors', () => {
  it('gives status, headers and the body as text', () => {
    const response = new HookResponse({
      status: 201,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('héllo'),
      bodyBytes: 6,
      bytesIn: 80,
      bytesOut: 60,
      protocol: 'http/1.1',
    });
    expect([response.status, response.headers['content-type'], response.body]).toEqual([201, 'text/plain', 'héllo']);
  });

  it('a string or an Error fails the response; anything else passes', () => {
    expect([
      verdictOf('too slow'),
      verdictOf(new Error('bad')),
      verdictOf(''),
      verdictOf(undefined),
      verdictOf(true),
      verdictOf(0),
    ]).toEqual(['too slow', 'bad', 'failed the response', undefined, undefined, undefined]);
  });

  it('a script error names the hook and carries LS_SCRIPT, redacted', () => {
    const error = scriptError('sign', new Error('key s3cret-value missing'), (text) => text.replace('s3cret-value', '***'));
    expect(error.message).toBe('sign: key *** missing');
    expect((error as Error & { code: string }).code).toBe('LS_SCRIPT');
    expect(scriptError('f', 'plain text', (text) => text).message).toBe('f: plain text');
  });
});
