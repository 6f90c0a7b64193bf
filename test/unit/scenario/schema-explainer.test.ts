import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { SchemaExplainer } from '../../../src/scenario/schema-explainer.js';
import type { IssueDraft } from '../../../src/scenario/schema-explainer.js';

const SCHEMA = {
  type: 'object',
  properties: {
    mode: { enum: ['sequential', 'random'] },
    wait: {
      anyOf: [
        { type: 'string', pattern: '^[0-9]+s$' },
        { type: 'number', exclusiveMinimum: 0 },
      ],
      errorMessage: 'expected a wait such as 5s',
    },
    pause: {
      anyOf: [
        { type: 'number' },
        {
          type: 'object',
          properties: { min: { type: 'number' }, max: { type: 'number' } },
          required: ['min', 'max'],
          additionalProperties: false,
        },
      ],
    },
    count: { type: 'integer', minimum: 1 },
    limit: { type: 'number', exclusiveMinimum: 0, errorMessage: 'expected a limit greater than zero' },
  },
  required: ['mode'],
  additionalProperties: false,
} as const;

function explain(data: unknown): IssueDraft[] {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addSchema(SCHEMA, 'test');
  const validatorAt = (pointer: string): ((value: unknown) => ErrorObject[]) | undefined => {
    const validate = ajv.getSchema(`test#${pointer}`);
    if (validate === undefined) return undefined;
    return (value) => (validate(value) ? [] : [...(validate.errors ?? [])]);
  };
  const validate = validatorAt('');
  if (validate === undefined) throw new Error('test schema did not compile');
  return new SchemaExplainer(SCHEMA, validatorAt).explain(validate(data));
}

describe('SchemaExplainer', () => {
  it('explains nothing for valid data', () => {
    expect(explain({ mode: 'random', wait: '5s', pause: { min: 1, max: 2 }, count: 3, limit: 0.5 })).toEqual([]);
  });

  it('replaces the branches of a failing anyOf by its errorMessage and the value', () => {
    expect(explain({ mode: 'random', wait: 'soon' })).toEqual([
      { path: ['wait'], at: 'value', message: 'expected a wait such as 5s (got "soon")' },
    ]);
    expect(explain({ mode: 'random', wait: -1 })).toEqual([
      { path: ['wait'], at: 'value', message: 'expected a wait such as 5s (got -1)' },
    ]);
  });

  it('lists the branch types of an anyOf without errorMessage', () => {
    expect(explain({ mode: 'random', pause: 'x' })).toEqual([
      { path: ['pause'], at: 'value', message: 'expected a number or a mapping (key: value) (got "x")' },
    ]);
  });

  it('explains a mapping in an anyOf by the mapping branch alone', () => {
    expect(explain({ mode: 'random', pause: { min: 1, mx: 2 } })).toEqual([
      { path: ['pause'], at: 'key', message: 'missing required key "max"' },
      { path: ['pause', 'mx'], at: 'key', message: 'unknown key "mx"; did you mean "max"?' },
    ]);
  });

  it('suggests the nearest enum value', () => {
    expect(explain({ mode: 'randm' })).toEqual([
      { path: ['mode'], at: 'value', message: 'expected one of sequential, random (got "randm"); did you mean "random"?' },
    ]);
    expect(explain({ mode: 'zzz' })).toEqual([{ path: ['mode'], at: 'value', message: 'expected one of sequential, random (got "zzz")' }]);
  });

  it('suggests the nearest key, or lists the keys when none is near', () => {
    expect(explain({ mode: 'random', cont: 1 })).toEqual([
      { path: ['cont'], at: 'key', message: 'unknown key "cont"; did you mean "count"?' },
    ]);
    expect(explain({ mode: 'random', xyzzy: 1 })).toEqual([
      { path: ['xyzzy'], at: 'key', message: 'unknown key "xyzzy"; expected one of mode, wait, pause, count, limit' },
    ]);
  });

  it('words plain type errors and quotes the value, long values cut at 60 characters', () => {
    expect(explain({ mode: 'random', count: 'x'.repeat(100) })).toEqual([
      { path: ['count'], at: 'value', message: `expected a whole number (got "${'x'.repeat(56)}...)` },
    ]);
    expect(explain({ mode: 'random', count: [1] })).toEqual([
      { path: ['count'], at: 'value', message: 'expected a whole number (got a list)' },
    ]);
    expect(explain({ mode: 'random', count: { a: 1 } })).toEqual([
      { path: ['count'], at: 'value', message: 'expected a whole number (got a mapping)' },
    ]);
  });

  it('quotes infinite and NaN values as such', () => {
    expect(explain({ mode: 'random', limit: Number.POSITIVE_INFINITY, count: Number.NaN })).toEqual([
      { path: ['count'], at: 'value', message: 'expected a whole number (got NaN)' },
      { path: ['limit'], at: 'value', message: 'expected a limit greater than zero (got Infinity)' },
    ]);
  });
});
