import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ResultsFileError, ScenarioError, UsageError } from '../../../src/errors.js';
import { ERROR_CATEGORIES, ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { ObjectStoreError } from '../../../src/results/object-store-error.js';
import { classifyError } from '../../../src/transport/classify-error.js';
import { ABANDONED, REQUEST_ERRORS, requestError } from '../../../src/transport/request-errors.js';
import type { RequestErrorCode } from '../../../src/transport/request-errors.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourcesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The codes of LoadseedError subclasses, not failed requests: bad input (exit 2), an object store failing (exit 3). */
const COMMAND_CODES: ReadonlySet<string> = new Set([
  new ScenarioError('x.yml', []).code,
  new UsageError('x').code,
  new ResultsFileError('x.json', 'x').code,
  new ObjectStoreError('s3://b/k', 'x').code,
]);

const CODES = Object.keys(REQUEST_ERRORS) as RequestErrorCode[];

describe('the request error registry', () => {
  it('defines every LS_* code written in src/: each one is a request error or a command error', () => {
    const written = new Map<string, string>();
    for (const file of sourcesUnder(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'(LS_[A-Z_]+)'/g)) written.set(match[1] as string, file);
    }
    const unknown = [...written].filter(([code]) => !(code in REQUEST_ERRORS) && !COMMAND_CODES.has(code));
    expect(unknown).toEqual([]);
    // and nothing in the registry is dead: each code is raised outside the registry's own file
    const others = sourcesUnder(SRC)
      .filter((file) => !file.endsWith('request-errors.ts'))
      .map((file) => readFileSync(file, 'utf8'));
    for (const code of CODES) {
      const raisedAs = code === 'LS_ABANDONED' ? 'import { ABANDONED }' : `requestError('${code}'`;
      expect(
        others.some((text) => text.includes(raisedAs)),
        code,
      ).toBe(true);
    }
  });

  it.each(CODES)('%s has a category, and classifyError gives it', (code) => {
    const { category } = REQUEST_ERRORS[code];
    expect(ERROR_CATEGORIES).toContain(category);
    expect(classifyError(requestError(code))).toBe(ErrorCategoryId[category]);
    expect(classifyError(requestError(code, 'another message'))).toBe(ErrorCategoryId[category]);
  });

  it('falls into `other` only by decision: the four requests refused before sending', () => {
    expect(CODES.filter((code) => REQUEST_ERRORS[code].category === 'other').sort()).toEqual([
      'LS_GRPC_MESSAGE',
      'LS_INVALID_HEADER',
      'LS_INVALID_REQUEST',
      'LS_MISSING_VARIABLE',
    ]);
  });

  it('gives an abandoned exchange one frozen error, `aborted` should it ever be classified', () => {
    expect(Object.isFrozen(ABANDONED)).toBe(true);
    expect(ABANDONED).toMatchObject({ code: 'LS_ABANDONED', message: 'request abandoned by loadseed' });
    expect(classifyError(ABANDONED)).toBe(ErrorCategoryId.aborted);
  });
});
