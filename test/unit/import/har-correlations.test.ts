import { describe, expect, it } from 'vitest';
import { findCorrelations } from '../../../src/import/har-correlations.js';
import type { HarEntry } from '../../../src/import/har-document.js';

function entry(index: number, request: Partial<HarEntry>, responseText?: string, responseHeaders: [string, string][] = []): HarEntry {
  return {
    index,
    startedAtMs: index * 1000,
    timeMs: 10,
    method: 'GET',
    url: 'http://a.test/',
    requestHeaders: [],
    status: 200,
    responseHeaders,
    responseMimeType: 'application/json',
    ...(responseText === undefined ? {} : { responseText }),
    ...request,
  };
}

describe('findCorrelations', () => {
  it('finds a response value sent later in a JSON body, a query and a header, from the latest response before the use', () => {
    const entries = [
      entry(
        0,
        { method: 'POST', postData: { mimeType: 'application/json', text: '{"user":"ann-the-admin"}' } },
        '{"user":"ann-the-admin","session":{"id":"sess-0001-aaaa"}}',
      ),
      entry(
        1,
        { method: 'POST', postData: { mimeType: 'application/json', text: '{"session":"sess-0001-aaaa","n":1}' } },
        '{"next":"cursor-2bb2-xyz"}',
      ),
      entry(2, { url: 'http://a.test/list?cursor=cursor-2bb2-xyz' }, '{"next":"cursor-3cc3-xyz"}', [['X-Csrf-Token', 'csrf-token-9999']]),
      entry(3, { url: 'http://a.test/list?cursor=cursor-3cc3-xyz', requestHeaders: [['x-csrf-token', 'csrf-token-9999']] }),
    ];
    // In the order of first use; two first used by one request, in no promised order: sorted here.
    expect(findCorrelations(entries).sort((a, b) => a.variable.localeCompare(b.variable))).toEqual([
      { variable: 'id', value: 'sess-0001-aaaa', sourceIndex: 0, capture: { as: 'id', json: '$.session.id' }, usedBy: [1] },
      { variable: 'next', value: 'cursor-2bb2-xyz', sourceIndex: 1, capture: { as: 'next', json: '$.next' }, usedBy: [2] },
      { variable: 'next_2', value: 'cursor-3cc3-xyz', sourceIndex: 2, capture: { as: 'next_2', json: '$.next' }, usedBy: [3] },
      {
        variable: 'x_csrf_token',
        value: 'csrf-token-9999',
        sourceIndex: 2,
        capture: { as: 'x_csrf_token', header: 'x-csrf-token' },
        usedBy: [3],
      },
    ]);
  });

  it('ignores values the client sent before (an echo), short values and text that is not token-like', () => {
    const entries = [
      entry(
        0,
        { url: 'http://a.test/?q=known-value-123' },
        '{"echo":"known-value-123","short":"abc","text":"two words here","n":12345678}',
      ),
      entry(1, { url: 'http://a.test/?a=known-value-123&b=abc&c=two%20words%20here&d=12345678' }),
    ];
    expect(findCorrelations(entries)).toEqual([]);
  });

  it('reads keys that are not identifiers with bracket notation', () => {
    const entries = [
      entry(0, {}, '{"access token":{"it\'s":"tok-abcdef-123"}}'),
      entry(1, { requestHeaders: [['Authorization', 'Bearer tok-abcdef-123']] }),
    ];
    expect(findCorrelations(entries)[0]?.capture).toEqual({ as: 'it_s', json: "$['access token']['it\\'s']" });
  });
});
