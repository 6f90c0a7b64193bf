import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ejs from 'ejs';
import { DASHBOARD_PAGE_SCRIPT_PATH, TEMPLATES_DIR } from '../assets.js';
import { LOADSEED_VERSION } from '../version.js';
import { readBundledScript, readUPlotAssets, scriptHash } from './inline-assets.js';

/**
 * The live dashboard's page (`run --dashboard`): the same charts as the HTML report (uPlot and the modules of
 * `browser/`, bundled as `dashboard-page.js`), inlined in one page that reads the run's frames from the Server-
 * Sent Events at `events`. A Content-Security-Policy runs only the two inline scripts (by hash) and lets the
 * page connect to its own origin only. The scenario's name and plan go through EJS's escaping; the page's script
 * sets text with `textContent` only.
 */
export async function renderDashboardPage(heading: { readonly scenario: string; readonly plan: string }): Promise<string> {
  const templateFile = join(TEMPLATES_DIR, 'dashboard', 'dashboard.html.ejs');
  const [templateText, uplot, clientJs] = await Promise.all([
    readFile(templateFile, 'utf8'),
    readUPlotAssets(),
    readBundledScript(DASHBOARD_PAGE_SCRIPT_PATH, "the live dashboard's script"),
  ]);
  const csp = [
    "default-src 'none'",
    `script-src ${[uplot.js, clientJs].map(scriptHash).join(' ')}`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return ejs.render(
    templateText,
    { ...heading, version: LOADSEED_VERSION, csp, uplotJs: uplot.js, uplotCss: uplot.css, clientJs },
    { filename: templateFile, strict: false, rmWhitespace: false, async: false },
  );
}
