/** One sample line of a Prometheus text exposition: `name{label="value",…} value [timestamp]`. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** May be NaN or ±Infinity (`NaN`, `+Inf`, `-Inf`). */
  readonly value: number;
  /** ms since the Unix epoch, when the line has one. */
  readonly timestampMs?: number;
}

export interface PrometheusText {
  readonly samples: readonly PrometheusSample[];
  /** `# TYPE name type` lines: metric family name → type (counter, gauge, histogram, summary, untyped…). */
  readonly types: ReadonlyMap<string, string>;
  /** Lines that are not valid, `line 12: …`, at most `maxProblems` of them; the other lines are still read. */
  readonly problems: readonly string[];
  /** How many lines were not valid (problems lists the first few). */
  readonly problemCount: number;
}

export interface PrometheusTextOptions {
  /** Read only the samples of these metric names (others are skipped unchecked): cheap on a big exposition. */
  readonly names?: ReadonlySet<string>;
  /** Problems kept (default 5); all are counted. */
  readonly maxProblems?: number;
}

const METRIC_NAME_START = /[A-Za-z_:]/;
const METRIC_NAME_CHAR = /[A-Za-z0-9_:]/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const TYPE_LINE = /^#[ \t]+TYPE[ \t]+(\S+)[ \t]+(\S+)[ \t]*$/;
const TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'info',
  'stateset',
  'gaugehistogram',
]);

/**
 * Parses the Prometheus text exposition format (version 0.0.4): sample lines, `# HELP` and `# TYPE` lines,
 * other comments and blank lines. Strict where it matters to read a value right: metric and label names,
 * quoted label values with their three escapes (`\\`, `\"`, `\n`), a float value (`NaN`, `+Inf` and `-Inf`
 * included) and an integer timestamp. An invalid line is a problem, reported with its number, and skipped:
 * the rest is read. Never throws.
 */
export function parsePrometheusText(text: string, options: PrometheusTextOptions = {}): PrometheusText {
  const maxProblems = options.maxProblems ?? 5;
  const samples: PrometheusSample[] = [];
  const types = new Map<string, string>();
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (lineNumber: number, message: string): void => {
    problemCount += 1;
    if (problems.length < maxProblems) problems.push(`line ${lineNumber}: ${message}`);
  };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const start = skipBlanks(line, 0);
    if (start === line.length) continue;
    if (line.charCodeAt(start) === 35 /* # */) {
      const comment = line.slice(start);
      if (/^#[ \t]+TYPE(?:[ \t]|$)/.test(comment)) {
        const match = TYPE_LINE.exec(comment);
        if (match === null || !TYPES.has(match[2] as string) || !isMetricName(match[1] as string)) {
          problem(index + 1, 'expected `# TYPE name type`');
        } else {
          types.set(match[1] as string, match[2] as string);
        }
      }
      continue;
    }
    const parsed = parseSampleLine(line, start, options.names);
    if (parsed === undefined) continue;
    if (typeof parsed === 'string') problem(index + 1, parsed);
    else samples.push(parsed);
  }
  return { samples, types, problems, problemCount };
}

/** A sample, undefined for a metric not asked for, or what is wrong with the line. */
function parseSampleLine(line: string, start: number, names: ReadonlySet<string> | undefined): PrometheusSample | string | undefined {
  let at = start;
  if (!METRIC_NAME_START.test(line.charAt(at))) return 'expected a metric name';
  while (at < line.length && METRIC_NAME_CHAR.test(line.charAt(at))) at++;
  const name = line.slice(start, at);
  if (names !== undefined && !names.has(name)) return undefined;
  at = skipBlanks(line, at);
  let labels: Record<string, string> = {};
  if (line.charAt(at) === '{') {
    const parsed = parseLabels(line, at + 1);
    if (typeof parsed === 'string') return `${name}: ${parsed}`;
    labels = parsed.labels;
    at = skipBlanks(line, parsed.end);
  }
  const valueEnd = tokenEnd(line, at);
  if (valueEnd === at) return `${name}: expected a value`;
  const value = parseFloatToken(line.slice(at, valueEnd));
  if (value === undefined) return `${name}: "${line.slice(at, valueEnd)}" is not a number`;
  at = skipBlanks(line, valueEnd);
  if (at === line.length) return { name, labels, value };
  const timestampEnd = tokenEnd(line, at);
  const timestamp = line.slice(at, timestampEnd);
  if (!/^-?\d+$/.test(timestamp)) return `${name}: "${timestamp}" is not a timestamp (integer ms)`;
  if (skipBlanks(line, timestampEnd) !== line.length) return `${name}: unexpected text after the timestamp`;
  return { name, labels, value, timestampMs: Number(timestamp) };
}

/** Labels from just after `{` to just after `}`, or what is wrong with them. */
function parseLabels(line: string, from: number): { labels: Record<string, string>; end: number } | string {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let at = skipBlanks(line, from);
  for (;;) {
    if (line.charAt(at) === '}') return { labels: { ...labels }, end: at + 1 };
    const nameStart = at;
    while (at < line.length && /[A-Za-z0-9_]/.test(line.charAt(at))) at++;
    const name = line.slice(nameStart, at);
    if (!LABEL_NAME.test(name)) return at >= line.length ? 'unclosed label set' : 'expected a label name';
    at = skipBlanks(line, at);
    if (line.charAt(at) !== '=') return `label ${name}: expected =`;
    at = skipBlanks(line, at + 1);
    if (line.charAt(at) !== '"') return `label ${name}: expected a quoted value`;
    const value = parseQuoted(line, at + 1);
    if (typeof value === 'string') return `label ${name}: ${value}`;
    if (name in labels) return `label ${name} given twice`;
    labels[name] = value.text;
    at = skipBlanks(line, value.end);
    if (line.charAt(at) === ',') at = skipBlanks(line, at + 1);
    else if (line.charAt(at) !== '}') return at >= line.length ? 'unclosed label set' : 'expected , or } after a label';
  }
}

/** A label value from just after its opening quote: the text and the index after the closing quote. */
function parseQuoted(line: string, from: number): { text: string; end: number } | string {
  let text = '';
  for (let at = from; at < line.length; at++) {
    const char = line.charAt(at);
    if (char === '"') return { text, end: at + 1 };
    if (char !== '\\') {
      text += char;
      continue;
    }
    const next = line.charAt(at + 1);
    if (next === '\\' || next === '"') text += next;
    else if (next === 'n') text += '\n';
    else return next === '' ? 'unclosed quoted value' : `invalid escape \\${next}`;
    at++;
  }
  return 'unclosed quoted value';
}

/** A Go float as Prometheus writes it: decimal or exponent notation, `NaN`, `+Inf`, `-Inf`. */
function parseFloatToken(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  if (/^nan$/i.test(token)) return Number.NaN;
  const infinity = INFINITY.exec(token);
  if (infinity !== null) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return undefined;
}

function isMetricName(name: string): boolean {
  return /^[A-Za-z_:][A-Za-z0-9_:]*$/.test(name);
}

function skipBlanks(line: string, from: number): number {
  let at = from;
  while (at < line.length && (line.charCodeAt(at) === 32 || line.charCodeAt(at) === 9)) at++;
  return at;
}

function tokenEnd(line: string, from: number): number {
  let at = from;
  while (at < line.length && line.charCodeAt(at) !== 32 && line.charCodeAt(at) !== 9) at++;
  return at;
}
