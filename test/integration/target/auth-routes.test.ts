import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SIGNING_KEY } from '../../../src/target/auth-routes.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';

let server: TargetServer;
beforeAll(async () => {
  server = await startTargetServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function signature(body: string): string {
  return createHmac('sha256', DEMO_SIGNING_KEY).update(body).digest('hex');
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CREDENTIALS = `grant_type=client_credentials&client_id=${DEMO_CLIENT_ID}&client_secret=${DEMO_CLIENT_SECRET}`;

describe('POST /signed', () => {
  it('accepts a body with its HMAC-SHA256 in X-Signature (hex, or sha256=hex), 401 otherwise', async () => {
    const body = '{"order":1}';
    expect(await call('/signed', { method: 'POST', body, headers: { 'x-signature': signature(body) } })).toEqual({
      status: 200,
      body: { ok: true, bytes: 11 },
    });
    expect((await call('/signed', { method: 'POST', body, headers: { 'x-signature': `sha256=${signature(body)}` } })).status).toBe(200);
    expect((await call('/signed', { method: 'POST', body: `${body} `, headers: { 'x-signature': signature(body) } })).body).toEqual({
      error: 'bad signature',
    });
    expect((await call('/signed', { method: 'POST', body })).status).toBe(401);
    expect((await call('/signed', { method: 'POST', body, headers: { 'x-signature': 'zz' } })).status).toBe(401);
    expect((await call('/signed')).status).toBe(405);
  });
});

describe('OAuth client credentials: /oauth/token and /oauth/resource', () => {
  it('issues a token (form, JSON or Basic) that the resource accepts until it expires', async () => {
    const form = await call('/oauth/token?ttl=300ms', { method: 'POST', headers: FORM, body: CREDENTIALS });
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ token_type: 'Bearer', expires_in: 1, expires_in_ms: 300 });
    const token = form.body['access_token'] as string;
    const json = await call('/oauth/token?lifetime_ms=60000', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET }),
    });
    expect(json.body).toMatchObject({ expires_in: 60, expires_in_ms: 60_000 });
    const basic = await call('/oauth/token', {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}` },
    });
    expect(basic.body).toMatchObject({ expires_in: 3600 });

    expect(await call('/oauth/resource', { headers: { authorization: `Bearer ${token}` } })).toEqual({
      status: 200,
      body: { ok: true, client_id: DEMO_CLIENT_ID },
    });
    // Expired: waits for the condition (the token's own expiry), polling.
    let expired = await call('/oauth/resource', { headers: { authorization: `Bearer ${token}` } });
    while (expired.status === 200) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expired = await call('/oauth/resource', { headers: { authorization: `Bearer ${token}` } });
    }
    expect(expired).toEqual({ status: 401, body: { error: 'invalid_token', error_description: 'token expired' } });
  });

  it('refuses a wrong client, a grant it does not know, a bad lifetime, and a missing or forged token', async () => {
    expect(await call('/oauth/token', { method: 'POST', headers: FORM, body: 'client_id=x&client_secret=y' })).toEqual({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect((await call('/oauth/token', { method: 'POST', headers: FORM, body: `${CREDENTIALS}&grant_type=password` })).body).toEqual({
      error: 'unsupported_grant_type',
    });
    expect((await call('/oauth/token?ttl=soon', { method: 'POST', headers: FORM, body: CREDENTIALS })).status).toBe(400);
    expect((await call('/oauth/resource')).body).toEqual({ error: 'invalid_token', error_description: 'missing bearer token' });
    const forged = `${DEMO_CLIENT_ID}.${Date.now() + 60_000}.${'0'.repeat(64)}`;
    expect((await call('/oauth/resource', { headers: { authorization: `Bearer ${forged}` } })).body).toMatchObject({
      error_description: 'bad token signature',
    });
  });
});
