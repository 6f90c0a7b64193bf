import { ScenarioError } from '../errors.js';
import { formatDuration } from '../scenario/duration.js';
import { findCorrelations } from './har-correlations.js';
import { literalBraces } from './literal-braces.js';
import type { HarCapture, HarCorrelation } from './har-correlations.js';
import { readHar } from './har-document.js';
import type { HarEntry } from './har-document.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { bodyFields, importedHeaders } from './request-body.js';
import { requestLocation, targetOf, uniqueStepName } from './request-location.js';
import { SecretPlaceholders } from './secret-headers.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Recorded gaps shorter than this are the browser's own pace, not a user's: no pause. */
const MIN_THINK_MS = 100;
/** Longer gaps (a user who went for coffee) are capped. */
const MAX_THINK_MS = 10_000;

/** Chromium's resource types of static assets. */
const STATIC_RESOURCE_TYPES = new Set(['stylesheet', 'script', 'image', 'font', 'media', 'manifest', 'texttrack']);
const STATIC_MIME = /^(image|font|audio|video)\/|^text\/css|javascript|ecmascript|^application\/(wasm|font-|x-font)/i;
const STATIC_EXTENSION = /\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|wav|ogg)$/i;

/**
 * Request headers a browser adds on its own, or that the client sets (hop-by-hop, content-length, host): left
 * out. `cookie` is handled apart (the jar, or a secret).
 */
const BROWSER_HEADERS = new Set([
  'accept-encoding',
  'accept-language',
  'user-agent',
  'referer',
  'origin',
  'upgrade-insecure-requests',
  'pragma',
  'cache-control',
  'dnt',
  'priority',
  'if-none-match',
  'if-modified-since',
  'purpose',
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'te',
  'transfer-encoding',
]);

/**
 * `loadseed import har`: the API calls of a recording (static assets dropped unless `includeStatic`, CORS
 * preflights and non-HTTP entries dropped), in order, as one flow, with pauses from the recorded gaps; a value of
 * a response that a later request sends becomes a capture and a `{{ variable }}`; other secrets `${ENV}`
 * placeholders; browser headers left out; the most common origin the target.
 */
export function importHar(text: string, options: ImportOptions): ImportResult {
  const notes: string[] = [];
  const entries = keptEntries(readHar(text, options.file), options.includeStatic === true, notes);
  if (entries.length === 0) {
    throw new ScenarioError(options.file, [
      {
        file: options.file,
        path: 'log.entries',
        message: `no request to import${options.includeStatic === true ? '' : ' (static assets are left out: --include-static keeps them)'}`,
      },
    ]);
  }
  const target = targetOf(entries.map((entry) => entry.url));
  const secrets = new SecretPlaceholders();
  const correlations = findCorrelations(entries);
  const setCookies = cookieNamesSetBefore(entries);
  const names = new Map<string, number>();
  const steps: Record<string, unknown>[] = [];
  const dropped = new Set<string>();
  let pauses = 0;
  for (const [index, entry] of entries.entries()) {
    const previous = entries[index - 1];
    if (previous !== undefined) {
      const gapMs = entry.startedAtMs - (previous.startedAtMs + previous.timeMs);
      if (gapMs >= MIN_THINK_MS) {
        steps.push({ think: formatDuration(Math.min(Math.round(gapMs / 10) * 10, MAX_THINK_MS)) });
        pauses++;
      }
    }
    const context: StepContext = { target, secrets, correlations, names, notes, dropped, cookiesSet: setCookies[index] ?? new Set() };
    steps.push(stepOf(entry, index, context));
  }
  const stepNames = steps.flatMap((step) => (typeof step['name'] === 'string' ? [step['name']] : []));
  for (const correlation of correlations) notes.push(correlationNote(correlation, entries, stepNames));
  if (pauses > 0) {
    notes.push(
      `${pauses} pause${pauses === 1 ? '' : 's'} (think) from the recorded gaps between requests (under ${MIN_THINK_MS}ms skipped, over ${formatDuration(MAX_THINK_MS)} capped)`,
    );
  }
  if (dropped.size > 0) notes.push(`browser headers left out: ${[...dropped].sort().join(', ')}`);
  const scenario: Record<string, unknown> = {
    name: 'har-import',
    target: options.target ?? `\${TARGET_URL:-${target}}`,
    flows: [{ name: 'recorded', steps }],
  };
  return { scenario: secrets.sweep(scenario), notes: [...secrets.notes, ...notes], env: secrets.env };
}

/** The entries to import, in the order they started; what is left out is counted in a note. */
function keptEntries(entries: readonly HarEntry[], includeStatic: boolean, notes: string[]): HarEntry[] {
  let statics = 0;
  const kept: HarEntry[] = [];
  for (const entry of [...entries].sort((a, b) => a.startedAtMs - b.startedAtMs || a.index - b.index)) {
    const at = `log.entries[${entry.index}]`;
    if (!/^https?:\/\//i.test(entry.url)) {
      notes.push(`${at}: ${entry.url.split(':')[0] ?? ''}: request left out (only http:// and https:// are imported)`);
    } else if (isPreflight(entry)) {
      continue; // the browser's own CORS check: loadseed is not a browser
    } else if (!includeStatic && isStatic(entry)) {
      statics++;
    } else if (!METHODS.includes(entry.method)) {
      notes.push(`${at}: method ${entry.method} not supported: request left out`);
    } else {
      kept.push(entry);
    }
  }
  if (statics > 0) {
    notes.push(`${statics} static asset${statics === 1 ? '' : 's'} (styles, scripts, images, fonts) left out: --include-static keeps them`);
  }
  return kept;
}

function isPreflight(entry: HarEntry): boolean {
  if (entry.resourceType === 'preflight') return true;
  return entry.method === 'OPTIONS' && entry.requestHeaders.some(([name]) => name.toLowerCase() === 'access-control-request-method');
}

function isStatic(entry: HarEntry): boolean {
  if (entry.resourceType !== undefined && STATIC_RESOURCE_TYPES.has(entry.resourceType)) return true;
  if (STATIC_MIME.test(entry.responseMimeType)) return true;
  try {
    return STATIC_EXTENSION.test(new URL(entry.url).pathname);
  } catch {
    return false;
  }
}

/** For each entry, the names of the cookies that responses before it set (the jar will send those). */
function cookieNamesSetBefore(entries: readonly HarEntry[]): Set<string>[] {
  const set = new Set<string>();
  return entries.map((entry) => {
    const before = new Set(set);
    for (const [name, value] of entry.responseHeaders) {
      if (name.toLowerCase() !== 'set-cookie') continue;
      for (const line of value.split('\n')) set.add(line.split('=')[0]?.trim() ?? '');
    }
    return before;
  });
}

function correlationNote(correlation: HarCorrelation, entries: readonly HarEntry[], stepNames: readonly string[]): string {
  const label = (index: number): string => `${stepNames[index] ?? '?'} (log.entries[${entries[index]?.index ?? '?'}])`;
  const from = 'json' in correlation.capture ? correlation.capture.json : `header ${correlation.capture.header}`;
  return `correlation: {{ ${correlation.variable} }} captured from ${label(correlation.sourceIndex)} (${from}), sent by ${correlation.usedBy.map(label).join(', ')}`;
}

interface StepContext {
  readonly target: string;
  readonly secrets: SecretPlaceholders;
  readonly correlations: readonly HarCorrelation[];
  readonly names: Map<string, number>;
  readonly notes: string[];
  readonly dropped: Set<string>;
  readonly cookiesSet: ReadonlySet<string>;
}

/** One entry as a flow step: method, path (or url), headers, body, with correlated values as templates. */
function stepOf(entry: HarEntry, index: number, context: StepContext): Record<string, unknown> {
  const { secrets, notes } = context;
  const where = `(log.entries[${entry.index}])`;
  const note = (text: string): void => void notes.push(`log.entries[${entry.index}]: ${text}`);
  const used = context.correlations.filter((correlation) => correlation.usedBy.includes(index));
  const templated = (value: string): string => substitute(literalBraces(value), used);
  const url = new URL(entry.url);
  // The name: the path, a correlated value in it as `:variable` (`GET /users/:id`), no query.
  const baseName = `${entry.method} ${substitute(url.pathname, used).replace(/\{\{ ([A-Za-z0-9_]+) \}\}/g, ':$1')}`;
  const step: Record<string, unknown> = { name: uniqueStepName(context.names, baseName) };
  if (entry.method !== 'GET') step['method'] = entry.method;
  const location = requestLocation(url, context.target, secrets, where, (value) => used.some((c) => c.value === value));
  Object.assign(step, 'path' in location ? { path: templated(location.path) } : { url: templated(location.url) });

  const headerList: [string, string][] = [];
  for (const [name, value] of entry.requestHeaders) {
    const lower = name.toLowerCase();
    if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers
    if (BROWSER_HEADERS.has(lower) || lower.startsWith('sec-')) {
      context.dropped.add(lower);
      continue;
    }
    if (lower === 'cookie') {
      const cookie = jarCookieLeftOut(value, context.cookiesSet);
      if (cookie === '') continue;
      headerList.push([name, templated(cookie)]);
      continue;
    }
    headerList.push([name, templated(value)]);
  }
  const headers = importedHeaders(headerList, secrets, where, note);
  const body = requestBody(entry, templated, note);
  if (body !== undefined)
    Object.assign(step, bodyFields(body, headers, secrets, where, entry.postData?.mimeType || 'application/octet-stream'));
  if (Object.keys(headers).length > 0) step['headers'] = headers;
  const captures: HarCapture[] = context.correlations.filter((c) => c.sourceIndex === index).map((c) => c.capture);
  if (captures.length > 0) step['capture'] = captures;
  return step;
}

/** The cookies of a Cookie header that no earlier response set (those the jar sends), joined again. */
function jarCookieLeftOut(header: string, set: ReadonlySet<string>): string {
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && !set.has(pair.split('=')[0]?.trim() ?? ''))
    .join('; ');
}

/** The request's body as text (postData.text, or its URL-encoded params), correlated values as templates. */
function requestBody(entry: HarEntry, templated: (value: string) => string, note: (text: string) => void): string | undefined {
  const postData = entry.postData;
  if (postData === undefined) return undefined;
  if (postData.text !== undefined) return templated(postData.text);
  if (postData.params !== undefined && /x-www-form-urlencoded/i.test(postData.mimeType)) {
    return templated(postData.params.map(({ name, value }) => `${encodeURIComponent(name)}=${encodeURIComponent(value ?? '')}`).join('&'));
  }
  note(`a ${postData.mimeType || 'body'} without its text (file uploads are not recorded): left out`);
  return undefined;
}

/** The text with each correlated value (as recorded, or percent-encoded) replaced by its `{{ variable }}`. */
function substitute(text: string, correlations: readonly HarCorrelation[]): string {
  let out = text;
  for (const correlation of [...correlations].sort((a, b) => b.value.length - a.value.length)) {
    const template = `{{ ${correlation.variable} }}`;
    for (const form of new Set([correlation.value, encodeURIComponent(correlation.value)])) out = out.split(form).join(template);
  }
  return out;
}
