import { describe, expect, it } from 'vitest';
import {
  compileJsonBodyTemplate,
  compileTemplate,
  escapeValue,
  hasTemplate,
  MissingVariableError,
  renderTemplate,
  TemplateSyntaxError,
} from '../../../src/scenario/template.js';
import type { CompileTemplateOptions, Template, TemplateScope } from '../../../src/scenario/template.js';

const NO_ENV: CompileTemplateOptions = { env: {} };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KNOWN = "(known: $uuid, $randomInt(min, max), $randomString(n), $pick('a', 'b'), $timestamp, $now, $env.NAME)";

function scope(values: Record<string, string>): TemplateScope {
  return { get: (name) => values[name] };
}

function render(text: string, values: Record<string, string> = {}, options: CompileTemplateOptions = NO_ENV): string {
  return renderTemplate(compileTemplate(text, options), scope(values));
}

function syntaxErrorOf(text: string, options: CompileTemplateOptions = NO_ENV): TemplateSyntaxError {
  try {
    compileTemplate(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateSyntaxError);
    return error as TemplateSyntaxError;
  }
  throw new Error(`expected a TemplateSyntaxError for ${JSON.stringify(text)}`);
}

describe('hasTemplate', () => {
  it('looks for an opening {{', () => {
    expect(hasTemplate('/users/{{ id }}')).toBe(true);
    expect(hasTemplate('{{')).toBe(true);
    expect(hasTemplate('/users/{id}')).toBe(false);
    expect(hasTemplate('')).toBe(false);
  });
});

describe('compileTemplate and renderTemplate', () => {
  it('returns the very same text for a template without {{, with no work', () => {
    const text = '/api/items?page=1';
    const template = compileTemplate(text, NO_ENV);
    expect(template).toMatchObject({ isStatic: true, source: text, variables: [], envNames: [] });
    const rendered = renderTemplate(template, {
      get: () => {
        throw new Error('a static template must not look anything up');
      },
    });
    expect(rendered).toBe(text);
    expect(renderTemplate(compileTemplate('', NO_ENV), scope({}))).toBe('');
  });

  it('substitutes variables, with or without spaces inside the braces', () => {
    const template = compileTemplate('/users/{{ id }}/posts/{{post}}?q={{  id  }}', NO_ENV);
    expect(template.isStatic).toBe(false);
    expect(template.variables).toEqual(['id', 'post']);
    expect(renderTemplate(template, scope({ id: '42', post: '7' }))).toBe('/users/42/posts/7?q=42');
    expect(render('{{a}}{{b}}', { a: 'x', b: 'y' })).toBe('xy');
    expect(render('{{ _under_score9 }}', { _under_score9: 'ok' })).toBe('ok');
  });

  it('keeps the parts few: adjacent literals merged, one part per expression', () => {
    const template = compileTemplate('a{{ $env.X }}b{{ v }}c', { env: { X: '-' } });
    expect(template.parts).toEqual(['a-b', { kind: 'variable', name: 'v' }, 'c']);
  });

  it('throws MissingVariableError naming the variable when the scope lacks it', () => {
    const template = compileTemplate('Bearer {{ token }}', NO_ENV);
    let caught: unknown;
    try {
      renderTemplate(template, scope({}));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingVariableError);
    expect((caught as MissingVariableError).variable).toBe('token');
    expect((caught as Error).message).toBe('variable "token" is not set (a capture that failed, or a data row that ran out?)');
  });
});

describe('built-ins', () => {
  it('$uuid: a fresh v4 UUID per render', () => {
    const template = compileTemplate('id-{{ $uuid }}', NO_ENV);
    expect(template.isStatic).toBe(false);
    const first = renderTemplate(template, scope({}));
    const second = renderTemplate(template, scope({}));
    expect(first.slice(3)).toMatch(UUID_V4);
    expect(second.slice(3)).toMatch(UUID_V4);
    expect(first).not.toBe(second);
    expect(render('{{$uuid()}}')).toMatch(UUID_V4);
  });

  it('$timestamp: Date.now() in milliseconds at render', () => {
    const before = Date.now();
    const value = Number(render('{{ $timestamp }}'));
    const after = Date.now();
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(before);
    expect(value).toBeLessThanOrEqual(after);
  });

  it('$randomInt(min, max): integers in [min, max], both ends reached', () => {
    const template = compileTemplate('{{ $randomInt(1, 6) }}', NO_ENV);
    const seen = new Set<number>();
    for (let index = 0; index < 2000; index++) seen.add(Number(renderTemplate(template, scope({}))));
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(render('{{$randomInt(-3,-3)}}')).toBe('-3');
    const negative = Number(render('{{ $randomInt( -10 , 10 ) }}'));
    expect(negative).toBeGreaterThanOrEqual(-10);
    expect(negative).toBeLessThanOrEqual(10);
  });

  it('$env.NAME: resolved at compile time, escaped like any value, its name recorded as a secret', () => {
    const template = compileTemplate('/k/{{ $env.API_KEY }}/{{ $env.API_KEY }}', { env: { API_KEY: 'a b/c' }, escape: 'uri' });
    expect(template.isStatic).toBe(true);
    expect(template.envNames).toEqual(['API_KEY']);
    expect(template.variables).toEqual([]);
    expect(renderTemplate(template, scope({}))).toBe('/k/a%20b%2Fc/a%20b%2Fc');
    expect(render('{{$env.EMPTY}}!', {}, { env: { EMPTY: '' } })).toBe('!');
  });

  it('refuses an unset $env variable, with its offset', () => {
    const error = syntaxErrorOf('x {{ $env.NOPE }}', { env: { OTHER: '1' } });
    expect(error.offset).toBe(2);
    expect(error.message).toBe('environment variable NOPE is not set (read by {{ $env.NOPE }} at offset 2)');
  });
});

describe('syntax errors', () => {
  it('an unclosed {{', () => {
    const error = syntaxErrorOf('/users/{{ id');
    expect(error.offset).toBe(7);
    expect(error.message).toBe('unclosed "{{" at offset 7: expected "}}"');
    expect(syntaxErrorOf('{{ a }} and {{').offset).toBe(12);
  });

  it('an empty {{ }}', () => {
    const error = syntaxErrorOf('ab{{   }}');
    expect(error.offset).toBe(2);
    expect(error.message).toBe(`empty "{{ }}" at offset 2: expected a variable name or a built-in ${KNOWN.replace('known: ', '')}`);
    expect(syntaxErrorOf('{{}}').offset).toBe(0);
  });

  it('an unknown built-in', () => {
    const error = syntaxErrorOf('x={{ $foo }}');
    expect(error.offset).toBe(2);
    expect(error.message).toBe(`unknown built-in $foo ${KNOWN}`);
    expect(syntaxErrorOf('{{ $random_int(1, 2) }}').message).toBe(`unknown built-in $random_int ${KNOWN}`);
  });

  it('bad arguments', () => {
    expect(syntaxErrorOf('{{ $randomInt(5, 1) }}').message).toBe('bad arguments to $randomInt at offset 0: min (5) is above max (1)');
    const missing = 'bad arguments to $randomInt at offset 1: expected $randomInt(min, max) with two integers';
    expect(syntaxErrorOf('/{{ $randomInt }}').message).toBe(missing);
    expect(syntaxErrorOf('/{{ $randomInt(1) }}').message).toBe(missing);
    expect(syntaxErrorOf('/{{ $randomInt(1.5, 2) }}').message).toBe(missing);
    expect(syntaxErrorOf('/{{ $randomInt(a, b) }}').message).toBe(missing);
    expect(syntaxErrorOf('/{{ $randomInt(1, 99999999999999999999) }}').message).toBe(missing);
    expect(syntaxErrorOf('{{ $uuid(4) }}').message).toBe('bad arguments to $uuid at offset 0: it takes none, write {{ $uuid }}');
    expect(syntaxErrorOf('{{ $env }}').message).toBe('bad reference $env at offset 0: expected $env.NAME');
    expect(syntaxErrorOf('{{ $env.1X }}').message).toBe('bad reference $env.1X at offset 0: expected $env.NAME');
  });

  it('something that is not a name', () => {
    const error = syntaxErrorOf('{{ user.name }}');
    expect(error.offset).toBe(0);
    expect(error.message).toBe(
      '"{{ user.name }}" at offset 0 is not a variable name (letters, digits and _, not starting with a digit) or a built-in',
    );
    expect(syntaxErrorOf('{{ 1st }}').offset).toBe(0);
    expect(syntaxErrorOf('{{ $ }}').message).toContain('known built-ins');
  });
});

describe('escaping', () => {
  const nasty = 'a b/c?d=e&f#g"h\\i\nj\u2028k';

  it('none inserts the value as is', () => {
    expect(render('{{ v }}', { v: nasty })).toBe(nasty);
  });

  it('uri percent-encodes the value (not the literal text)', () => {
    expect(render('/s/{{ v }}?x=1', { v: nasty }, { env: {}, escape: 'uri' })).toBe(`/s/${encodeURIComponent(nasty)}?x=1`);
    expect(render('{{ v }}', { v: 'é' }, { env: {}, escape: 'uri' })).toBe('%C3%A9');
  });

  it('json escapes quotes, backslashes, control characters and U+2028/2029 without adding quotes', () => {
    const rendered = render('{{ v }}', { v: nasty }, { env: {}, escape: 'json' });
    expect(rendered).toBe('a b/c?d=e&f#g\\"h\\\\i\\nj\\u2028k');
    expect(JSON.parse(`"${rendered}"`)).toBe(nasty);
    expect(escapeValue('\u2029\t\u0001', 'json')).toBe('\\u2029\\t\\u0001');
  });

  it('does not escape built-ins', () => {
    expect(render('{{ $randomInt(-5, -5) }}', {}, { env: {}, escape: 'uri' })).toBe('-5');
  });
});

describe('compileJsonBodyTemplate', () => {
  const renderJson = (template: Template, values: Record<string, string>): unknown => JSON.parse(renderTemplate(template, scope(values)));

  it('is static, JSON.stringify once, when no string leaf holds a template', () => {
    const body = { a: 1, b: [true, null, 'x'], c: { d: 'e' } };
    const template = compileJsonBodyTemplate(body, NO_ENV);
    expect(template.isStatic).toBe(true);
    expect(template.source).toBe(JSON.stringify(body));
    expect(renderTemplate(template, scope({}))).toBe(JSON.stringify(body));
  });

  it('renders templated string leaves inside their quotes, JSON-escaped, keys untouched', () => {
    const body = {
      'user {{ id }}': '{{ name }}',
      nested: { list: ['{{ name }}-{{ id }}', 42, false, null, 'plain "quoted"'] },
      note: 'say "{{ quote }}" \\ done',
      key: '{{ $env.KEY }}',
    };
    const template = compileJsonBodyTemplate(body, { env: { KEY: 'k"1' } });
    expect(template.isStatic).toBe(false);
    expect(template.variables).toEqual(['name', 'id', 'quote']);
    expect(template.envNames).toEqual(['KEY']);
    const values = { id: '7', name: 'Ann "the\\admin"\n\u2028', quote: 'hi "there"' };
    expect(renderJson(template, values)).toEqual({
      'user {{ id }}': values.name,
      nested: { list: [`${values.name}-7`, 42, false, null, 'plain "quoted"'] },
      note: 'say "hi "there"" \\ done',
      key: 'k"1',
    });
  });

  it('handles a templated top-level string and arrays', () => {
    expect(renderJson(compileJsonBodyTemplate('{{ v }}', NO_ENV), { v: 'a"b' })).toBe('a"b');
    expect(renderJson(compileJsonBodyTemplate(['{{ v }}', ['{{ v }}'], {}], NO_ENV), { v: 'x' })).toEqual(['x', ['x'], {}]);
  });

  it('reports syntax errors of a leaf', () => {
    expect(() => compileJsonBodyTemplate({ a: ['{{ $nope }}'] }, NO_ENV)).toThrow(TemplateSyntaxError);
  });
});
