import { describe, expect, it } from 'vitest';
import { SecretPlaceholders, envNameOf, isSecretField, isSecretHeader } from '../../../src/import/secret-headers.js';

describe('secret headers and fields', () => {
  it('knows secret headers by name, and by what their name says', () => {
    for (const name of ['Authorization', 'cookie', 'X-API-Key', 'Proxy-Authorization', 'x-session-token', 'X-Client-Secret', 'api-key']) {
      expect(isSecretHeader(name), name).toBe(true);
    }
    for (const name of ['accept', 'content-type', 'x-request-id', 'tokenizer-version']) expect(isSecretHeader(name), name).toBe(false);
  });

  it('knows secret query and form fields', () => {
    for (const name of ['token', 'access_token', 'password', 'api_key', 'apiKey', 'client_secret', 'refresh-token'])
      expect(isSecretField(name), name).toBe(true);
    for (const name of ['page', 'user', 'email', 'sort']) expect(isSecretField(name), name).toBe(false);
  });

  it('names variables after the header or field', () => {
    expect(envNameOf('X-API-Key')).toBe('X_API_KEY');
    expect(envNameOf('access_token')).toBe('ACCESS_TOKEN');
    expect(envNameOf('2fa-code')).toBe('_2FA_CODE');
    expect(envNameOf('--')).toBe('SECRET');
  });
});

describe('SecretPlaceholders', () => {
  it('gives one placeholder per value, unique names, keeps an Authorization scheme, and notes each by where it was found', () => {
    const secrets = new SecretPlaceholders();
    expect(secrets.headerValue('Authorization', 'Bearer abc.def.ghi', '(line 1)')).toBe('Bearer ${AUTH_TOKEN}');
    expect(secrets.headerValue('authorization', 'Basic YW5uOnB3', '(line 2)')).toBe('Basic ${AUTHORIZATION_BASIC}');
    expect(secrets.headerValue('X-API-Key', 'k-12345', '(line 3)')).toBe('${X_API_KEY}');
    expect(secrets.placeholder('abc.def.ghi', 'token', 'again')).toBe('${AUTH_TOKEN}');
    expect(secrets.placeholder('other-key', 'X-API-Key', 'elsewhere')).toBe('${X_API_KEY_2}');
    expect(secrets.missing('BASIC_PASSWORD', 'the -u password')).toBe('${BASIC_PASSWORD}');
    expect(secrets.env).toEqual(['AUTH_TOKEN', 'AUTHORIZATION_BASIC', 'X_API_KEY', 'X_API_KEY_2', 'BASIC_PASSWORD']);
    expect(secrets.notes[0]).toBe('secret: ${AUTH_TOKEN} stands for the Bearer credential of the Authorization header (line 1)');
  });

  it('sweeps every other occurrence of a secret, as written, percent- or form-encoded, out of the data', () => {
    const secrets = new SecretPlaceholders();
    secrets.placeholder('s3cret value/+', 'password', 'x');
    secrets.placeholder('abc', 'token', 'too short to sweep');
    const swept = secrets.sweep({ a: ['s3cret value/+', 'q=s3cret%20value%2F%2B', 'f=s3cret+value%2F%2B'], abc: 'abc' });
    expect(swept).toEqual({ a: ['${PASSWORD}', 'q=${PASSWORD}', 'f=${PASSWORD}'], abc: 'abc' });
  });
});
