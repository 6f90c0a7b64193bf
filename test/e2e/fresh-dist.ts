import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT } from './built-cli.js';

/**
 * vitest global setup of the e2e project: every `src/**\/*.ts` must have its `dist/**\/*.js`, written after it
 * (the pages' scripts, `src/report/browser/`, its two bundles: the HTML report's and the live dashboard's). A stale build makes the e2e tests test old
 * code and fail in ways that say nothing; this says what to do.
 */
export default function freshDist(): void {
  const stale: string[] = [];
  const srcDir = join(ROOT, 'src');
  const pageScriptDir = join(srcDir, 'report', 'browser') + sep;
  const pageScripts = ['report-page.js', 'dashboard-page.js'].map((name) => join(ROOT, 'dist', 'report', 'browser', name));
  for (const source of sourcesUnder(srcDir)) {
    const builds = source.startsWith(pageScriptDir) ? pageScripts : [join(ROOT, 'dist', relative(srcDir, source)).replace(/\.ts$/, '.js')];
    for (const built of builds) {
      let builtMs: number;
      try {
        builtMs = statSync(built).mtimeMs;
      } catch {
        stale.push(`${relative(ROOT, built)} is missing`);
        continue;
      }
      if (builtMs < statSync(source).mtimeMs) stale.push(`${relative(ROOT, built)} is older than ${relative(ROOT, source)}`);
    }
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
