/** One label matcher of a selector: `mode="idle"`, `mode!="idle"`, `cpu=~"0|1"`, `cpu!~"1.*"`. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  /** `=~` and `!~`: the value compiled, anchored at both ends. */
  readonly regex?: RegExp;
}

/** A metric name with optional label matchers, as PromQL writes one: `node_cpu_seconds_total{mode!="idle"}`. */
export interface MetricSelector {
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

export type MetricSelectorParse =
  { readonly ok: true; readonly selector: MetricSelector } | { readonly ok: false; readonly problem: string };

const METRIC_NAME = /[A-Za-z_:][A-Za-z0-9_:]*/y;
const LABEL_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /=~|!~|!=|=/y;
const SPACES = /\s*/y;

/**
 * Parses a metric selector: a name, then optionally `{label="v", label!="v", label=~"re", label!~"re"}` (regular
 * expressions match the whole value, as in PromQL). The one parser of selectors: `validate` refuses what it
 * refuses (scenario/check-scenario.ts), the Prometheus sampler picks series with what it returns. A problem says
 * what is wrong and at which character (from 1).
 */
export function parseMetricSelector(text: string): MetricSelectorParse {
  const reader = new SelectorReader(text);
  reader.read(SPACES);
  const name = reader.read(METRIC_NAME);
  if (name === undefined)
    return fail(
      `expected a metric name (letters, digits, _ and :, not starting with a digit) ${at(reader.index)}, found ${reader.shown(reader.index)}`,
    );
  reader.read(SPACES);
  let matchers: LabelMatcher[] = [];
  if (text[reader.index] === '{') {
    const parsed = readMatchers(reader);
    if (typeof parsed === 'string') return fail(parsed);
    matchers = parsed;
    reader.read(SPACES);
  }
  if (reader.index < text.length)
    return fail(`unexpected ${reader.shown(reader.index)} ${at(reader.index)}: a selector is a name, then optionally {label="value", ...}`);
  return { ok: true, selector: { name, matchers } };
}

function fail(problem: string): MetricSelectorParse {
  return { ok: false, problem };
}

/** Where in the text, for messages: from 1. */
function at(position: number): string {
  return `at character ${position + 1}`;
}

/** A selector's text and how far it has been read. */
class SelectorReader {
  readonly text: string;
  index = 0;

  constructor(text: string) {
    this.text = text;
  }

  /** What the sticky `pattern` matches here, read past; undefined (and nothing read) when it does not match. */
  read(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.index;
    const match = pattern.exec(this.text);
    if (match === null) return undefined;
    this.index = pattern.lastIndex;
    return match[0];
  }

  /** The character at `position` for a message, or "the end". */
  shown(position: number): string {
    return position < this.text.length ? `"${this.text[position] as string}"` : 'the end';
  }

  /** The double-quoted text starting here, its escapes undone, read past its closing quote; undefined when never closed. */
  readQuoted(): string | undefined {
    const text = this.text;
    let index = this.index + 1;
    let value = '';
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\' && index + 1 < text.length) {
        const escaped = text[index + 1] as string;
        value += escaped === 'n' ? '\n' : escaped;
        index += 2;
      } else {
        value += text[index] as string;
        index += 1;
      }
    }
    if (index >= text.length) return undefined;
    this.index = index + 1;
    return value;
  }
}

/** `{label="value", ...}`, from its `{` to just past its `}`: the matchers, or what is wrong. */
function readMatchers(reader: SelectorReader): LabelMatcher[] | string {
  const text = reader.text;
  const open = reader.index;
  reader.index += 1;
  const matchers: LabelMatcher[] = [];
  for (;;) {
    reader.read(SPACES);
    if (text[reader.index] === '}') break;
    if (reader.index >= text.length) return `"{" ${at(open)} is never closed`;
    const matcher = readMatcher(reader);
    if (typeof matcher === 'string') return matcher;
    matchers.push(matcher);
    reader.read(SPACES);
    if (text[reader.index] === ',') reader.index += 1;
    else if (text[reader.index] !== '}')
      return reader.index >= text.length
        ? `"{" ${at(open)} is never closed`
        : `expected , or } ${at(reader.index)}, found ${reader.shown(reader.index)}`;
  }
  reader.index += 1;
  return matchers;
}

/** One `label op "value"`: the matcher, or what is wrong. */
function readMatcher(reader: SelectorReader): LabelMatcher | string {
  const labelAt = reader.index;
  const label = reader.read(LABEL_NAME);
  if (label === undefined)
    return `expected a label name (letters, digits and _, not starting with a digit) ${at(labelAt)}, found ${reader.shown(labelAt)}`;
  reader.read(SPACES);
  const op = reader.read(OPERATOR) as LabelMatcher['op'] | undefined;
  if (op === undefined) return `expected =, !=, =~ or !~ after the label ${label} ${at(reader.index)}, found ${reader.shown(reader.index)}`;
  reader.read(SPACES);
  if (reader.text[reader.index] !== '"')
    return `expected a value in double quotes ${at(reader.index)}, found ${reader.shown(reader.index)}`;
  const quote = reader.index;
  const value = reader.readQuoted();
  if (value === undefined) return `the quote ${at(quote)} is never closed`;
  if (op === '=~' || op === '!~') {
    const regex = wholeRegex(value);
    if (typeof regex === 'string') return `the regular expression ${at(quote)} does not compile: ${regex}`;
    return { label, op, value, regex };
  }
  return { label, op, value };
}

/** The selector as written in PromQL. */
export function formatSelector(selector: MetricSelector): string {
  if (selector.matchers.length === 0) return selector.name;
  const matchers = selector.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`);
  return `${selector.name}{${matchers.join(',')}}`;
}

/** The regex matching a whole value, or why it does not compile. */
function wholeRegex(source: string): RegExp | string {
  try {
    return new RegExp(`^(?:${source})$`, 's');
  } catch (error) {
    // The message quotes the anchored source: show the one written.
    return (error as Error).message.replace(`/^(?:${source})$/s`, `/${source}/`);
  }
}
