import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * What a page of loadseed inlines: uPlot (from node_modules) and a script that `npm run build` bundles from
 * `src/report/browser/`. Shared by the HTML report and the live dashboard's page.
 */

export interface UPlotAssets {
  readonly js: string;
  readonly css: string;
}

/** uPlot's IIFE build and its CSS, as they may be inlined. */
export async function readUPlotAssets(): Promise<UPlotAssets> {
  // Resolved like an import would be: from this package's node_modules, or a parent's when installed.
  const require = createRequire(import.meta.url);
  const [source, css] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  // uPlot's banner names its home page by URL; keep the notice, without a link out of a self-contained file.
  const js = source.replace(
    /^\/\*! https:\/\/github\.com\/leeoniya\/uPlot \((v[^)]*)\) \*\//,
    '/*! uPlot $1, MIT License, (c) Leon Sorokin: github.com/leeoniya/uPlot */',
  );
  checkInlinable('uPlot', js);
  checkInlinable('uPlot CSS', css);
  return { js, css };
}

/** A page script that `npm run build` bundles: without a build, say so, not just ENOENT. */
export async function readBundledScript(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`${what} is missing (${path}): run npm run build, which bundles it`);
  }
  checkInlinable(what, text);
  return text;
}

/** A `script-src` source allowing exactly this inline script. */
export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

function checkInlinable(name: string, text: string): void {
  if (/<\/(script|style)|<!--/i.test(text)) throw new Error(`${name} cannot be inlined: it contains a closing tag or a comment opener`);
}
