import { randomUUID } from 'node:crypto';

/**
 * `{{ ... }}` templates in request paths, queries, headers and bodies: parsed once at plan time into literal
 * text and dynamic parts, rendered per request by plain concatenation.
 *
 * - `{{ name }}`: a variable (`variables`, a data-file column, a capture), looked up in a scope at render.
 * - `{{ $uuid }}`: a random UUID v4; `{{ $timestamp }}`: Date.now() in milliseconds;
 *   `{{ $randomInt(min, max) }}`: a uniformly random integer in [min, max]; `{{ $randomString(n) }}`: n random
 *   letters and digits; `{{ $pick('a', 'b', 3) }}`: one of the values listed, uniformly; `{{ $now }}`: the time,
 *   ISO-8601. With a seeded random source (`seed`, `--seed`), every random one is reproducible (seeded-random.ts).
 * - `{{ fn(arg, …) }}`: a function of the scenario's `hooks:` module, called at render (args: literals or variables).
 * - `{{ $env.NAME }}`: an environment variable, resolved when the template is compiled (its value is a secret
 *   to the reports, hence `envNames`).
 *
 * There is no escape for a literal `{{`: text containing `{{` is always a template.
 */
export interface Template {
  /** True when rendering needs no work: no variables and no per-request built-ins. */
  readonly isStatic: boolean;
  /** The text as written (for a JSON body: the JSON text of the value as written). */
  readonly source: string;
  /** Names of the variables referenced, each once, in order of first use. */
  readonly variables: readonly string[];
  /** Names of the environment variables read through `$env`, each once: their values are secrets to the reports. */
  readonly envNames: readonly string[];
  /** Literal text (already escaped, `$env` values included) and dynamic parts, in order. A static template has at most one, literal, part. */
  readonly parts: readonly TemplatePart[];
  /** How the values of variables are escaped at render. */
  readonly escape: TemplateEscape;
}

/**
 * How the values of dynamic parts are escaped: `uri` with encodeURIComponent (paths, query values, forms),
 * `json` as the inside of a JSON string literal (no quotes added), `none` as is (headers, raw bodies).
 */
export type TemplateEscape = 'none' | 'uri' | 'json';

export type TemplatePart =
  | string
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'randomInt'; readonly min: number; readonly max: number }
  | { readonly kind: 'randomString'; readonly length: number }
  /** `values` already escaped for where the template is. */
  | { readonly kind: 'pick'; readonly values: readonly string[] }
  | { readonly kind: 'now' }
  | CallPart;

/**
 * `{{ fn(arg, …) }}`: a function exported by the scenario's `hooks:` module, called synchronously at render
 * with its arguments (literals, or the values of variables) and its result inserted, escaped like a variable.
 */
export interface CallPart {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly CallArgument[];
}

/** An argument of a call: a literal (a number or a quoted string, as text) or a variable's name. */
export type CallArgument = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'variable'; readonly name: string };

/** Where variables come from at render: a virtual user's captures over its data row over `variables`. */
export interface TemplateScope {
  get(name: string): string | undefined;
  /** Calls a hook module's function (`{{ fn(…) }}`); a scope without hooks has none. */
  call?(name: string, args: readonly string[]): string;
}

export interface CompileTemplateOptions {
  /** Where `$env.NAME` is read from, at compile time. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default `none`. */
  readonly escape?: TemplateEscape;
}

/** A template that cannot be compiled. `offset` is the 0-based index of the offending `{{` in the text. */
export class TemplateSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.offset = offset;
  }
}

/** A variable that has no value when a template is rendered: counted as a failed request, not a crash. */
export class MissingVariableError extends Error {
  readonly variable: string;

  constructor(variable: string) {
    super(`variable "${variable}" is not set (a capture that failed, or a data row that ran out?)`);
    this.name = 'MissingVariableError';
    this.variable = variable;
  }
}

/** Half a surrogate pair: no UTF-8 form, so encodeURIComponent would throw. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const OPEN = '{{';
const CLOSE = '}}';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BUILT_IN = /^\$([A-Za-z_][A-Za-z0-9_]*)\s*(.*)$/s;
const ENV_REFERENCE = /^\.([A-Za-z_][A-Za-z0-9_]*)$/;
const RANDOM_INT_ARGUMENTS = /^\(\s*([-+]?[0-9]+)\s*,\s*([-+]?[0-9]+)\s*\)$/;
/** `name(arguments)`: a call of a hook module's function. */
const CALL = /^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$/s;
/** One argument of a call and the comma after it: a quoted string, a number, or a variable name. */
const CALL_ARGUMENT = /\s*(?:"([^"]*)"|'([^']*)'|([-+]?[0-9]+(?:\.[0-9]+)?)|([A-Za-z_][A-Za-z0-9_]*))\s*(,|$)/y;
const RANDOM_STRING_ARGUMENTS = /^\(\s*([0-9]+)\s*\)$/;
/** One argument of $pick: a quoted string (a backslash escapes the quote or itself) or a number. */
const PICK_ARGUMENT = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([-+]?[0-9]+(?:\.[0-9]+)?))\s*(,|\))/y;
export const MAX_RANDOM_STRING_LENGTH = 10_000;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KNOWN_BUILT_INS = "$uuid, $randomInt(min, max), $randomString(n), $pick('a', 'b'), $timestamp, $now, $env.NAME";

/** Cheap test: could the text hold a template at all? */
export function hasTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/** Parses a template once. Throws TemplateSyntaxError on a malformed `{{ }}` or an unset `$env` variable. */
export function compileTemplate(text: string, options: CompileTemplateOptions): Template {
  const escape = options.escape ?? 'none';
  if (!hasTemplate(text)) {
    return { isStatic: true, source: text, variables: [], envNames: [], parts: text === '' ? [] : [text], escape };
  }
  const builder = new PartsBuilder();
  parseInto(builder, text, options.env, escape, 'none');
  return builder.build(text, escape);
}

/**
 * The scenario's `json:` body (any JSON value) as one template producing JSON text. String leaves may hold
 * templates, rendered with JSON escaping inside their quotes; keys are never templated. Without any template
 * the body is static: JSON.stringify, once.
 */
export function compileJsonBodyTemplate(value: unknown, options: { readonly env: Readonly<Record<string, string | undefined>> }): Template {
  const source = JSON.stringify(value) ?? 'null';
  if (!anyLeafHasTemplate(value)) return { isStatic: true, source, variables: [], envNames: [], parts: [source], escape: 'json' };
  const builder = new PartsBuilder();
  appendJson(builder, value, { env: options.env, escape: 'json' });
  return builder.build(source, 'json');
}

/**
 * The template's text for one request. Throws MissingVariableError when a variable is not in the scope.
 * `random`: a seeded source in [0, 1) for the random built-ins (a user's, seeded-random.ts); without it they
 * use Math.random, and $uuid crypto.randomUUID.
 */
export function renderTemplate(template: Template, scope: TemplateScope, random?: () => number): string {
  const parts = template.parts;
  if (template.isStatic) return (parts[0] as string | undefined) ?? '';
  let out = '';
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as TemplatePart;
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    switch (part.kind) {
      case 'variable': {
        const value = scope.get(part.name);
        if (value === undefined) throw new MissingVariableError(part.name);
        out += escapeValue(value, template.escape);
        break;
      }
      case 'uuid':
        out += random === undefined ? randomUUID() : seededUuid(random);
        break;
      case 'timestamp':
        out += Date.now();
        break;
      case 'randomInt':
        out += part.min + Math.floor((random ?? Math.random)() * (part.max - part.min + 1));
        break;
      case 'call':
        out += escapeValue(renderCall(part, scope), template.escape);
        break;
      default:
        out += renderDataHelper(part, template.escape, random ?? Math.random);
    }
  }
  return out;
}

/** A call's result: its arguments resolved in the scope, the function called through the scope. */
function renderCall(part: CallPart, scope: TemplateScope): string {
  const args: string[] = [];
  for (const arg of part.args) {
    if (arg.kind === 'literal') {
      args.push(arg.value);
      continue;
    }
    const value = scope.get(arg.name);
    if (value === undefined) throw new MissingVariableError(arg.name);
    args.push(value);
  }
  if (scope.call === undefined) throw new Error(`{{ ${part.name}(…) }} needs a hooks: module`);
  return scope.call(part.name, args);
}

/** The names of the functions a template calls (`{{ fn(…) }}`), each once. */
export function calledFunctionsOf(template: Template): string[] {
  const names = new Set<string>();
  for (const part of template.parts) if (typeof part !== 'string' && part.kind === 'call') names.add(part.name);
  return [...names];
}

/** $randomString, $pick, $now. */
function renderDataHelper(
  part: Extract<TemplatePart, { kind: 'randomString' | 'pick' | 'now' }>,
  escape: TemplateEscape,
  random: () => number,
): string {
  switch (part.kind) {
    case 'randomString': {
      let text = '';
      for (let index = 0; index < part.length; index++) text += ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)];
      return text;
    }
    case 'pick':
      return part.values[Math.floor(random() * part.values.length)] ?? '';
    case 'now':
      return escapeValue(new Date().toISOString(), escape);
  }
}

/** A version 4 UUID from 16 bytes of `random`. */
function seededUuid(random: () => number): string {
  const bytes = new Uint8Array(16);
  for (let index = 0; index < 16; index++) bytes[index] = Math.floor(random() * 256);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A value escaped for where it is inserted. Built-ins (UUIDs, integers) never need escaping. */
export function escapeValue(value: string, escape: TemplateEscape): string {
  switch (escape) {
    case 'none':
      return value;
    case 'uri':
      // A lone surrogate (half an emoji, cut by a regex capture) has no UTF-8 form: sent as U+FFFD.
      return encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
    case 'json': {
      const quoted = JSON.stringify(value);
      const inner = quoted.slice(1, -1);
      // Valid in JSON, but not in JavaScript before ES2019: escaped so the text is safe anywhere.
      return inner.includes('\u2028') || inner.includes('\u2029')
        ? inner.replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029')
        : inner;
    }
  }
}

/** Splits text into literal slices (escaped with `literalEscape`) and expressions, appending both to the builder. */
function parseInto(
  builder: PartsBuilder,
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  escape: TemplateEscape,
  literalEscape: TemplateEscape,
): void {
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf(OPEN, position);
    if (open === -1) {
      builder.literal(escapeValue(text.slice(position), literalEscape));
      return;
    }
    builder.literal(escapeValue(text.slice(position, open), literalEscape));
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw new TemplateSyntaxError(`unclosed "{{" at offset ${open}: expected "}}"`, open);
    addExpression(builder, text.slice(open + OPEN.length, close).trim(), open, env, escape);
    position = close + CLOSE.length;
  }
}

function addExpression(
  builder: PartsBuilder,
  expression: string,
  offset: number,
  env: Readonly<Record<string, string | undefined>>,
  escape: TemplateEscape,
): void {
  if (expression === '') {
    throw new TemplateSyntaxError(`empty "{{ }}" at offset ${offset}: expected a variable name or a built-in (${KNOWN_BUILT_INS})`, offset);
  }
  if (IDENTIFIER.test(expression)) {
    builder.variable(expression);
    return;
  }
  const call = CALL.exec(expression);
  if (call !== null) {
    addCall(builder, call[1] as string, call[2] as string, offset);
    return;
  }
  const builtIn = BUILT_IN.exec(expression);
  if (builtIn === null) {
    const hint = expression.startsWith('$') ? ` (known built-ins: ${KNOWN_BUILT_INS})` : '';
    throw new TemplateSyntaxError(
      `"{{ ${expression} }}" at offset ${offset} is not a variable name (letters, digits and _, not starting with a digit) or a built-in${hint}`,
      offset,
    );
  }
  const name = builtIn[1] as string;
  const rest = (builtIn[2] as string).trim();
  switch (name) {
    case 'uuid':
    case 'timestamp':
    case 'now':
      if (rest !== '' && rest.replace(/\s+/g, '') !== '()') {
        throw new TemplateSyntaxError(`bad arguments to $${name} at offset ${offset}: it takes none, write {{ $${name} }}`, offset);
      }
      builder.dynamic({ kind: name });
      return;
    case 'randomInt':
      addRandomInt(builder, rest, offset);
      return;
    case 'randomString':
      addRandomString(builder, rest, offset);
      return;
    case 'pick':
      builder.dynamic({ kind: 'pick', values: pickValues(rest, offset).map((value) => escapeValue(value, escape)) });
      return;
    case 'env':
      addEnv(builder, rest, offset, env, escape);
      return;
    default:
      throw new TemplateSyntaxError(`unknown built-in $${name} (known: ${KNOWN_BUILT_INS})`, offset);
  }
}

/** `$randomInt(min, max)`, `rest` being what follows the name. */
function addRandomInt(builder: PartsBuilder, rest: string, offset: number): void {
  const args = RANDOM_INT_ARGUMENTS.exec(rest);
  const min = args === null ? Number.NaN : Number(args[1]);
  const max = args === null ? Number.NaN : Number(args[2]);
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
    throw new TemplateSyntaxError(
      `bad arguments to $randomInt at offset ${offset}: expected $randomInt(min, max) with two integers`,
      offset,
    );
  }
  if (min > max) {
    throw new TemplateSyntaxError(`bad arguments to $randomInt at offset ${offset}: min (${min}) is above max (${max})`, offset);
  }
  builder.dynamic({ kind: 'randomInt', min, max });
}

/** `name(a, 'b', 3)`: a hook function's call; variable arguments are variables of the template. */
function addCall(builder: PartsBuilder, name: string, argumentText: string, offset: number): void {
  const args: CallArgument[] = [];
  const text = argumentText.trim();
  CALL_ARGUMENT.lastIndex = 0;
  while (text !== '' && CALL_ARGUMENT.lastIndex < text.length) {
    const start = CALL_ARGUMENT.lastIndex;
    const match = CALL_ARGUMENT.exec(text);
    if (match === null || CALL_ARGUMENT.lastIndex === start) {
      throw new TemplateSyntaxError(
        `bad arguments to ${name}() at offset ${offset}: expected variable names, numbers or quoted strings separated by commas`,
        offset,
      );
    }
    if (match[4] !== undefined) args.push({ kind: 'variable', name: match[4] });
    else args.push({ kind: 'literal', value: match[1] ?? match[2] ?? match[3] ?? '' });
  }
  builder.call({ kind: 'call', name, args });
}

/** `$randomString(n)`, `rest` being what follows the name. */
function addRandomString(builder: PartsBuilder, rest: string, offset: number): void {
  const length = Number(RANDOM_STRING_ARGUMENTS.exec(rest)?.[1] ?? Number.NaN);
  if (!(length >= 1 && length <= MAX_RANDOM_STRING_LENGTH)) {
    throw new TemplateSyntaxError(
      `bad arguments to $randomString at offset ${offset}: expected $randomString(n) with n a whole number from 1 to ${MAX_RANDOM_STRING_LENGTH}`,
      offset,
    );
  }
  builder.dynamic({ kind: 'randomString', length });
}

/** The values of `$pick('a', "b", 3)`, `rest` being what follows the name. */
function pickValues(rest: string, offset: number): string[] {
  const bad = (): never => {
    throw new TemplateSyntaxError(
      `bad arguments to $pick at offset ${offset}: expected $pick('a', 'b', ...) with one or more quoted texts or numbers`,
      offset,
    );
  };
  if (!rest.startsWith('(')) bad();
  const values: string[] = [];
  PICK_ARGUMENT.lastIndex = 1;
  for (;;) {
    const start = PICK_ARGUMENT.lastIndex;
    const match = PICK_ARGUMENT.exec(rest);
    if (match === null || match.index !== start) return bad();
    const quoted = match[1] ?? match[2];
    values.push(quoted === undefined ? (match[3] as string) : quoted.replace(/\\(.)/g, '$1'));
    if (match[4] === ')') return PICK_ARGUMENT.lastIndex === rest.length ? values : bad();
  }
}

/** `$env.NAME`, `rest` being what follows `$env`: the variable's value, read now. */
function addEnv(
  builder: PartsBuilder,
  rest: string,
  offset: number,
  env: Readonly<Record<string, string | undefined>>,
  escape: TemplateEscape,
): void {
  const reference = ENV_REFERENCE.exec(rest);
  if (reference === null) {
    throw new TemplateSyntaxError(`bad reference $env${rest} at offset ${offset}: expected $env.NAME`, offset);
  }
  const envName = reference[1] as string;
  const value = env[envName];
  if (value === undefined) {
    throw new TemplateSyntaxError(`environment variable ${envName} is not set (read by {{ $env.${envName} }} at offset ${offset})`, offset);
  }
  builder.env(envName, escapeValue(value, escape));
}

function anyLeafHasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplate(value);
  if (Array.isArray(value)) return value.some(anyLeafHasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(anyLeafHasTemplate);
  return false;
}

/** Writes a JSON value as JSON.stringify would, with templated string leaves compiled in place. */
function appendJson(builder: PartsBuilder, value: unknown, options: CompileTemplateOptions): void {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) {
      builder.literal(JSON.stringify(value));
      return;
    }
    builder.literal('"');
    parseInto(builder, value, options.env, 'json', 'json');
    builder.literal('"');
    return;
  }
  if (Array.isArray(value)) {
    builder.literal('[');
    value.forEach((item: unknown, index) => {
      if (index > 0) builder.literal(',');
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') builder.literal('null');
      else appendJson(builder, item, options);
    });
    builder.literal(']');
    return;
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    builder.literal('{');
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      builder.literal(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      appendJson(builder, item, options);
    }
    builder.literal('}');
    return;
  }
  builder.literal(JSON.stringify(value) ?? 'null');
}

/** Collects parts, merging adjacent literals, and the names referenced. */
class PartsBuilder {
  readonly #parts: TemplatePart[] = [];
  readonly #variables = new Set<string>();
  readonly #envNames = new Set<string>();
  #pending = '';
  #dynamic = false;

  literal(text: string): void {
    this.#pending += text;
  }

  variable(name: string): void {
    this.#variables.add(name);
    this.dynamic({ kind: 'variable', name });
  }

  call(part: CallPart): void {
    for (const arg of part.args) if (arg.kind === 'variable') this.#variables.add(arg.name);
    this.dynamic(part);
  }

  env(name: string, escapedValue: string): void {
    this.#envNames.add(name);
    this.#pending += escapedValue;
  }

  dynamic(part: Exclude<TemplatePart, string>): void {
    this.#flush();
    this.#parts.push(part);
    this.#dynamic = true;
  }

  build(source: string, escape: TemplateEscape): Template {
    this.#flush();
    return {
      isStatic: !this.#dynamic,
      source,
      variables: [...this.#variables],
      envNames: [...this.#envNames],
      parts: this.#parts,
      escape,
    };
  }

  #flush(): void {
    if (this.#pending === '') return;
    this.#parts.push(this.#pending);
    this.#pending = '';
  }
}
