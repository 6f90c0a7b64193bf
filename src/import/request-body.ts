import { secretJson } from './request-location.js';
import type { SecretPlaceholders } from './secret-headers.js';
import { isSecretField, isSecretHeader } from './secret-headers.js';

/** Headers the client sets itself, or that describe a connection rather than a request: never copied. */
const CLIENT_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
]);

/**
 * A request's headers as a scenario's `headers`: the client's own (host, content-length, hop-by-hop) left out with a
 * note, secret values (isSecretHeader) as `${ENV}` placeholders. `drop` names more headers to leave out silently.
 */
export function importedHeaders(
  headers: readonly (readonly [string, string])[],
  secrets: SecretPlaceholders,
  where: string,
  note: (text: string) => void,
  drop: (lowerName: string) => boolean = () => false,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (name.startsWith(':') || drop(lower)) continue;
    if (CLIENT_HEADERS.has(lower)) {
      note(`header ${name} left out (the client sets it)`);
      continue;
    }
    if (headerValue(out, lower) !== undefined) {
      note(`header ${name} repeated: only its first value kept`);
      continue;
    }
    // A value made a template (`Bearer {{ token }}`, a correlation) holds no secret of the input any more.
    out[name] = isSecretHeader(name) && !value.includes('{{') ? secrets.headerValue(name, value, where) : value;
  }
  return out;
}

/** A header's value in a map, whatever the case of its name. */
export function headerValue(headers: Readonly<Record<string, string>>, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

function deleteHeader(headers: Record<string, string>, lowerName: string): void {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lowerName) delete headers[name];
}

/**
 * A body as the scenario's `json` (a JSON object or array, with a JSON content type or none given), `form` (URL-encoded
 * fields, each name once) or raw `body`; the secret fields of JSON and forms as placeholders. `headers` loses a
 * content type that `json`/`form` imply, and gains `defaultType` (what the sender would have sent) for a raw body
 * without one.
 */
export function bodyFields(
  text: string,
  headers: Record<string, string>,
  secrets: SecretPlaceholders,
  where: string,
  defaultType: string,
): Record<string, unknown> {
  const given = headerValue(headers, 'content-type');
  const contentType = given ?? defaultType;
  // `curl -d '{"a":1}'` sends it as a form, but means JSON.
  const json = given === undefined || /json/i.test(contentType) ? parseJson(text) : undefined;
  if (json !== undefined) {
    if (/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(contentType)) deleteHeader(headers, 'content-type');
    return { json: secretJson(json, secrets, where) };
  }
  const form = /^application\/x-www-form-urlencoded/i.test(contentType) ? formOf(text) : undefined;
  if (form !== undefined) {
    deleteHeader(headers, 'content-type');
    const fields = Object.entries(form).map(([name, value]) => [
      name,
      isSecretField(name) && value !== '' && !value.includes('{{')
        ? secrets.placeholder(value, name, `the form field ${name} ${where}`)
        : value,
    ]);
    return { form: Object.fromEntries(fields) as Record<string, string> };
  }
  if (headerValue(headers, 'content-type') === undefined) headers['content-type'] = contentType;
  return { body: text };
}

/** A JSON object or array, else undefined (a JSON scalar stays a raw body). */
function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** `a=1&b=x%20y` as a map, when every field is `name=value` and each name appears once; otherwise undefined. */
function formOf(body: string): Record<string, string> | undefined {
  if (body === '') return undefined;
  const fields: Record<string, string> = {};
  for (const part of body.split('&')) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(part.slice(0, equals).replace(/\+/g, ' '));
      value = decodeURIComponent(part.slice(equals + 1).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    if (Object.hasOwn(fields, name)) return undefined;
    fields[name] = value;
  }
  return fields;
}
