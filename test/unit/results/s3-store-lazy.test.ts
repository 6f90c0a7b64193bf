import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The AWS SDK is loaded only where a command meets an `s3://` path: no module that a plain run (or merge of
 * files, or the API) loads imports it statically. Followed from the entry points through every static import
 * of src/ (`import … from`, `export … from`; not `import(…)`, which is the lazy way).
 */
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const ENTRY_POINTS = ['cli/main.ts', 'cli/run-command.ts', 'cli/merge-command.ts', 'cli/find-limit-command.ts', 'index.ts'];

/** Every module reached from `entry` by static imports: src/ files by path, packages by name. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(SRC, entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gm)) {
      const specifier = match[1] ?? '';
      queue.push(specifier.startsWith('.') ? resolve(dirname(file), specifier.replace(/\.js$/, '.ts')) : specifier);
    }
  }
  return seen;
}

describe('the S3 client is loaded lazily', () => {
  it.each(ENTRY_POINTS)('%s does not import @aws-sdk/client-s3 statically, by any path', (entry) => {
    const closure = staticClosure(entry);
    expect(closure.size).toBeGreaterThan(3);
    expect([...closure].filter((module) => module.startsWith('@aws-sdk/') || module.endsWith('/results/s3-store.ts'))).toEqual([]);
  });

  it('the closure does follow imports to the store (the test can fail)', () => {
    expect(staticClosure('results/s3-store.ts').has('@aws-sdk/client-s3')).toBe(true);
    expect(staticClosure('run/write-outputs.ts').has(resolve(SRC, 'results/s3-location.ts'))).toBe(true);
  });
});
