import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT } from './built-cli.js';

/**
 * vitest global setup of the e2e project: every `src/**\/*.ts` must have its `dist/**\/*.js`, written after it
 * (the HTML report's script, `src/report/browser/`, its one bundle). A stale build makes the e2e tests test old
 * code and fail in ways that say nothing; this says what to do.
 */
export default function freshDist(): void {
  const stale: string[] = [];
  const srcDir = join(ROOT, 'src');
  const pageScriptDir = join(srcDir, 'report', 'browser') + sep;
  const pageScript = join(ROOT, 'dist', 'report', 'browser', 'report-page.js');
  for (const source of sourcesUnder(srcDir)) {
    const built = source.startsWith(pageScriptDir) ? pageScript : join(ROOT, 'dist', relative(srcDir, source)).replace(/\.ts$/, '.js');
    let builtMs: number;
    try {
      builtMs = statSync(built).mtimeMs;
    } catch {
      stale.push(`${relative(ROOT, built)} is missing`);
      continue;
    }
    if (builtMs < statSync(source).mtimeMs) stale.push(`${relative(ROOT, built)} is older than ${relative(ROOT, source)}`);
  }
  if (stale.length > 0) {
    throw new Error(
      `dist/ is stale (${stale.slice(0, 3).join('; ')}${stale.length > 3 ? `; and ${stale.length - 3} more` : ''}): run npm run build, or npm test, which builds first`,
    );
  }
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}
