import { describe, expect, it } from 'vitest';
import { redactDeep, redactText, secretFormsOf, secretValuesOf } from '../../../src/scenario/secrets.js';
import type { RequestSpec, Scenario, ScenarioData } from '../../../src/scenario/types.js';

function scenarioOf(data: Partial<ScenarioData>, env: Record<string, string> = {}, envVarsUsed: string[] = []): Scenario {
  return { file: 's.yml', baseDir: '.', data: { load: { profile: 'constant', users: 1, duration: 1 }, ...data }, envVarsUsed, env };
}

describe('secretValuesOf', () => {
  it('collects environment values, secret headers, credentials and redacted variables, longest first', () => {
    const secrets = secretValuesOf(
      scenarioOf(
        {
          redact: ['X-Session', 'pin'],
          variables: { pin: 'pin-1234', visible: 'not-secret' },
          defaults: { headers: { 'X-Api-Key': 'key-abcdef', accept: 'application/json' }, auth: { bearer: 'bearer-xyz' } },
          requests: [
            {
              path: '/',
              headers: { 'x-session': 'session-42', cookie: 'sid=cookie-value' },
              auth: { basic: { username: 'u', password: 'pass-word' } },
            },
            { path: '/t', headers: { authorization: 'Bearer {{ token }}' } },
          ],
        },
        { API_TOKEN: 'from-the-environment', USERS: '10', SHORT: 'ab' },
        ['API_TOKEN', 'USERS', 'SHORT'],
      ),
      [],
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        'from-the-environment',
        'key-abcdef',
        'bearer-xyz',
        'session-42',
        'sid=cookie-value',
        'pass-word',
        Buffer.from('u:pass-word').toString('base64'),
        'pin-1234',
      ]),
    );
    // Plain numbers and very short values would garble every figure; templates are not values yet.
    expect(secrets).not.toContain('10');
    expect(secrets).not.toContain('ab');
    expect(secrets).not.toContain('application/json');
    expect(secrets).not.toContain('not-secret');
    expect(secrets.some((value) => value.includes('{{'))).toBe(false);
    expect([...secrets].sort((a, b) => b.length - a.length)).toEqual(secrets);
  });

  it("takes a grpc: step's metadata as headers: the secret names' values, not the others", () => {
    const step = { grpc: 'loadseed.echo.Echo/Unary', metadata: { authorization: 'Bearer grpc-token-1', 'x-trace': 'trace-value' } };
    const secrets = secretValuesOf(scenarioOf({ flows: [{ name: 'rpc', steps: [step as unknown as RequestSpec] }] }));
    expect(secrets).toEqual(['Bearer grpc-token-1']);
  });

  it('adds the values of environment variables read by templates ($env)', () => {
    expect(secretValuesOf(scenarioOf({ requests: [{ path: '/' }] }, { TOKEN: 'template-env-value' }), ['TOKEN'])).toEqual([
      'template-env-value',
    ]);
  });
});

describe('redactText / redactDeep', () => {
  it('replaces every occurrence, the longer secret first', () => {
    expect(redactText('a secret-long and secret', ['secret-long', 'secret'])).toBe('a *** and ***');
  });

  it('redacts every string and key of a document but the encoded ones', () => {
    const document = { name: 'x secret', list: ['secret', 1], data: 'secret-in-data', nested: { secret: true } };
    expect(redactDeep(document, ['secret'], new Set(['data']))).toEqual({
      name: 'x ***',
      list: ['***', 1],
      data: 'secret-in-data',
      nested: { '***': true },
    });
  });
});

describe('secretFormsOf', () => {
  it('lists the secret as sent, JSON-escaped, percent-encoded (both hex cases), form-encoded and lower-cased', () => {
    const secret = 'Pw "q" a/b+c&d é';
    expect(secretFormsOf(secret)).toEqual(
      expect.arrayContaining([
        secret,
        'Pw \\"q\\" a/b+c&d é',
        'Pw%20%22q%22%20a%2Fb%2Bc%26d%20%C3%A9',
        'Pw%20%22q%22%20a%2fb%2bc%26d%20%c3%a9',
        'Pw+%22q%22+a%2Fb%2Bc%26d+%C3%A9',
        'Pw+%22q%22+a%2fb%2bc%26d+%c3%a9',
        'pw "q" a/b+c&d é',
      ]),
    );
  });

  it('lets redactText hide every form', () => {
    const secret = 'Pw "q" a/b';
    const echoed = `json ${JSON.stringify({ v: secret })} url ?p=${encodeURIComponent(secret).toLowerCase()} host ${secret.toLowerCase()}`;
    expect(redactText(echoed, [secret])).toBe('json {"v":"***"} url ?p=*** host ***');
  });
});
