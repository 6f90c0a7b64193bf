import { describe, expect, it } from 'vitest';
import {
  calledFunctionsOf,
  compileJsonBodyTemplate,
  compileTemplate,
  renderTemplate,
  TemplateSyntaxError,
} from '../../../src/scenario/template.js';
import type { TemplateScope } from '../../../src/scenario/template.js';

/** A scope whose functions join their name and arguments, so that a rendering shows exactly what was called. */
const scope: TemplateScope = {
  get: (name) => ({ user: 'ann b', n: '7' })[name],
  call: (name, args) => `${name}(${args.join('|')})`,
};

describe('{{ fn(arg, ...) }}: calls of the hooks module', () => {
  it('parses literals (numbers, quoted strings) and variable names; variables are the template variables', () => {
    const template = compileTemplate(`/a/{{ sign(user, 'k,1', "x y", -2.5, n) }}/{{ now() }}`, { env: {}, escape: 'none' });
    expect(template.variables).toEqual(['user', 'n']);
    expect(calledFunctionsOf(template)).toEqual(['sign', 'now']);
    expect(renderTemplate(template, scope)).toBe('/a/sign(ann b|k,1|x y|-2.5|7)/now()');
  });

  it('escapes the result like a variable: percent-encoded in a path, JSON-escaped in a json body', () => {
    expect(renderTemplate(compileTemplate('/{{ tag(user) }}', { env: {}, escape: 'uri' }), scope)).toBe('/tag(ann%20b)');
    const body = compileJsonBodyTemplate({ id: '{{ quote(user) }}' }, { env: {} });
    expect(renderTemplate(body, { ...scope, call: () => 'say "hi"' })).toBe('{"id":"say \\"hi\\""}');
  });

  it('a variable argument with no value is a missing variable; a scope without functions throws', () => {
    const template = compileTemplate('{{ tag(nobody) }}', { env: {} });
    expect(() => renderTemplate(template, scope)).toThrow('variable "nobody" is not set');
    expect(() => renderTemplate(compileTemplate('{{ tag(1) }}', { env: {} }), { get: () => undefined })).toThrow('needs a hooks: module');
  });

  it('refuses malformed arguments with a located syntax error', () => {
    for (const text of ['x {{ f(a b) }}', 'x {{ f(,) }}', 'x {{ f("open) }}', 'x {{ f(1 + 2) }}']) {
      let caught: unknown;
      try {
        compileTemplate(text, { env: {} });
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(TemplateSyntaxError);
      expect((caught as TemplateSyntaxError).offset, text).toBe(2);
      expect((caught as Error).message).toContain('bad arguments to f()');
    }
  });
});
