import { describe, expect, it } from 'vitest';
import { exampleOf, isGeneratedString, MAX_DEPTH } from '../../../src/import/schema-example.js';

describe('exampleOf', () => {
  it('prefers what the schema says: example, examples, default, const, enum', () => {
    expect(exampleOf({ type: 'string', example: 'rex', default: 'x' })).toBe('rex');
    expect(exampleOf({ type: 'string', examples: ['a', 'b'] })).toBe('a');
    expect(exampleOf({ type: 'integer', default: 7 })).toBe(7);
    expect(exampleOf({ const: 'fixed' })).toBe('fixed');
    expect(exampleOf({ type: 'string', enum: ['dog', 'cat'] })).toBe('dog');
  });

  it('gives strings by format, sized to minLength and maxLength', () => {
    expect(exampleOf({ type: 'string' })).toBe('string');
    expect(exampleOf({ type: 'string', format: 'date-time' })).toBe('2024-01-01T00:00:00Z');
    expect(exampleOf({ type: 'string', format: 'uuid' })).toBe('00000000-0000-4000-8000-000000000000');
    expect(exampleOf({ type: 'string', format: 'email' })).toBe('user@example.com');
    expect(exampleOf({ type: 'string', minLength: 9 })).toBe('stringxxx');
    expect(exampleOf({ type: 'string', maxLength: 3 })).toBe('str');
  });

  it('gives numbers within their bounds and multiples', () => {
    expect(exampleOf({ type: 'integer' })).toBe(1);
    expect(exampleOf({ type: 'integer', minimum: 5, maximum: 10 })).toBe(5);
    expect(exampleOf({ type: 'integer', maximum: -3 })).toBe(-3);
    expect(exampleOf({ type: 'integer', minimum: 5, exclusiveMinimum: true })).toBe(6);
    expect(exampleOf({ type: 'integer', exclusiveMinimum: 10 })).toBe(11);
    expect(exampleOf({ type: 'integer', minimum: 3, multipleOf: 5 })).toBe(5);
    expect(exampleOf({ type: 'number', minimum: 0.25 })).toBe(0.25);
    expect(exampleOf({ type: 'boolean' })).toBe(true);
    expect(exampleOf({ type: ['null', 'integer'] })).toBe(1);
  });

  it('gives arrays of one (or minItems) and objects of their required properties, readOnly left out', () => {
    expect(exampleOf({ type: 'array', items: { type: 'integer' } })).toEqual([1]);
    expect(exampleOf({ type: 'array', items: { type: 'integer' }, minItems: 3 })).toEqual([1, 1, 1]);
    expect(exampleOf({ type: 'array', items: { type: 'integer' }, maxItems: 0 })).toEqual([]);
    const pet = {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'integer', readOnly: true }, name: { type: 'string' }, tag: { type: 'string' } },
    };
    expect(exampleOf(pet)).toEqual({ name: 'string' });
    expect(exampleOf({ properties: { a: { type: 'integer' }, b: { type: 'boolean' } } })).toEqual({ a: 1, b: true });
  });

  it('merges allOf and takes the first of oneOf and anyOf', () => {
    const schema = {
      allOf: [
        { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } },
        { type: 'object', required: ['b'], properties: { b: { type: 'string', format: 'date' } } },
      ],
    };
    expect(exampleOf(schema)).toEqual({ a: 1, b: '2024-01-01' });
    expect(exampleOf({ oneOf: [{ type: 'boolean' }, { type: 'string' }] })).toBe(true);
    expect(exampleOf({ anyOf: [{ type: 'integer', minimum: 4 }] })).toBe(4);
  });

  it('follows a recursive $ref through the root and stops at MAX_DEPTH', () => {
    const root = {
      components: {
        schemas: {
          Node: {
            type: 'object',
            required: ['name', 'child'],
            properties: { name: { type: 'string' }, child: { $ref: '#/components/schemas/Node' } },
          },
        },
      },
    };
    const value = exampleOf({ $ref: '#/components/schemas/Node' }, root);
    let depth = 0;
    for (
      let node = value as Record<string, unknown> | undefined;
      node?.['child'] !== undefined;
      node = node['child'] as Record<string, unknown>
    )
      depth++;
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThanOrEqual(MAX_DEPTH);
    expect((value as Record<string, unknown>)['name']).toBe('string');
  });

  it('is deterministic: the same schema gives the same value', () => {
    const schema = {
      type: 'object',
      properties: { id: { type: 'string', format: 'uuid' }, at: { type: 'string', format: 'date-time' }, n: { type: 'number' } },
    };
    expect(JSON.stringify(exampleOf(schema))).toBe(JSON.stringify(exampleOf(structuredClone(schema))));
  });

  it("tells its own strings from the document's", () => {
    for (const made of ['string', 'stringxxx', 'str', 'user@example.com', '2024-01-01']) expect(isGeneratedString(made)).toBe(true);
    for (const given of ['hunter22', 'Rex', 'tok-123456']) expect(isGeneratedString(given)).toBe(false);
  });
});
