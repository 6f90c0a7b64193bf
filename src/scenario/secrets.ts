import { grpcStepOf, requestsOf } from './types.js';
import type { Auth, HeaderValues, Scenario } from './types.js';

/** Headers whose values are always secret, whatever the scenario's `redact` says (lower-case). */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

/** What every output shows instead of a secret. */
export const REDACTED = '***';

/**
 * Shorter values are not treated as secrets, nor are plain numbers and booleans: `users: ${USERS}` reads a
 * number from the environment, and hiding every "10" would garble every figure of a report.
 */
const MIN_SECRET_CHARS = 4;
const PLAIN_SCALAR = /^(-?[0-9]+(\.[0-9]+)?|true|false|null)$/i;

/**
 * The secret values a scenario holds, known before it runs: every value it took from the environment
 * (`${VAR}`, and `{{ $env.NAME }}` given as `envNames`), the static values of secret headers (Authorization,
 * Proxy-Authorization, Cookie, Set-Cookie, X-API-Key and the headers named in `redact`), `auth` credentials
 * (the bearer token, the basic password and the encoded `user:password`), and `variables` named in `redact`.
 * Longest first, so that a secret containing another is replaced whole.
 */
export function secretValuesOf(scenario: Scenario, envNames: readonly string[] = []): string[] {
  const data = scenario.data;
  const env = scenario.env ?? {};
  const redacted = new Set((data.redact ?? []).map((name) => name.toLowerCase()));
  const secretHeader = (name: string): boolean => SECRET_HEADERS.includes(name.toLowerCase()) || redacted.has(name.toLowerCase());
  const values = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value !== 'string') return;
    if (value.length >= MIN_SECRET_CHARS && !PLAIN_SCALAR.test(value)) values.add(value);
  };
  for (const name of [...scenario.envVarsUsed, ...envNames]) add(env[name]);
  const headers = (map: HeaderValues | undefined): void => {
    for (const [name, value] of Object.entries(map ?? {})) if (secretHeader(name)) add(String(value));
  };
  const auth = (credentials: Auth | undefined): void => {
    if (credentials === undefined) return;
    if ('bearer' in credentials) {
      add(credentials.bearer);
      return;
    }
    const { username, password } = credentials.basic;
    add(password);
    add(Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));
  };
  headers(data.defaults?.headers);
  auth(data.defaults?.auth);
  for (const { spec } of requestsOf(data)) {
    headers(spec.headers);
    // A grpc: step's metadata is its headers.
    headers(grpcStepOf(spec)?.metadata);
    auth(spec.auth);
  }
  for (const [name, value] of Object.entries(data.variables ?? {})) if (redacted.has(name.toLowerCase())) add(String(value));
  // A value with a template in it is not a value yet: its static text may be harmless (`Bearer {{ token }}`).
  return [...values].filter((value) => !value.includes('{{')).sort((a, b) => b.length - a.length);
}

/**
 * Every form a secret takes when a target echoes it back into a failure message: as sent, JSON-escaped (a JSON
 * body quoting it), percent-encoded with upper- and lower-case hex (a URL or query), form-encoded (`+` for a
 * space), and lower-cased (hostnames, case-folding servers). Redacting only the exact bytes let every one of
 * these through.
 */
export function secretFormsOf(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    percent,
    lowerHex(percent),
    form,
    lowerHex(form),
    percent.replace(/%20/g, '+'),
  ];
  forms.push(...forms.map((one) => one.toLowerCase()));
  return [...new Set(forms)].filter((one) => one.length >= MIN_SECRET_CHARS);
}

/** The forms of all secrets (secretFormsOf), longest first so that a form containing another is replaced whole. */
export function secretFormsOfAll(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap(secretFormsOf))].sort((a, b) => b.length - a.length);
}

const formsCache = new WeakMap<readonly string[], readonly string[]>();

/**
 * Replaces every occurrence of each secret in `text`, in every form it may take (secretFormsOf), with `***`.
 * Redact before clipping: a clipped secret is no longer found.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let forms = formsCache.get(secrets);
  if (forms === undefined) {
    forms = secretFormsOfAll(secrets);
    formsCache.set(secrets, forms);
  }
  return redactForms(text, forms);
}

/** Replaces every occurrence of each form (secretFormsOfAll: longest first) in `text` with `***`. */
export function redactForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * A JSON-like value with every string redacted (object keys too), except under keys in `keep` (encoded data
 * that holds no text), and keys in `fieldNames`, which are the document's own field names, not data: a secret
 * `warm` must not turn `warmupExcluded` into `***upExcluded`. A new value; the input is not changed.
 */
export function redactDeep<T>(
  value: T,
  secrets: readonly string[],
  keep: ReadonlySet<string> = new Set(),
  fieldNames: ReadonlySet<string> = new Set(),
): T {
  if (secrets.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactText(node, secrets);
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node as Record<string, unknown>).map(([key, child]) => [
        fieldNames.has(key) ? key : redactText(key, secrets),
        keep.has(key) ? child : walk(child),
      ]),
    );
  };
  return walk(value) as T;
}
