import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/engine/run-plan.js';
import { planThresholds } from '../../src/plan/thresholds.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { buildResults } from '../../src/results/results-document.js';
import type { ResultsDocument } from '../../src/results/results-document.js';
import type { SlaSpec } from '../../src/scenario/types.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { planOf } from '../integration/engine/servers.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../helpers/chromium.js';

/**
 * The HTML report as a person sees it: a real run's report opened from disk in headless Chromium (Debian's
 * `chromium` package; `.ci/run` installs it). Skipped, saying so, only where that browser is missing.
 */
if (!HAS_CHROMIUM) console.warn(`html-report-browser: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

const XSS_NAME = '<img src=x onerror=alert(1)>';
const SCRIPT_NAME = '</script><script>alert(2)</script>';
const SCENARIO_NAME = 'browser </script><!-- check';

/** The few DOM types the functions run in the page use: the tests compile without the DOM lib. */
interface PageElement {
  readonly id: string;
  readonly dataset: Readonly<Record<string, string | undefined>>;
  querySelector<T = PageElement>(selector: string): T | null;
  getBoundingClientRect(): { readonly width: number };
}
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, width: number, height: number): { readonly data: Uint8ClampedArray } } | null;
}
declare const document: {
  querySelectorAll<T = PageElement>(selector: string): Iterable<T> & { readonly length: number };
  readonly documentElement: { readonly scrollWidth: number; getAttribute(name: string): string | null };
};

interface Observed {
  readonly consoleErrors: string[];
  readonly requests: string[];
  readonly dialogs: string[];
}

let server: TargetServer;
let dir: string;
let browser: Browser;
let results: ResultsDocument;
let reportUrl: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  server = await startTargetServer({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'loadseed-html-'));
  // A short real run: one request named to inject markup, one named to close the script block, failing
  // with 500 (so that its threshold's message carries `</script>`), one timing out, one with a spread of latencies.
  const sla = { p95_latency_ms: 2_000, requests: { [SCRIPT_NAME]: { max_error_rate: 0 } } } as SlaSpec;
  const plan = planOf({
    name: SCENARIO_NAME,
    target: server.url,
    requests: [
      { name: XSS_NAME, path: '/' },
      { name: SCRIPT_NAME, path: '/status/500' },
      { name: 'slow', path: '/latency?mean=8&p99=40' },
      { name: 'times out', path: '/delay/400', timeout: '50ms' },
    ],
    load: { profile: 'constant', users: 4, duration: '1500ms' },
    sla,
  });
  const result = await runPlan(plan);
  results = buildResults(plan, planThresholds(sla), result);
  const file = join(dir, 'report.html');
  await writeFile(file, await renderHtmlReport(results));
  reportUrl = pathToFileURL(file).href;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A fresh page on the report, recording console errors, every request the page makes and every dialog. */
async function openReport(width = 1280): Promise<{ page: Page; observed: Observed }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const observed: Observed = { consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') observed.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => observed.consoleErrors.push(error.message));
  page.on('request', (request) => observed.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    observed.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(reportUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.getAttribute('data-charts') !== null);
  return { page, observed };
}

/** Per chart: its x points, its canvas size, and how many of its pixels are coloured (series, not grey axes and grid). */
function chartPixels(page: Page): Promise<{ id: string; points: number; width: number; height: number; coloured: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.chart')].map((element) => {
      const canvas = element.querySelector<PageCanvas>('canvas');
      if (canvas === null) return { id: element.id, points: 0, width: 0, height: 0, coloured: 0 };
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let at = 0; at < pixels.length; at += 4) {
        const [r, g, b, a] = [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!, pixels[at + 3]!];
        if (a > 64 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured += 1;
      }
      return { id: element.id, points: Number(element.dataset['points'] ?? 0), width: canvas.width, height: canvas.height, coloured };
    }),
  );
}

describe.skipIf(!HAS_CHROMIUM)(`the HTML report in headless Chromium${HAS_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`, () => {
  it('opens from disk without a console error and without a single request beyond the file itself', async () => {
    const { page, observed } = await openReport();
    await page.waitForTimeout(200);
    expect(observed.consoleErrors).toEqual([]);
    expect(observed.requests).toEqual([reportUrl]);
    expect(observed.dialogs).toEqual([]);
    await page.close();
  });

  it('draws every chart: data in each, and series on each canvas', async () => {
    const { page } = await openReport();
    const charts = await chartPixels(page);
    expect(charts.map((chart) => chart.id)).toEqual([
      'chart-histogram',
      'chart-spectrum',
      'chart-throughput',
      'chart-latency',
      'chart-errors',
      'chart-requests',
    ]);
    for (const chart of charts) {
      expect(chart.points, chart.id).toBeGreaterThan(0);
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.coloured, chart.id).toBeGreaterThan(150);
    }
    // One line per request on the per-request chart, named by its legend (text, not markup).
    const legend = await page.locator('#chart-requests .u-legend .u-series th').allTextContents();
    expect(legend.slice(1).sort()).toEqual([XSS_NAME, SCRIPT_NAME, 'slow', 'times out'].sort());
    // Failures by kind: the 500s (an unexpected status) and the timeouts, each its own line.
    const errorLegend = await page.locator('#chart-errors .u-legend .u-series th').allTextContents();
    expect(errorLegend.slice(1).sort()).toEqual(['timeout', 'unexpected status']);
    await page.close();
  });

  it('shows the verdict and the thresholds, the violated one with its message', async () => {
    const { page } = await openReport();
    expect(results.verdict).toBe('failed');
    const verdict = await page.locator('#verdict').innerText();
    expect(verdict).toContain('Failed: 1 of 2 thresholds violated');
    expect(verdict).toContain(`error rate 100% > 0% (${SCRIPT_NAME})`);
    const rows = await page.locator('#thresholds tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t').map((cell) => cell.trim()))).toEqual([
      ['p95_latency_ms', 'all requests', expect.stringMatching(/ ms$/), '≤ 2000 ms', '✓ pass'],
      ['max_error_rate', SCRIPT_NAME, '100%', '≤ 0%', '✗ fail'],
    ]);
    const figures = await page.locator('#figures').innerText();
    expect(figures).toContain(results.summary.total.count.toLocaleString('en-US'));
    await page.close();
  });

  it('lists each error category with example messages', async () => {
    const { page } = await openReport();
    const timeoutRow = await page.locator('#outcomes tbody tr', { hasText: 'timeout' }).innerText();
    expect(timeoutRow).toContain('no response within 50 ms');
    await page.close();
  });

  it('renders hostile names as text: no dialog, no injected element, the text visible', async () => {
    const { page, observed } = await openReport();
    expect(await page.locator('h1').innerText()).toBe(SCENARIO_NAME);
    await expect(page.locator('#requests td.name', { hasText: XSS_NAME }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#requests td.name', { hasText: SCRIPT_NAME }).isVisible()).resolves.toBe(true);
    const injected = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
    }));
    expect(injected).toEqual({ images: 0, scripts: 3 });
    // Hovering the charts shows values in the legends (uPlot writes them as text).
    const over = page.locator('#chart-requests .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.waitForTimeout(100);
    const values = await page.locator('#chart-requests .u-legend .u-value').allTextContents();
    expect(values[0]).toMatch(/^p[0-9.]+$/);
    expect(values.slice(1).every((value) => / ms$/.test(value))).toBe(true);
    expect(observed.dialogs).toEqual([]);
    expect(observed.consoleErrors).toEqual([]);
    await page.close();
  });

  it('fits a phone-sized window: charts shrink to their cards', async () => {
    const { page, observed } = await openReport(1280);
    await page.setViewportSize({ width: 400, height: 800 });
    await page.waitForTimeout(300);
    const fits = await page.evaluate(() =>
      [...document.querySelectorAll('.chart')].map((element) => {
        const plot = element.querySelector('.uplot')!;
        return (
          plot.getBoundingClientRect().width <= element.getBoundingClientRect().width + 1 && element.getBoundingClientRect().width < 400
        );
      }),
    );
    expect(fits).toEqual([true, true, true, true, true, true]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    expect(observed.consoleErrors).toEqual([]);
    await page.close();
  });
});
