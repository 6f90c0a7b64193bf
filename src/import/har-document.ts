import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';

/** The parts of a HAR 1.2 entry the importer reads, checked. */
export interface HarEntry {
  /** Position in `log.entries`. */
  readonly index: number;
  readonly startedAtMs: number;
  /** Total time of the request in ms (`time`), 0 when absent. */
  readonly timeMs: number;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: readonly (readonly [string, string])[];
  readonly postData?: { readonly mimeType: string; readonly text?: string; readonly params?: readonly { name: string; value?: string }[] };
  readonly status: number;
  readonly responseHeaders: readonly (readonly [string, string])[];
  readonly responseMimeType: string;
  /** A JSON response body as text (base64 decoded), when the HAR holds it. */
  readonly responseText?: string;
  /** Chromium's `_resourceType` (document, stylesheet, script, image, font, fetch, xhr, preflight…), when present. */
  readonly resourceType?: string;
}

type Path = readonly (string | number)[];

/**
 * Reads a HAR file: JSON (a syntax error is located at its line and column), then `log.entries`, each checked
 * for what the importer needs (a problem located at the offending value). Throws ScenarioError.
 */
export function readHar(text: string, file: string): HarEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioError(file, [syntaxIssue(text, file, error as Error)]);
  }
  const problems: { path: Path; message: string }[] = [];
  const problem = (path: Path, message: string): void => void problems.push({ path, message });
  const log = field(data, 'log');
  const entries = field(log, 'entries');
  if (!Array.isArray(entries)) {
    problem(log === undefined ? [] : ['log'], 'expected a HAR file: an object with log.entries, a list of requests');
    throw locatedError(text, file, problems);
  }
  const out: HarEntry[] = [];
  for (const [index, entry] of (entries as unknown[]).entries()) {
    const parsed = harEntry(entry, index, problem);
    if (parsed !== undefined) out.push(parsed);
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) throw locatedError(text, file, problems);
  return out;
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function harEntry(entry: unknown, index: number, problem: (path: Path, message: string) => void): HarEntry | undefined {
  const at: Path = ['log', 'entries', index];
  const request = field(entry, 'request');
  const response = field(entry, 'response');
  const method = field(request, 'method');
  const url = field(request, 'url');
  const started = field(entry, 'startedDateTime');
  const startedAtMs = typeof started === 'string' ? Date.parse(started) : Number.NaN;
  if (request === undefined) return void problem(at, 'expected an entry with a request');
  if (typeof method !== 'string' || method === '')
    return void problem([...at, 'request', 'method'], 'expected the request method, e.g. "GET"');
  if (typeof url !== 'string' || url === '') return void problem([...at, 'request', 'url'], 'expected the request URL');
  if (Number.isNaN(startedAtMs)) return void problem([...at, 'startedDateTime'], 'expected the start time, an ISO 8601 date');
  const time = field(entry, 'time');
  const postData = field(request, 'postData');
  const content = field(response, 'content');
  const status = field(response, 'status');
  const resourceType = field(entry, '_resourceType');
  // Only JSON bodies are read (for correlations): an image's base64 is not decoded for nothing.
  const responseText = /json/i.test(stringOr(field(content, 'mimeType'), '')) ? bodyText(content) : undefined;
  const mimeType = field(postData, 'mimeType');
  const postText = field(postData, 'text');
  const params = field(postData, 'params');
  return {
    index,
    startedAtMs,
    timeMs: typeof time === 'number' && time > 0 ? time : 0,
    method: method.toUpperCase(),
    url,
    requestHeaders: headerList(field(request, 'headers')),
    ...(postData === undefined
      ? {}
      : {
          postData: {
            mimeType: typeof mimeType === 'string' ? mimeType : '',
            ...(typeof postText === 'string' ? { text: postText } : {}),
            ...(Array.isArray(params) ? { params: params as { name: string; value?: string }[] } : {}),
          },
        }),
    status: typeof status === 'number' ? status : 0,
    responseHeaders: headerList(field(response, 'headers')),
    responseMimeType: stringOr(field(content, 'mimeType'), ''),
    ...(responseText === undefined ? {} : { responseText }),
    ...(typeof resourceType === 'string' ? { resourceType } : {}),
  };
}

function headerList(value: unknown): [string, string][] {
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).flatMap((header) => {
    const name = field(header, 'name');
    const text = field(header, 'value');
    return typeof name === 'string' && name !== ''
      ? [[name, stringOr(text, typeof text === 'number' || typeof text === 'boolean' ? String(text) : '')] as [string, string]]
      : [];
  });
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function bodyText(content: unknown): string | undefined {
  const text = field(content, 'text');
  if (typeof text !== 'string') return undefined;
  if (field(content, 'encoding') === 'base64') {
    const bytes = Buffer.from(text, 'base64');
    const decoded = bytes.toString('utf8');
    return decoded.includes('\uFFFD') ? undefined : decoded;
  }
  return text;
}

/** A JSON syntax error at its line and column (JSON.parse names the offset; yaml's parser locates it otherwise). */
function syntaxIssue(text: string, file: string, error: Error): ScenarioIssue {
  const lines = new LineCounter();
  const offset = /position (\d+)/.exec(error.message)?.[1];
  const message = `not valid JSON (a HAR file is JSON): ${error.message.replace(/^JSON\.parse: /, '').split('\n')[0] ?? ''}`;
  if (offset !== undefined) {
    for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lines.addNewLine(index + 1);
    const { line, col } = lines.linePos(Number(offset));
    return { file, line, column: col, path: '', message };
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first === undefined) return { file, path: '', message };
  const { line, col } = lines.linePos(first.pos[0]);
  return { file, line, column: col, path: '', message };
}

/** Structural problems at the line and column of their values, found by parsing the JSON again with positions (yaml). */
function locatedError(text: string, file: string, problems: readonly { path: Path; message: string }[]): ScenarioError {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return new ScenarioError(
    file,
    problems.map(({ path, message }) => {
      let node: { range?: [number, number, number] } | undefined;
      // The value itself, or (when it is missing) the nearest enclosing one.
      for (let depth = path.length; depth >= 0 && node?.range === undefined; depth--) {
        node = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as typeof node;
      }
      const display = path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
        .join('')
        .replace(/^\./, '');
      if (node?.range === undefined) return { file, path: display, message };
      const { line, col } = lines.linePos(node.range[0]);
      return { file, line, column: col, path: display, message };
    }),
  );
}
