import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { requestsOf } from './types.js';
import type { Auth, HeaderValues, ScenarioData } from './types.js';

/**
 * Header values that cannot go on the wire as written, found before anything is sent. A field value (RFC 9110
 * §5.5) is visible ASCII, obs-text (0x80-0xFF, so Latin-1) and spaces or tabs between them: CR, LF and NUL
 * would end the header or the head early (response splitting), other control characters and characters past
 * U+00FF have no one-byte form, and leading or trailing spaces would be dropped by the server. Those are
 * refused, not trimmed: what is sent is what the file says. `{{ }}` templates are skipped here; their rendered
 * values are checked when a request is sent. Headers from requests, flow steps, setup, before and defaults, and
 * the bearer token of an auth (it becomes the authorization header); basic credentials are base64-encoded and
 * can hold any character.
 */
export function checkHeaderValues(data: ScenarioData): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const checkHeaders = (headers: HeaderValues | undefined, path: DataPath): void => {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (typeof value !== 'string') continue;
      const problem = headerValueProblem(value);
      if (problem !== undefined) issues.push({ path: [...path, name], at: 'value', message: `header values ${problem}` });
    }
  };
  const checkAuth = (auth: Auth | undefined, path: DataPath): void => {
    if (auth === undefined || !('bearer' in auth)) return;
    const problem = headerValueProblem(auth.bearer);
    if (problem !== undefined) {
      issues.push({ path: [...path, 'bearer'], at: 'value', message: `a bearer token (sent in the authorization header) ${problem}` });
    }
  };
  checkHeaders(data.defaults?.headers, ['defaults', 'headers']);
  checkAuth(data.defaults?.auth, ['defaults', 'auth']);
  for (const { spec, path } of requestsOf(data)) {
    checkHeaders(spec.headers, [...path, 'headers']);
    checkAuth(spec.auth, [...path, 'auth']);
  }
  return issues;
}

const OPEN = '{{';
const CLOSE = '}}';

/** RFC 9110 §5.1 field name: a token (the schema's pattern for header names, as a RegExp). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * A character RFC 9110 §5.5 does not allow in a field value, as undici and Node check it: anything but tab,
 * visible ASCII, space and obs-text (0x80–0xFF). Here when a scenario is checked, and in the engine on every
 * rendered value (transport/invalid-header.ts).
 */
export const INVALID_VALUE_CHARACTER = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * What is wrong with a header value, as the end of a sentence (`must not contain CR, LF or NUL (…)`), or
 * undefined when it can be sent. The first problem only; characters are counted from 1, by code point.
 */
export function headerValueProblem(value: string): string | undefined {
  let character = 0;
  let first: string | undefined;
  let last: string | undefined;
  let index = 0;
  while (index < value.length) {
    if (value.startsWith(OPEN, index)) {
      const close = value.indexOf(CLOSE, index + OPEN.length);
      // An unclosed template is the template checker's to report; its text is checked as literal here.
      if (close !== -1) {
        const template = value.slice(index, close + CLOSE.length);
        character += [...template].length;
        first ??= 'x';
        last = 'x';
        index = close + CLOSE.length;
        continue;
      }
    }
    const codePoint = value.codePointAt(index) as number;
    const char = String.fromCodePoint(codePoint);
    character++;
    index += char.length;
    const at = `(got ${JSON.stringify(char).replace('\u007f', '\\u007f')} at character ${character})`;
    if (INVALID_VALUE_CHARACTER.test(char)) {
      if (codePoint === 0x0d || codePoint === 0x0a || codePoint === 0x00) return `must not contain CR, LF or NUL ${at}`;
      return codePoint > 0xff ? `must be Latin-1 ${at}` : `must not contain control characters other than tab ${at}`;
    }
    first ??= char;
    last = char;
  }
  if (first === ' ' || first === '\t' || last === ' ' || last === '\t') {
    return 'must not start or end with a space or tab (a server drops them): remove them';
  }
  return undefined;
}
