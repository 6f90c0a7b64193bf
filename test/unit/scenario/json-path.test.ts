import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { jsonPathProblem } from '../../../src/scenario/json-path.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const DOC = {
  id: 1,
  'a b': 2,
  'x.y': 3,
  $ref: 4,
  'a:b': 5,
  headers: { 'content-type': 'application/json' },
  items: [
    { sku: 'a-1', price: 9.5, tags: ['new'] },
    { sku: 'b-2', price: 20, tags: [] },
    { sku: 'c-3', price: 30, tags: ['sale'] },
  ],
};

/** Valid paths, and what jsonpath-plus selects with each in DOC: accepted means read as written. */
const VALID: readonly (readonly [string, unknown[]])[] = [
  ['$', [DOC]],
  ['$.id', [1]],
  ['$.headers.content-type', ['application/json']],
  ['$.$ref', [4]],
  ['$.a:b', [5]],
  ["$['a b']", [2]],
  ['$["a b"]', [2]],
  ["$['x.y']", [3]],
  ['$.items[1].sku', ['b-2']],
  ["$.items[0]['sku']", ['a-1']],
  ['$.items.1.sku', ['b-2']],
  ['$.items[*].sku', ['a-1', 'b-2', 'c-3']],
  ['$.items.*.price', [9.5, 20, 30]],
  ['$..sku', ['a-1', 'b-2', 'c-3']],
  ['$..[0]', [{ sku: 'a-1', price: 9.5, tags: ['new'] }, 'new', 'sale']],
  ['$..items[-1:].sku', ['c-3']],
  ['$.items[0,2].sku', ['a-1', 'c-3']],
  ['$[id,$ref]', [1, 4]],
  ['$.items[1:].sku', ['b-2', 'c-3']],
  ['$.items[:1].sku', ['a-1']],
  ['$.items[0:3:2].sku', ['a-1', 'c-3']],
  ['$.items[::2].sku', ['a-1', 'c-3']],
  ['$.items[-2:].sku', ['b-2', 'c-3']],
  ['$.items[?(@.price > 10)].sku', ['b-2', 'c-3']],
  ["$.items[?(@.price > 10 && @.sku == 'c-3')].price", [30]],
  ['$.items[?(@.sku === "a-1")].price', [9.5]],
  ["$.items[?(@.tags[0] == 'sale')].sku", ['c-3']],
  ['$.items[?(@.sku.match(/^b/))].sku', ['b-2']],
  ['$.items[?(@.tags.length)].sku', ['a-1', 'c-3']],
  ['$.items[?(@property == 1)].sku', ['b-2']],
  ['$.items[(@.length-1)].sku', ['c-3']],
  ['$.items[?(!@.tags.length)].sku', ['b-2']],
];

/** Invalid paths, and the start of what is said about each. */
const INVALID: readonly (readonly [string, string])[] = [
  ['$.[[[', 'unexpected "[" at character 3: expected a name or *'],
  ['$..[?(@.a==', '"(" at character 6 is never closed'],
  ['$.a[', '"[" at character 4 is never closed'],
  ['$[1:2:3:4]', 'a slice at character 2 has at most three parts'],
  ['foo', 'a JSONPath starts with $'],
  ['$foo', 'unexpected "f" at character 2: expected . or ['],
  ['$.', 'the path ends at character 2 where a name or * was expected'],
  ['$..', 'the path ends at character 3 where a name or * was expected'],
  ['$...a', '"..." at character 2'],
  ['$.a b', 'a space at character 4'],
  ["$['a", 'the quote at character 3 is never closed'],
  ['$["a\']', 'the quote at character 3 is never closed'],
  ["$['a'", '"[" at character 2 is never closed'],
  ["$['a']x", 'unexpected "x" at character 7: expected . or ['],
  ["$['']", 'an empty name at character 3'],
  ["$['a,b']", '"," at character 5: a quoted name cannot hold a comma'],
  ["$['a','b']", '"," at character 6: a union is written without quotes'],
  ['$["a\'b"]', '"\'" at character 5 cannot be part of a quoted name'],
  ['$.a]', 'unexpected "]" at character 4'],
  ['$.a)', 'unexpected ")" at character 4'],
  ['$[]', 'empty brackets at character 2'],
  ['$[[0]]', 'unexpected "[" at character 3 inside [ ]'],
  ['$[ 1 ]', 'a space at character 3'],
  ['$[1, 2]', 'a space at character 5'],
  ['$[0,]', 'an empty part in the union'],
  ['$[-1]', 'a negative index at character 3 selects nothing here: write [-1:] for the item last'],
  ['$[0,-2]', 'a negative index at character 5'],
  ['$[1:x]', 'a slice at character 2 takes whole numbers'],
  ['$[::-1]', 'a slice at character 2 steps forward only'],
  ['$[0:4:0]', 'a slice step of 0 at character 2'],
  ['$[*,a]', '"*" at character 3 cannot be part of a union'],
  ['$[?@.a]', '"?" at character 3 starts a filter'],
  ['$[?()]', 'the filter at character 2 is empty'],
  ['$[?(  )]', 'the filter at character 2 is empty'],
  ['$[?(@.a == 1)', '"[" at character 2 is never closed'],
  ['$[?(@.a == 1)x]', 'expected "]" at character 14, after the expression'],
  ['$[?(@.a == (1)]', '"]" at character 15 does not close the "(" at character 4'],
  ["$[?(@.a == 'x)]", 'the quote at character 12 is never closed'],
  ['$[?(@.a ==)]', 'the filter at character 2 does not parse: Expected expression after == at character 11'],
  ['$[?(@.a === = 1)]', 'the filter at character 2 does not parse'],
  ['$[?(@ > 1 @.b)]', 'the filter at character 2 holds two expressions side by side'],
  ['$[?(@>1)]', 'the filter at character 2 does not parse: Unexpected "@" at character 5'],
  ['$[?(@.status == ok)]', 'the filter at character 2 names "ok", which is not defined'],
  ["$[?(@.sku in ['a'])]", 'the filter at character 2 names "in", which is not defined'],
  ['$[?(Math.max(@.a) > 1)]', 'the filter at character 2 names "Math"'],
  ['$[(@.length -)]', 'the script at character 2 does not parse'],
  ['$.a~', 'unexpected "~" at character 4'],
  ['$.a^', 'unexpected "^" at character 4'],
  ['$.a;b', 'unexpected ";" at character 4'],
  ["$['a^b']", 'jsonpath-plus cannot read the part at character 2 as written'],
  ["$['a;b']", 'jsonpath-plus cannot read the part at character 2 as written'],
  ["$['a#0']", 'jsonpath-plus cannot read the part at character 2 as written'],
  ["$.items[?(@.sku == 'a)]')]", `jsonpath-plus cannot read the part at character 8 as written (it reads "?(@.sku == 'a)")`],
];

describe('jsonPathProblem', () => {
  it.each(VALID)('accepts %s, which jsonpath-plus reads as written', (path, selected) => {
    expect(jsonPathProblem(path)).toBeUndefined();
    expect(JSONPath({ path, json: DOC, wrap: true, eval: 'safe' })).toEqual(selected);
  });

  it.each(INVALID)('refuses %s', (path, problem) => {
    expect(jsonPathProblem(path)).toMatch(new RegExp(`^${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('accepts every JSONPath of the example scenarios and of README', () => {
    const texts = [
      readFileSync(join(ROOT, 'README.md'), 'utf8'),
      ...readdirSync(join(ROOT, 'scenarios'))
        .filter((name) => name.endsWith('.yml'))
        .map((name) => readFileSync(join(ROOT, 'scenarios', name), 'utf8')),
    ];
    const paths = texts.flatMap((text) =>
      [...text.matchAll(/\b(?:json|path): *(["']?)(\$[^\s,}]*)\1/g)].map((match) => (match[2] as string).replace(/["']$/, '')),
    );
    expect(paths.length).toBeGreaterThanOrEqual(20);
    expect(paths.filter((path) => jsonPathProblem(path) !== undefined)).toEqual([]);
  });
});
