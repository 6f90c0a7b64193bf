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
/** Values that look like tokens and ids (letters, digits, `._~+/=-`): the only ones correlated. */
const TOKEN_LIKE = /^[A-Za-z0-9._~+/=-]{8,}$/;
/** Response headers that carry a value a client sends back (not Set-Cookie: the cookie jar does that). */
const CARRYING_HEADER = /token|csrf|xsrf|auth|session/i;

interface Candidate {
  readonly sourceIndex: number;
  readonly capture: (variable: string) => HarCapture;
  readonly nameHint: string;
}

/**
 * The obvious correlations of a recording: a token-like string (8+ characters of letters, digits and `._~+/=-`)
 * from a JSON response body (any depth) or a token-like response header, never sent in a request before that
 * response, that a later request sends in its URL, a header or its body. The latest response before the use is
 * the source. Pure, and linear in the size of the recording: requests are cut into words, looked up in a map.
 */
export function findCorrelations(entries: readonly HarEntry[]): HarCorrelation[] {
  const candidates = new Map<string, Candidate>();
  const byValue = new Map<string, HarCorrelation>();
  const variables = new Set<string>();
  const sent = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const words = requestWords(entry);
    for (const word of words) {
      const candidate = candidates.get(word);
      if (candidate === undefined) continue;
      let correlation = byValue.get(word);
      if (correlation === undefined || correlation.sourceIndex !== candidate.sourceIndex) {
        const variable = uniqueName(candidate.nameHint, variables);
        correlation = { variable, value: word, sourceIndex: candidate.sourceIndex, capture: candidate.capture(variable), usedBy: [] };
        byValue.set(word, correlation);
      }
      if (!correlation.usedBy.includes(index)) correlation.usedBy.push(index);
    }
    for (const word of words) sent.add(word);
    for (const [value, candidate] of responseCandidates(entry, index)) {
      if (!sent.has(value)) candidates.set(value, candidate);
    }
  }
  return [...byValue.values()];
}

/**
 * The words a request sends, where a token could be: its URL (as recorded and percent-decoded), header values and
 * body, cut at every character a token does not hold, then also at `/` (paths), then also at `+` and `=`
 * (queries); and each query value whole.
 */
function requestWords(entry: HarEntry): Set<string> {
  let decodedUrl = entry.url;
  try {
    decodedUrl = decodeURIComponent(entry.url);
  } catch {
    // kept as recorded
  }
  const text = [entry.url, decodedUrl, ...entry.requestHeaders.map(([, value]) => value), entry.postData?.text ?? ''].join('\n');
  const words = new Set<string>();
  const add = (word: string): void => {
    if (word.length >= MIN_VALUE_CHARS) words.add(word);
  };
  for (const separators of [/[^A-Za-z0-9._~+/=-]+/, /[^A-Za-z0-9._~+=-]+/, /[^A-Za-z0-9._~-]+/]) text.split(separators).forEach(add);
  // A query value whole (`t=abc+/d==`: base64 holds =, + and /).
  try {
    new URL(entry.url).searchParams.forEach(add);
  } catch {
    // not a URL: its words are enough
  }
  return words;
}

function responseCandidates(entry: HarEntry, sourceIndex: number): [string, Candidate][] {
  const out: [string, Candidate][] = [];
  for (const [name, value] of entry.responseHeaders) {
    if (!CARRYING_HEADER.test(name) || /^set-cookie$/i.test(name) || !TOKEN_LIKE.test(value)) continue;
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
      if (TOKEN_LIKE.test(value)) out.push([value, { sourceIndex, nameHint: key, capture: (as) => ({ as, json: path }) }]);
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
