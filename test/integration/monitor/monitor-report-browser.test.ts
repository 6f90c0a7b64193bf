import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import type { MonitorResults } from '../../../src/monitor/monitor-results.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { assembleResults } from '../../../src/results/results-document.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../../helpers/chromium.js';

/**
 * The Server resources chart as a person sees it: a report with monitor data (two sources sampled at
 * slightly different instants, one with a gap, one without points) opened in headless Chromium. Skipped,
 * saying so, where Debian's `chromium` is missing.
 */
if (!HAS_CHROMIUM) console.warn(`monitor-report-browser: skipped, ${CHROMIUM} is missing`);

interface PageElement {
  readonly id: string;
  readonly textContent: string | null;
  readonly dataset: Readonly<Record<string, string | undefined>>;
  querySelector<T = PageElement>(selector: string): T | null;
  querySelectorAll<T = PageElement>(selector: string): Iterable<T>;
}
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, width: number, height: number): { readonly data: Uint8ClampedArray } } | null;
}
declare const document: {
  getElementById(id: string): PageElement | null;
  readonly documentElement: { getAttribute(name: string): string | null };
};

const MONITOR: MonitorResults = [
  {
    name: 'api <script>',
    kind: 'process',
    target: 'pid 4242',
    intervalMs: 1_000,
    points: Array.from({ length: 10 }, (_, i) => ({
      offsetMs: 100 + i * 1_000,
      cpuPercent: i === 4 ? null : 20 + i * 8,
      memoryBytes: i === 4 ? null : 80e6 + i * 5e6,
    })),
    warnings: ['pid 4242 is not running: 1 of 10 samples'],
  },
  {
    name: 'db',
    kind: 'prometheus',
    target: 'http://127.0.0.1:9187/metrics',
    intervalMs: 1_000,
    points: Array.from({ length: 10 }, (_, i) => ({ offsetMs: 130 + i * 1_000, cpuPercent: i === 0 ? null : 150, memoryBytes: 300e6 })),
    warnings: [],
  },
  {
    name: 'cache',
    kind: 'process',
    target: 'command redis-server',
    intervalMs: 1_000,
    points: [],
    warnings: ["process monitoring reads Linux's /proc, and this is darwin: not sampled"],
  },
];

let dir: string;
let browser: Browser;
let reportUrl: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const recorder = new Recorder(['home']);
  recorder.start(0);
  for (let i = 0; i < 200; i++) recorder.recordResponse(0, 200, true, 5_000 + (i % 17) * 300, 4_000, 100, 50, i * 50);
  recorder.finish(10_000);
  const results = assembleResults({
    scenario: { name: 'monitored', file: 'monitored.yml', plan: 'constant 2 users for 10s · 10s · 1 request: home' },
    startedAtEpochMs: Date.parse('2026-11-25T20:00:00.000Z'),
    endedAtEpochMs: Date.parse('2026-11-25T20:00:10.000Z'),
    elapsedMs: 10_000,
    host: 'ci-1',
    interrupted: false,
    warmupExcluded: false,
    warmupRequests: 0,
    recorder,
    thresholds: [],
    generator: {
      workers: 1,
      cpuPercent: 10,
      busyPercent: 10,
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 2,
      schedulerLagP99Ms: 0,
      saturated: false,
      threads: [],
    },
    monitor: MONITOR,
  });
  dir = await mkdtemp(join(tmpdir(), 'loadseed-monitor-html-'));
  const file = join(dir, 'report.html');
  await writeFile(file, await renderHtmlReport(results));
  reportUrl = pathToFileURL(file).href;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)('the Server resources chart in headless Chromium', () => {
  it('draws both sources on one time column, without a console error, with the sources and notices listed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(reportUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.getAttribute('data-charts') !== null);
    const chart = await page.evaluate(() => {
      const element = document.getElementById('chart-monitor')!;
      const canvas = element.querySelector<PageCanvas>('canvas')!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let at = 0; at < pixels.length; at += 4) {
        const [r, g, b, a] = [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!, pixels[at + 3]!];
        if (a > 64 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured += 1;
      }
      const legend = [...element.querySelectorAll<PageElement>('.u-legend th')].map((th) => th.textContent);
      const notices = [...document.getElementById('monitor')!.querySelectorAll<PageElement>('.warnings li')].map((li) => li.textContent);
      return { points: Number(element.dataset['points']), coloured, legend, notices };
    });
    expect(errors).toEqual([]);
    // 10 instants of each source, none shared: one column of 20.
    expect(chart.points).toBe(20);
    expect(chart.coloured).toBeGreaterThan(500);
    expect(chart.legend).toEqual(['time', 'api <script> CPU', 'api <script> memory', 'db CPU', 'db memory']);
    expect(chart.notices).toEqual([
      'api <script>: pid 4242 is not running: 1 of 10 samples',
      "cache: process monitoring reads Linux's /proc, and this is darwin: not sampled",
    ]);
    // The cursor moves with the other over-time charts: hovering the throughput chart sets the monitor's legend,
    // each source at its own nearest sample.
    const over = page.locator('#chart-throughput .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2, { steps: 4 });
    await page.waitForTimeout(100);
    const values = await page.locator('#chart-monitor .u-legend .u-value').allTextContents();
    expect(values[0]).toMatch(/^[0-9.]+ s$/);
    expect(values.slice(1)).toEqual([expect.stringMatching(/^[0-9.]+%$/), expect.stringMatching(/^[0-9.]+ MB$/), '150%', '300 MB']);
    await page.close();
  });
});
