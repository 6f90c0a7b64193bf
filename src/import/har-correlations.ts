import type { HarEntry } from './har-document.js';

/** A capture to add to a step: `{as, json}` or `{as, header}`. */
export type HarCapture = { readonly as: string; readonly json: string } | { readonly as: string; readonly header: string };

/** A value of an earlier response that a later request sends: captured there, a `{{ variable }}` here. */
export interface HarCorrelation {
  readonly variable: string;
  /** The recorded value (never written: it is what the template stands for). */
  readonly value: string;
  /** Index (in the entries given) of the response it is captured from. */
  readonly sourceIndex: number;
  readonly capture: HarCapture;
  /** Indexes of the requests that send it. */
  readonly usedBy: number[];
}

/** Shorter values are too likely to match by chance (`1`, `en`, `true`). */
const MIN_VALUE_CHARS = 8;
/** Response headers that carry a value a client sends back (not Set-Cookie: the cookie jar does that). */
const CARRYING_HEADER = /token|csrf|xsrf|auth|session/i;

interface Candidate {
  readonly sourceIndex: number;
  readonly capture: (variable: string) => HarCapture;
  readonly nameHint: string;
}

/**
 * The obvious correlations of a recording: a string of at least 8 characters from a JSON response body (any
 * depth) or from a token-like response header, never seen in a request before that response, that a later
 * request sends in its URL, a header or its body. The latest response before the use is the source. Pure.
 */
export function findCorrelations(entries: readonly HarEntry[]): HarCorrelation[] {
  const candidates = new Map<string, Candidate>();
  const byValue = new Map<string, HarCorrelation>();
  const variables = new Set<string>();
  let sent = '';
  for (const [index, entry] of entries.entries()) {
    const request = requestText(entry);
    for (const [value, candidate] of candidates) {
      if (!request.includes(value) && !request.includes(encodeURIComponent(value))) continue;
      let correlation = byValue.get(value);
      if (correlation === undefined || correlation.sourceIndex !== candidate.sourceIndex) {
        const variable = uniqueName(candidate.nameHint, variables);
        correlation = { variable, value, sourceIndex: candidate.sourceIndex, capture: candidate.capture(variable), usedBy: [] };
        byValue.set(value, correlation);
      }
      correlation.usedBy.push(index);
    }
    sent += `\n${request}`;
    for (const [value, candidate] of responseCandidates(entry, index)) {
      if (!sent.includes(value)) candidates.set(value, candidate);
    }
  }
  return [...byValue.values()];
}

/** Everything a request sends that a value could be found in. */
function requestText(entry: HarEntry): string {
  let decodedUrl = entry.url;
  try {
    decodedUrl = decodeURIComponent(entry.url);
  } catch {
    // kept as recorded
  }
  return [entry.url, decodedUrl, ...entry.requestHeaders.map(([, value]) => value), entry.postData?.text ?? ''].join('\n');
}

function responseCandidates(entry: HarEntry, sourceIndex: number): [string, Candidate][] {
  const out: [string, Candidate][] = [];
  for (const [name, value] of entry.responseHeaders) {
    if (!CARRYING_HEADER.test(name) || /^set-cookie$/i.test(name) || value.length < MIN_VALUE_CHARS) continue;
    out.push([value, { sourceIndex, nameHint: name, capture: (as) => ({ as, header: name.toLowerCase() }) }]);
  }
  if (entry.responseText === undefined || !/json/i.test(entry.responseMimeType)) return out;
  let body: unknown;
  try {
    body = JSON.parse(entry.responseText) as unknown;
  } catch {
    return out;
  }
  const walk = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'string') {
      if (value.length >= MIN_VALUE_CHARS && !/^\s|\s$/.test(value))
        out.push([value, { sourceIndex, nameHint: key, capture: (as) => ({ as, json: path }) }]);
    } else if (Array.isArray(value)) {
      value.forEach((item, position) => walk(item, `${path}[${position}]`, key));
    } else if (value !== null && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) walk(inner, `${path}${jsonPathKey(name)}`, name);
    }
  };
  walk(body, '$', 'value');
  return out;
}

/** `.name`, or `['a b']` for a key that is not an identifier. */
function jsonPathKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** A variable name from a key or header (`access-token` → `access_token`), made unique with `_2`, `_3`…. */
function uniqueName(hint: string, taken: Set<string>): string {
  let base = hint
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (base === '') base = 'value';
  if (/^[0-9]/.test(base)) base = `_${base}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}
