import type { TemplateScope } from './template.js';

/**
 * Conditions of flow control (`if: "{{ status != 'done' }}"`, a loop's `while`): a small, safe expression
 * language, parsed once into a tree of plain data (structured-clone-safe: a plan with conditions goes to worker
 * threads as it is) and evaluated per use against a user's variables. No `eval`, no `Function`, no calls.
 *
 * - Literals: `'text'`, `"text"` (a backslash escapes the quote or itself), numbers (`3`, `-1.5`), `true`, `false`.
 * - Names: a variable (captures over the data row over `variables`, as templates read them). A variable that is
 *   not set has a value of its own, *unset*: equal only to another unset, never below or above anything.
 * - `==` `!=` `<` `<=` `>` `>=`: two numeric-looking values compare as numbers (`'10' > 9`), anything else as
 *   text; `true`/`false` compare as the text `true`/`false`.
 * - `&&` `||` `!` and parentheses; precedence, loosest first: `||`, `&&`, comparisons, `!`.
 * - A value alone is true unless it is unset, empty, `false` or `0`.
 */
export type Expression =
  | { readonly kind: 'value'; readonly value: string | boolean }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: Expression }
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expression; readonly right: Expression };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A condition as written in a scenario (`{{ expr }}`), compiled. */
export interface Condition {
  /** The text as written, `{{ }}` included. */
  readonly source: string;
  readonly expression: Expression;
  /** Names of the variables read, each once, in order of first use. */
  readonly variables: readonly string[];
}

/** A condition that cannot be compiled. `offset` is the 0-based index in the text where the problem is. */
export class ExpressionSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'ExpressionSyntaxError';
    this.offset = offset;
  }
}

/** The value of an unset variable: distinct from every text. */
type Value = string | boolean | undefined;

const MAX_DEPTH = 64;
const NUMERIC = /^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/;
const CONDITION = /^(\s*\{\{)(.*)\}\}\s*$/s;

/** Compiles a condition written as `{{ expr }}`. Throws ExpressionSyntaxError, its offset into `text`. */
export function compileCondition(text: string): Condition {
  const match = CONDITION.exec(text);
  if (match === null) {
    throw new ExpressionSyntaxError(`a condition is written in "{{ }}", as in "{{ status != 'done' }}"; got "${text}"`, 0);
  }
  const start = (match[1] as string).length;
  const inner = match[2] as string;
  const nested = inner.indexOf('{{');
  if (nested !== -1) throw new ExpressionSyntaxError('a condition holds one "{{ }}", without another "{{" inside', start + nested);
  const expression = parseExpression(inner, start);
  return { source: text, expression, variables: variablesOf(expression) };
}

/** Parses an expression (without `{{ }}`). `base` is added to every offset reported. */
export function parseExpression(text: string, base = 0): Expression {
  const parser = new Parser(tokenize(text, base), base + text.length);
  const expression = parser.parse();
  return expression;
}

/** Whether the condition holds for a user's variables. */
export function evaluateCondition(expression: Expression, scope: TemplateScope): boolean {
  return truthy(evaluate(expression, scope));
}

function evaluate(expression: Expression, scope: TemplateScope): Value {
  switch (expression.kind) {
    case 'value':
      return expression.value;
    case 'variable':
      return scope.get(expression.name);
    case 'not':
      return !truthy(evaluate(expression.operand, scope));
    case 'and':
      return truthy(evaluate(expression.left, scope)) && truthy(evaluate(expression.right, scope));
    case 'or':
      return truthy(evaluate(expression.left, scope)) || truthy(evaluate(expression.right, scope));
    case 'compare':
      return compare(expression.op, evaluate(expression.left, scope), evaluate(expression.right, scope));
  }
}

function truthy(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

function compare(op: CompareOp, left: Value, right: Value): boolean {
  if (left === undefined || right === undefined) {
    const same = left === right;
    if (op === '==') return same;
    if (op === '!=') return !same;
    return false;
  }
  const a = String(left);
  const b = String(right);
  const numeric = NUMERIC.test(a) && NUMERIC.test(b);
  const x: number | string = numeric ? Number(a) : a;
  const y: number | string = numeric ? Number(b) : b;
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

function variablesOf(expression: Expression, names = new Set<string>()): string[] {
  switch (expression.kind) {
    case 'variable':
      names.add(expression.name);
      break;
    case 'not':
      variablesOf(expression.operand, names);
      break;
    case 'and':
    case 'or':
    case 'compare':
      variablesOf(expression.left, names);
      variablesOf(expression.right, names);
      break;
    case 'value':
      break;
  }
  return [...names];
}

type Token =
  | { readonly kind: 'value'; readonly value: string | boolean; readonly at: number }
  | { readonly kind: 'name'; readonly name: string; readonly at: number }
  | { readonly kind: 'op'; readonly op: string; readonly at: number };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')'] as const;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text[position] as string;
    if (/\s/.test(char)) {
      position++;
      continue;
    }
    const at = base + position;
    if (char === "'" || char === '"') {
      const [value, end] = readString(text, position, base);
      tokens.push({ kind: 'value', value, at });
      position = end;
      continue;
    }
    NUMBER.lastIndex = position;
    const number = NUMBER.exec(text);
    if (number !== null) {
      tokens.push({ kind: 'value', value: number[0], at });
      position += number[0].length;
      continue;
    }
    NAME.lastIndex = position;
    const name = NAME.exec(text);
    if (name !== null) {
      const word = name[0];
      tokens.push(word === 'true' || word === 'false' ? { kind: 'value', value: word === 'true', at } : { kind: 'name', name: word, at });
      position += word.length;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, position));
    if (op === undefined) throw new ExpressionSyntaxError(unexpectedCharacter(text, position), at);
    tokens.push({ kind: 'op', op, at });
    position += op.length;
  }
  return tokens;
}

function unexpectedCharacter(text: string, position: number): string {
  const char = text[position] as string;
  if (char === '=') return 'unexpected "=": compare with "=="';
  if (char === '&' || char === '|') return `unexpected "${char}": use "${char}${char}"`;
  if (char === '$') return 'unexpected "$": built-ins such as $uuid belong in templates, not in conditions';
  return `unexpected "${char}" (a condition has names, 'text', numbers, true, false, == != < <= > >=, && || ! and parentheses)`;
}

/** A quoted string from `start` (its quote): its value and the index after its closing quote. */
function readString(text: string, start: number, base: number): [string, number] {
  const quote = text[start] as string;
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text[position] as string;
    if (char === quote) return [value, position + 1];
    if (char === '\\' && position + 1 < text.length) {
      value += text[position + 1] as string;
      position += 2;
      continue;
    }
    value += char;
    position++;
  }
  throw new ExpressionSyntaxError(`unclosed ${quote === "'" ? 'single' : 'double'} quote`, base + start);
}

/** Recursive descent over the tokens: or → and → comparison → unary → primary. */
class Parser {
  readonly #tokens: readonly Token[];
  readonly #endOffset: number;
  #index = 0;
  #depth = 0;

  constructor(tokens: readonly Token[], endOffset: number) {
    this.#tokens = tokens;
    this.#endOffset = endOffset;
  }

  parse(): Expression {
    if (this.#tokens.length === 0) throw new ExpressionSyntaxError('empty condition: expected an expression', this.#endOffset);
    const expression = this.#or();
    const extra = this.#tokens[this.#index];
    if (extra !== undefined) throw new ExpressionSyntaxError(`unexpected ${describe(extra)} after a complete expression`, extra.at);
    return expression;
  }

  #or(): Expression {
    let left = this.#and();
    while (this.#accept('||')) left = { kind: 'or', left, right: this.#and() };
    return left;
  }

  #and(): Expression {
    let left = this.#comparison();
    while (this.#accept('&&')) left = { kind: 'and', left, right: this.#comparison() };
    return left;
  }

  #comparison(): Expression {
    const left = this.#unary();
    const token = this.#tokens[this.#index];
    if (token?.kind !== 'op' || !isCompareOp(token.op)) return left;
    this.#index++;
    const right = this.#unary();
    const next = this.#tokens[this.#index];
    if (next?.kind === 'op' && isCompareOp(next.op)) {
      throw new ExpressionSyntaxError(`comparisons do not chain: write (a ${token.op} b) ${next.op} c, or use && between them`, next.at);
    }
    return { kind: 'compare', op: token.op, left, right };
  }

  #unary(): Expression {
    const token = this.#tokens[this.#index];
    if (token?.kind === 'op' && token.op === '!') {
      this.#index++;
      return { kind: 'not', operand: this.#nested(() => this.#unary(), token.at) };
    }
    return this.#primary();
  }

  #primary(): Expression {
    const token = this.#tokens[this.#index];
    if (token === undefined) throw new ExpressionSyntaxError('unexpected end of the condition: expected a value', this.#endOffset);
    this.#index++;
    if (token.kind === 'value') return { kind: 'value', value: token.value };
    if (token.kind === 'name') return { kind: 'variable', name: token.name };
    if (token.op === '(') {
      const inner = this.#nested(() => this.#or(), token.at);
      const close = this.#tokens[this.#index];
      if (close?.kind !== 'op' || close.op !== ')') {
        throw new ExpressionSyntaxError('unclosed "(": expected ")" to match it', token.at);
      }
      this.#index++;
      return inner;
    }
    throw new ExpressionSyntaxError(`unexpected ${describe(token)}: expected a value, a name, "!" or "("`, token.at);
  }

  #nested(parse: () => Expression, at: number): Expression {
    if (++this.#depth > MAX_DEPTH) throw new ExpressionSyntaxError(`the condition nests deeper than ${MAX_DEPTH} levels`, at);
    const expression = parse();
    this.#depth--;
    return expression;
  }

  #accept(op: string): boolean {
    const token = this.#tokens[this.#index];
    if (token?.kind !== 'op' || token.op !== op) return false;
    this.#index++;
    return true;
  }
}

function isCompareOp(op: string): op is CompareOp {
  return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'value':
      return typeof token.value === 'boolean' ? String(token.value) : `value "${token.value}"`;
    case 'name':
      return `name "${token.name}"`;
    case 'op':
      return `"${token.op}"`;
  }
}
