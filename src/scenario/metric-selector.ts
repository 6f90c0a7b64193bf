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

export type MetricSelectorParse = { readonly ok: true; readonly selector: MetricSelector } | { readonly ok: false; readonly problem: string };

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
  let index = 0;
  const fail = (problem: string): MetricSelectorParse => ({ ok: false, problem });
  const at = (position: number): string => `at character ${position + 1}`;
  const shown = (position: number): string => (position < text.length ? `"${text[position] as string}"` : 'the end');
  const read = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    index = pattern.lastIndex;
    return match[0];
  };
  read(SPACES);
  const name = read(METRIC_NAME);
  if (name === undefined) return fail(`expected a metric name (letters, digits, _ and :, not starting with a digit) ${at(index)}, found ${shown(index)}`);
  read(SPACES);
  const matchers: LabelMatcher[] = [];
  if (text[index] === '{') {
    const open = index;
    index += 1;
    for (;;) {
      read(SPACES);
      if (text[index] === '}') break;
      if (index >= text.length) return fail(`"{" ${at(open)} is never closed`);
      const labelAt = index;
      const label = read(LABEL_NAME);
      if (label === undefined) return fail(`expected a label name (letters, digits and _, not starting with a digit) ${at(labelAt)}, found ${shown(labelAt)}`);
      read(SPACES);
      const op = read(OPERATOR) as LabelMatcher['op'] | undefined;
      if (op === undefined) return fail(`expected =, !=, =~ or !~ after the label ${label} ${at(index)}, found ${shown(index)}`);
      read(SPACES);
      if (text[index] !== '"') return fail(`expected a value in double quotes ${at(index)}, found ${shown(index)}`);
      const quote = index;
      let value = '';
      index += 1;
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
      if (index >= text.length) return fail(`the quote ${at(quote)} is never closed`);
      index += 1;
      if (op === '=~' || op === '!~') {
        const regex = wholeRegex(value);
        if (typeof regex === 'string') return fail(`the regular expression ${at(quote)} does not compile: ${regex}`);
        matchers.push({ label, op, value, regex });
      } else {
        matchers.push({ label, op, value });
      }
      read(SPACES);
      if (text[index] === ',') index += 1;
      else if (text[index] !== '}') return index >= text.length ? fail(`"{" ${at(open)} is never closed`) : fail(`expected , or } ${at(index)}, found ${shown(index)}`);
    }
    index += 1;
    read(SPACES);
  }
  if (index < text.length) return fail(`unexpected ${shown(index)} ${at(index)}: a selector is a name, then optionally {label="value", ...}`);
  return { ok: true, selector: { name, matchers } };
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
