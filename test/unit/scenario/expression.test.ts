import { describe, expect, it } from 'vitest';
import { compileCondition, evaluateCondition, ExpressionSyntaxError, parseExpression } from '../../../src/scenario/expression.js';

const scopeOf = (values: Record<string, string>) => ({ get: (name: string) => values[name] });
const holds = (text: string, values: Record<string, string> = {}): boolean =>
  evaluateCondition(compileCondition(`{{ ${text} }}`).expression, scopeOf(values));

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    compileCondition(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`"${text}" compiled`);
}

describe('conditions', () => {
  it('compares text, and numeric-looking values as numbers', () => {
    expect(holds("status == 'done'", { status: 'done' })).toBe(true);
    expect(holds("status != 'done'", { status: 'pending' })).toBe(true);
    expect(holds('"b" > "a"')).toBe(true);
    expect(holds("'10' > '9'")).toBe(true);
    expect(holds('n >= 10', { n: '10' })).toBe(true);
    expect(holds('n < 9', { n: '10' })).toBe(false);
    expect(holds('n == 3', { n: '3.0' })).toBe(true);
    expect(holds('n > -1.5', { n: '-1' })).toBe(true);
    expect(holds("'10' > 'x'")).toBe(false);
    expect(holds('flag == true', { flag: 'true' })).toBe(true);
  });

  it('gives an unset variable a value of its own', () => {
    expect(holds("status != 'done'")).toBe(true);
    expect(holds("status == 'done'")).toBe(false);
    expect(holds('status == other')).toBe(true);
    expect(holds("status == ''")).toBe(false);
    expect(holds('n < 5')).toBe(false);
    expect(holds('n >= 5')).toBe(false);
    expect(holds('!n')).toBe(true);
    expect(holds('n')).toBe(false);
  });

  it('reads a value alone as true unless it is empty, false or 0', () => {
    expect(holds('a', { a: 'yes' })).toBe(true);
    for (const falsy of ['', 'false', '0']) expect(holds('a', { a: falsy })).toBe(false);
    expect(holds('true && !false')).toBe(true);
  });

  it('binds || loosest, then &&, then comparisons, then !', () => {
    expect(parseExpression('a || b && c')).toEqual({
      kind: 'or',
      left: { kind: 'variable', name: 'a' },
      right: { kind: 'and', left: { kind: 'variable', name: 'b' }, right: { kind: 'variable', name: 'c' } },
    });
    expect(parseExpression("!a == 'x'")).toEqual({
      kind: 'compare',
      op: '==',
      left: { kind: 'not', operand: { kind: 'variable', name: 'a' } },
      right: { kind: 'value', value: 'x' },
    });
    expect(holds('a == 1 || b == 2 && c == 3', { a: '1', b: '0', c: '0' })).toBe(true);
    expect(holds('(a == 1 || b == 2) && c == 3', { a: '1', b: '0', c: '0' })).toBe(false);
    expect(holds("!(s == 'x')", { s: 'y' })).toBe(true);
  });

  it('reads escaped quotes and lists the variables once, in order', () => {
    const condition = compileCondition(`{{ a == 'it\\'s' && b != "x" || a == b }}`);
    expect(condition.variables).toEqual(['a', 'b']);
    expect(evaluateCondition(condition.expression, scopeOf({ a: "it's", b: 'x' }))).toBe(false);
    expect(evaluateCondition(condition.expression, scopeOf({ a: "it's", b: 'y' }))).toBe(true);
  });

  it('is plain data: a structured clone evaluates the same', () => {
    const condition = compileCondition("{{ !(n < 3) && s != 'done' }}");
    const copy = structuredClone(condition);
    expect(evaluateCondition(copy.expression, scopeOf({ n: '4', s: 'pending' }))).toBe(true);
    expect(evaluateCondition(copy.expression, scopeOf({ n: '2', s: 'pending' }))).toBe(false);
  });

  it('reports syntax errors with their offset in the text as written', () => {
    expect(syntaxError("{{ status = 'done' }}")).toMatchObject({ offset: 10 });
    expect(syntaxError("{{ status = 'done' }}").message).toBe('unexpected "=": compare with "==" at offset 10');
    expect(syntaxError('{{ a == }}').offset).toBe(8);
    expect(syntaxError('{{ (a == 1 }}').message).toBe('unclosed "(": expected ")" to match it at offset 3');
    expect(syntaxError("{{ s == 'x }}").message).toBe('unclosed single quote at offset 8');
    expect(syntaxError('{{ a == 1 == 2 }}').offset).toBe(10);
    expect(syntaxError('{{ a b }}').message).toBe('unexpected name "b" after a complete expression at offset 5');
    expect(syntaxError('{{ $uuid }}').offset).toBe(3);
    expect(syntaxError('{{ a & b }}').message).toContain('use "&&"');
    expect(syntaxError('{{   }}').message).toContain('empty condition');
    expect(syntaxError("status != 'done'").message).toContain('a condition is written in "{{ }}"');
    expect(syntaxError(`{{ ${'('.repeat(100)}a${')'.repeat(100)} }}`).message).toContain('nests deeper than 64');
  });
});
