import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './built-cli.js';

interface PackedFile {
  readonly path: string;
}

/** What `npm pack` would publish (scripts skipped: `npm test` has built dist/ already). */
function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as [{ files: PackedFile[] }];
  return new Set(pack.files.map((file) => file.path));
}

describe('the published package', () => {
  it('ships the LICENSE that package.json names, and every source map resolves to a shipped file', () => {
    const files = packedFiles();
    expect(files.has('LICENSE')).toBe(true);
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    const declared = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license;
    expect(license).toContain(`${declared} License`);
    const maps = [...files].filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const shipped = normalize(join(dirname(map), source));
        if (!files.has(shipped)) missing.push(`${map} → ${shipped}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships the gRPC example with the echo proto it names', () => {
    const files = packedFiles();
    for (const path of ['scenarios/grpc.yml', 'schemas/echo.proto']) expect(files.has(path), path).toBe(true);
  });

  it('ships the code-hook examples with their modules', () => {
    const files = packedFiles();
    for (const path of ['scenarios/signed.yml', 'scenarios/hooks/sign.mjs', 'scenarios/oauth.yml', 'scenarios/hooks/oauth.mjs']) {
      expect(files.has(path), path).toBe(true);
    }
  });
});
