import { parse as parseShell } from 'shell-quote';
import { ScenarioError } from '../errors.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { SecretPlaceholders } from './secret-headers.js';
import { bodyFields, headerValue, importedHeaders } from './request-body.js';
import { literalBraces } from './literal-braces.js';
import { requestLocation, targetOf, uniqueStepName } from './request-location.js';

/** One curl command of the input: its words (quotes removed) and the line it starts on. */
interface CurlCommand {
  readonly words: readonly string[];
  readonly line: number;
  /** Shell operators and what follows them (`| jq .`), left out. */
  readonly rest?: string;
}

/** A curl command read into what a request needs. */
interface CurlRequest {
  readonly line: number;
  method?: string;
  url?: string;
  readonly headers: [string, string][];
  readonly data: string[];
  json?: string;
  get: boolean;
  head: boolean;
  user?: string;
  timeoutSec?: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Flags without a value that change nothing a load test sends: dropped, with a note. */
const IGNORED_FLAGS: Readonly<Record<string, string>> = {
  '--compressed': 'loadseed sends no accept-encoding of its own; add the header to test compression',
  '-s': 'output options do not apply',
  '--silent': 'output options do not apply',
  '-S': 'output options do not apply',
  '--show-error': 'output options do not apply',
  '-v': 'output options do not apply',
  '--verbose': 'output options do not apply',
  '-i': 'output options do not apply',
  '--include': 'output options do not apply',
  '-f': 'any status of 400 or above already fails a request',
  '--fail': 'any status of 400 or above already fails a request',
  '-L': 'redirects are not followed: set http.redirects.follow: true to follow them',
  '--location': 'redirects are not followed: set http.redirects.follow: true to follow them',
  '-k': 'certificates are verified: set http.tls.insecure: true to turn that off (or http.tls.ca for a private CA)',
  '--insecure': 'certificates are verified: set http.tls.insecure: true to turn that off (or http.tls.ca for a private CA)',
  '-N': 'output options do not apply',
  '--no-buffer': 'output options do not apply',
  '--http1.1': 'loadseed speaks HTTP/1.1 by default',
  '--http2': 'set http.http2: true to offer HTTP/2 on https:// targets',
};

/** Flags with a value that change nothing a load test sends: dropped with their value, with a note. */
const IGNORED_VALUE_FLAGS: ReadonlySet<string> = new Set([
  '-o',
  '--output',
  '-w',
  '--write-out',
  '--connect-timeout',
  '--retry',
  '--retry-delay',
  '--retry-max-time',
  '-c',
  '--cookie-jar',
  '-D',
  '--dump-header',
  '--limit-rate',
  '--proxy',
  '-x',
]);

/** Short flags that take a value (`-XPOST`, `-X POST`). */
const SHORT_WITH_VALUE = new Set(['X', 'H', 'd', 'u', 'A', 'e', 'b', 'm', 'o', 'w', 'c', 'D', 'x', 'F', 'T']);
/** Short flags that take none (`-sSL`). */
const SHORT_FLAGS = new Set(['s', 'S', 'L', 'k', 'v', 'i', 'f', 'G', 'I', 'N']);

/**
 * `loadseed import curl`: one curl command per line (a `\` at a line's end continues it; blank lines and `#`
 * comments skipped), tokenised by shell-quote. Method, URL, headers, data (form, raw or JSON), --json, basic auth,
 * -G, -I, -A, -e, -b and --max-time are mapped; output options are dropped with a note; anything else is listed
 * as not mapped. The requests keep their order; their most common origin becomes `target`.
 */
export function importCurl(text: string, options: ImportOptions): ImportResult {
  const notes: string[] = [];
  const secrets = new SecretPlaceholders();
  const commands = curlCommands(text, options.file);
  const requests = commands.map((command) => readCommand(command, options.file, notes));
  const target = targetOf(requests.map((request) => request.url ?? ''));
  const names = new Map<string, number>();
  const steps = requests.map((request) => requestSpec(request, target, secrets, names, notes));
  const scenario: Record<string, unknown> = {
    name: 'curl-import',
    target: options.target ?? `\${TARGET_URL:-${target}}`,
    requests: steps,
  };
  return {
    scenario: secrets.sweep(scenario),
    notes: [...secrets.notes, ...notes],
    env: secrets.env,
  };
}

/** The commands of the input: continuation lines joined, comments and blank lines skipped, each starting with `curl`. */
export function curlCommands(text: string, file: string): CurlCommand[] {
  const lines = text.split(/\r?\n/);
  const commands: CurlCommand[] = [];
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    let joined = lines[index] ?? '';
    while (/\\\s*$/.test(joined) && index + 1 < lines.length) {
      joined = `${joined.replace(/\\\s*$/, '')} ${lines[++index] ?? ''}`;
    }
    const trimmed = joined.trim().replace(/^\$\s+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const tokens = parseShell(trimmed, (name) => `$${name}`);
    const words: string[] = [];
    let rest: string | undefined;
    for (const [position, token] of tokens.entries()) {
      if (typeof token === 'string') {
        words.push(token);
        continue;
      }
      if ('comment' in token) break;
      // `?` and `*` in an unquoted URL: a glob to shell-quote, a word to curl.
      if (token.op === 'glob') {
        words.push(token.pattern);
        continue;
      }
      rest = tokens
        .slice(position)
        .map((part) => (typeof part === 'string' ? part : 'op' in part ? part.op : ''))
        .join(' ');
      break;
    }
    if (words[0] !== 'curl') {
      const column = (lines[start] ?? '').search(/\S/) + 1;
      throw new ScenarioError(file, [
        {
          file,
          line: start + 1,
          column,
          path: '',
          message: `expected a curl command (one per line), got "${(words[0] ?? trimmed).slice(0, 40)}"`,
        },
      ]);
    }
    commands.push({ words: words.slice(1), line: start + 1, ...(rest === undefined ? {} : { rest }) });
  }
  if (commands.length === 0)
    throw new ScenarioError(file, [{ file, path: '', message: 'no curl command found: one per line, e.g. curl https://example.com/api' }]);
  return commands;
}

/** What a flag's handler may do beside setting fields of the request: add a note (prefixed with the line). */
type FlagHandler = (request: CurlRequest, value: string, note: (text: string) => void, flag: string) => void;

const setMethod: FlagHandler = (request, value) => {
  request.method = value.toUpperCase();
};
const addHeader: FlagHandler = (request, header, note) => {
  const colon = header.indexOf(':');
  if (colon <= 0) return note(`header "${header.split(/[:;]/)[0] ?? ''}" without a value not mapped`);
  const value = header.slice(colon + 1).trim();
  if (value === '') return note(`header ${header.slice(0, colon)} removed by curl, left out`);
  request.headers.push([header.slice(0, colon).trim(), value]);
};
const addData: FlagHandler = (request, data, note, flag) => {
  const raw = flag === '--data-raw';
  if (data.startsWith('@') && !raw)
    return note(`${flag} ${data} reads a file: not mapped (put the body in the scenario, or use a data file)`);
  request.data.push(raw || flag === '--data-binary' ? data : data.replace(/[\r\n]/g, ''));
};
const addUrlencoded: FlagHandler = (request, data, note) => {
  const encoded = urlencodeData(data);
  if (encoded === undefined) return note(`--data-urlencode ${data} reads a file: not mapped`);
  request.data.push(encoded);
};
const addJson: FlagHandler = (request, data, note) => {
  if (data.startsWith('@')) return note(`--json ${data} reads a file: not mapped`);
  request.json = (request.json ?? '') + data;
};
const setUser: FlagHandler = (request, value) => {
  request.user = value;
};
const setUrl: FlagHandler = (request, value) => {
  request.url = value;
};
const headerFlag =
  (name: string): FlagHandler =>
  (request, value) => {
    request.headers.push([name, value]);
  };
const addCookie: FlagHandler = (request, cookie, note) => {
  if (!cookie.includes('=')) return note(`--cookie ${cookie} reads a cookie file: not mapped`);
  request.headers.push(['cookie', cookie]);
};
const setMaxTime: FlagHandler = (request, value) => {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds > 0) request.timeoutSec = seconds;
};
const ignoreValue: FlagHandler = (_request, _value, note, flag) => note(`${flag} ignored (it changes nothing the test sends)`);

/** Flags that take a value, and what each does with it. */
const VALUE_FLAGS: Readonly<Record<string, FlagHandler>> = {
  '-X': setMethod,
  '--request': setMethod,
  '--url': setUrl,
  '-H': addHeader,
  '--header': addHeader,
  '-d': addData,
  '--data': addData,
  '--data-ascii': addData,
  '--data-binary': addData,
  '--data-raw': addData,
  '--data-urlencode': addUrlencoded,
  '--json': addJson,
  '-u': setUser,
  '--user': setUser,
  '-A': headerFlag('user-agent'),
  '--user-agent': headerFlag('user-agent'),
  '-e': headerFlag('referer'),
  '--referer': headerFlag('referer'),
  '-b': addCookie,
  '--cookie': addCookie,
  '-m': setMaxTime,
  '--max-time': setMaxTime,
  ...Object.fromEntries([...IGNORED_VALUE_FLAGS].map((flag) => [flag, ignoreValue])),
};

/** Flags without a value that are mapped. */
const SWITCHES: Readonly<Record<string, (request: CurlRequest) => void>> = {
  '-G': (request) => void (request.get = true),
  '--get': (request) => void (request.get = true),
  '-I': (request) => void (request.head = true),
  '--head': (request) => void (request.head = true),
};

/** `-XPOST` → `-X POST`; `-sSL` → `-s -S -L`; `-sXPUT` → `-s -X PUT`; anything else as it is. */
function expandShortFlags(word: string): string[] {
  if (!/^-[A-Za-z]/.test(word) || word.length <= 2) return [word];
  const out: string[] = [];
  for (let index = 1; index < word.length; index++) {
    const letter = word[index] as string;
    if (SHORT_WITH_VALUE.has(letter)) return [...out, `-${letter}`, ...(index + 1 < word.length ? [word.slice(index + 1)] : [])];
    if (!SHORT_FLAGS.has(letter)) return [word];
    out.push(`-${letter}`);
  }
  return out;
}

/** A command's words read into a CurlRequest; what is dropped or not mapped goes into `notes`. */
function readCommand(command: CurlCommand, file: string, notes: string[]): CurlRequest {
  const request: CurlRequest = { line: command.line, headers: [], data: [], get: false, head: false };
  const note = (text: string): void => void notes.push(`line ${command.line}: ${text}`);
  const fail = (message: string): never => {
    throw new ScenarioError(file, [{ file, line: command.line, column: 1, path: '', message }]);
  };
  if (command.rest !== undefined) note(`"${command.rest}" after the command ignored`);
  const words = [...command.words];
  while (words.length > 0) {
    const expanded = expandShortFlags(words.shift() as string);
    const word = expanded[0] as string;
    words.unshift(...expanded.slice(1));
    const handler = VALUE_FLAGS[word];
    const toggle = SWITCHES[word];
    if (handler !== undefined) {
      const value = words.shift();
      if (value === undefined) return fail(`${word} needs a value`);
      handler(request, value, note, word);
    } else if (toggle !== undefined) {
      toggle(request);
    } else if (IGNORED_FLAGS[word] !== undefined) {
      note(`${word} ignored (${IGNORED_FLAGS[word]})`);
    } else if (word.startsWith('-') && word !== '-') {
      note(`${word} not mapped`);
      // A flag we do not know may take a value: a following word that is not a flag or a URL is taken as it.
      const next = words[0];
      if (next !== undefined && !next.startsWith('-') && !looksLikeUrl(next)) words.shift();
    } else if (request.url === undefined) {
      request.url = word;
    } else {
      note(`second URL ${word} not mapped (one request per line)`);
    }
  }
  return withUrl(request, fail);
}

/** The request with its URL checked and made absolute (`http://` added), credentials in it moved to `user`. */
function withUrl(request: CurlRequest, fail: (message: string) => never): CurlRequest {
  if (request.url === undefined) return fail('no URL in this curl command');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(request.url) ? request.url : `http://${request.url}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return fail(`not an http:// or https:// URL: ${request.url}`);
  if (url.username !== '' && request.user === undefined) {
    request.user = `${decodeURIComponent(url.username)}${url.password === '' ? '' : `:${decodeURIComponent(url.password)}`}`;
  }
  url.username = '';
  url.password = '';
  request.url = url.href;
  return request;
}

function looksLikeUrl(word: string): boolean {
  return /^https?:\/\//i.test(word) || /^[\w.-]+(:\d+)?\//.test(word);
}

/** `--data-urlencode` as curl encodes it: `name=value` → `name=` + encoded value; `=value`, `value` → encoded value; undefined for a file (`name@file`). */
function urlencodeData(data: string): string | undefined {
  const equals = data.indexOf('=');
  if (equals < 0 && data.includes('@')) return undefined;
  if (equals < 0) return encodeURIComponent(data);
  const name = data.slice(0, equals);
  const encoded = encodeURIComponent(data.slice(equals + 1));
  return name === '' ? encoded : `${name}=${encoded}`;
}

/** One curl request as a scenario request: method, path (or url), headers with secrets as placeholders, body, auth. */
function requestSpec(
  request: CurlRequest,
  target: string,
  secrets: SecretPlaceholders,
  names: Map<string, number>,
  notes: string[],
): Record<string, unknown> {
  const at = `line ${request.line}`;
  const where = `(${at})`;
  const url = new URL(request.url ?? '');
  let body = request.data.filter((part) => part !== '').join('&');
  if (request.get && body !== '') {
    url.search = url.search === '' ? `?${body}` : `${url.search}&${body}`;
    body = '';
  }
  let method = request.method ?? (request.head ? 'HEAD' : body !== '' || request.json !== undefined ? 'POST' : 'GET');
  if (!METHODS.includes(method)) {
    notes.push(`${at}: method ${method} not supported (${METHODS.join(', ')}): sent as GET`);
    method = 'GET';
  }
  const spec: Record<string, unknown> = { name: uniqueStepName(names, `${method} ${url.pathname}`) };
  if (method !== 'GET') spec['method'] = method;
  const location = requestLocation(url, target, secrets, where);
  Object.assign(spec, 'path' in location ? { path: literalBraces(location.path) } : { url: literalBraces(location.url) });
  const headerList = request.headers.map(([name, value]) => [name, literalBraces(value)] as const);
  const headers = importedHeaders(headerList, secrets, where, (text) => notes.push(`${at}: ${text}`));
  if (request.user !== undefined) spec['auth'] = basicAuth(request.user, secrets, where, (text) => notes.push(`${at}: ${text}`));
  if (request.json !== undefined) {
    if (body !== '') notes.push(`${at}: -d data beside --json left out`);
    Object.assign(spec, bodyFields(literalBraces(request.json), headers, secrets, where, 'application/json'));
    if (headerValue(headers, 'accept') === undefined) headers['accept'] = 'application/json';
  } else if (body !== '') {
    Object.assign(spec, bodyFields(literalBraces(body), headers, secrets, where, 'application/x-www-form-urlencoded'));
  }
  if (Object.keys(headers).length > 0) spec['headers'] = headers;
  if (request.timeoutSec !== undefined) spec['timeout'] = `${request.timeoutSec}s`;
  return spec;
}

/** `-u user:password` as `auth.basic`, the password as a placeholder (a missing one too: curl would prompt for it). */
function basicAuth(user: string, secrets: SecretPlaceholders, where: string, note: (text: string) => void): Record<string, unknown> {
  const colon = user.indexOf(':');
  const username = colon < 0 ? user : user.slice(0, colon);
  const what = `the basic-auth password of -u ${where}`;
  if (colon < 0) note(`-u ${username} without a password (curl would prompt for it)`);
  const password = colon < 0 ? secrets.missing('BASIC_PASSWORD', what) : secrets.placeholder(user.slice(colon + 1), 'BASIC_PASSWORD', what);
  return { basic: { username, password } };
}
