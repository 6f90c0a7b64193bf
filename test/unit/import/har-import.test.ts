import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/errors.js';
import { importHar } from '../../../src/import/har-import.js';

/** A small HAR made for these tests: a page, static assets, a preflight, a log-in whose token and ids later requests send. */
const SHOP_HAR = readFileSync(new URL('../../fixtures/import/shop.har', import.meta.url), 'utf8');
const SECRETS = [
  's-abc123456789',
  'dark-mode',
  'Secr3t-Passw0rd',
  'at-7f3a9c2e1b',
  'key-Zz9y8x7w',
  'csrf-5d1e8f7a9b',
  'usr-000042-x',
  'qtok-998877',
];

function issuesOf(text: string): string[] {
  try {
    importHar(text, { file: 'x.har' });
  } catch (error) {
    if (error instanceof ScenarioError)
      return error.issues.map((issue) => `${issue.line ?? ''}:${issue.column ?? ''} ${issue.path}: ${issue.message}`);
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('importHar', () => {
  it('keeps the API calls in order as one flow: pauses from the gaps, captures where later requests use a value, secrets as ${ENV}', () => {
    const result = importHar(SHOP_HAR, { file: 'shop.har' });
    expect(result.scenario['target']).toBe('${TARGET_URL:-https://shop.test}');
    expect(result.scenario['flows']).toEqual([
      {
        name: 'recorded',
        steps: [
          { name: 'GET /', path: '/', headers: { Accept: 'text/html' } },
          { think: '150ms' },
          {
            name: 'POST /api/login',
            method: 'POST',
            path: '/api/login',
            json: { email: 'ann@shop.test', password: '${PASSWORD}' },
            headers: { Cookie: '${COOKIE}' },
            capture: [
              { as: 'access_token', json: '$.access_token' },
              { as: 'id', json: '$.user.id' },
              { as: 'x_csrf_token', header: 'x-csrf-token' },
            ],
          },
          { think: '1s500ms' },
          {
            name: 'GET /api/users/:id',
            path: '/api/users/{{ id }}?fields=all',
            headers: { Authorization: 'Bearer {{ access_token }}', 'X-API-Key': '${X_API_KEY}', Accept: 'application/json' },
          },
          { think: '10s' },
          {
            name: 'POST /api/cart',
            method: 'POST',
            path: '/api/cart',
            headers: { 'X-CSRF-Token': '{{ x_csrf_token }}' },
            form: { sku: 'A-1', csrf: '{{ x_csrf_token }}' },
          },
          { name: 'GET /api/items', path: '/api/items?token=${TOKEN}&page=2', headers: { Accept: 'application/json' } },
        ],
      },
    ]);
    expect(result.env).toEqual(['COOKIE', 'PASSWORD', 'X_API_KEY', 'TOKEN']);
    expect(result.notes).toEqual([
      'secret: ${COOKIE} stands for the Cookie header (log.entries[4])',
      'secret: ${PASSWORD} stands for the JSON field password of the body (log.entries[4])',
      'secret: ${X_API_KEY} stands for the X-API-Key header (log.entries[5])',
      'secret: ${TOKEN} stands for the query parameter token (log.entries[8])',
      'log.entries[7]: wss: request left out (only http:// and https:// are imported)',
      '2 static assets (styles, scripts, images, fonts) left out: --include-static keeps them',
      'correlation: {{ access_token }} captured from POST /api/login (log.entries[4]) ($.access_token), sent by GET /api/users/:id (log.entries[5])',
      'correlation: {{ id }} captured from POST /api/login (log.entries[4]) ($.user.id), sent by GET /api/users/:id (log.entries[5])',
      'correlation: {{ x_csrf_token }} captured from POST /api/login (log.entries[4]) (header x-csrf-token), sent by POST /api/cart (log.entries[6])',
      '3 pauses (think) from the recorded gaps between requests (under 100ms skipped, over 10s capped)',
      'browser headers left out: accept-encoding, content-length, host, sec-fetch-mode, user-agent',
    ]);
  });

  it('never writes a secret or a correlated value of the input', () => {
    const result = importHar(SHOP_HAR, { file: 'shop.har' });
    const text = JSON.stringify(result);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('keeps static assets with includeStatic, and uses --target instead of the recorded origin', () => {
    const result = importHar(SHOP_HAR, { file: 'shop.har', includeStatic: true, target: 'http://127.0.0.1:3000' });
    expect(result.scenario['target']).toBe('http://127.0.0.1:3000');
    const steps = (result.scenario['flows'] as { steps: Record<string, unknown>[] }[])[0]?.steps ?? [];
    expect(steps.filter((step) => 'name' in step).map((step) => step['path'] ?? step['url'])).toEqual([
      '/',
      '/static/app.css',
      'https://cdn.shop.test/logo.svg',
      '/api/login',
      '/api/users/{{ id }}?fields=all',
      '/api/cart',
      '/api/items?token=${TOKEN}&page=2',
    ]);
  });

  it('refuses malformed JSON at its line and column, and a HAR without entries or with a broken entry at the value', () => {
    expect(issuesOf('{\n  "log": {\n    "entries": [,]\n  }\n}')).toEqual([
      expect.stringMatching(/^3:17 : not valid JSON \(a HAR file is JSON\): Unexpected token/),
    ]);
    expect(issuesOf('{"log": {"version": "1.2"}}')).toEqual([
      '1:9 log: expected a HAR file: an object with log.entries, a list of requests',
    ]);
    expect(issuesOf('[1, 2]')).toEqual(['1:1 : expected a HAR file: an object with log.entries, a list of requests']);
    const broken =
      '{"log": {"entries": [\n  {"startedDateTime": "2024-01-01T00:00:00Z", "request": {"method": "GET"}},\n  {"startedDateTime": "yesterday", "request": {"method": "GET", "url": "http://a.test/"}}\n]}}';
    expect(issuesOf(broken)).toEqual([
      '2:58 log.entries[0].request.url: expected the request URL',
      '3:23 log.entries[1].startedDateTime: expected the start time, an ISO 8601 date',
    ]);
    expect(issuesOf('{"log": {"entries": []}}')).toEqual([
      ': log.entries: no request to import (static assets are left out: --include-static keeps them)',
    ]);
  });
});
