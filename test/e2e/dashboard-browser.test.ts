import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatMs } from '../../src/report/format.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { BIN, readCheckedResults } from './built-cli.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../helpers/chromium.js';

/**
 * `run --dashboard` as a person sees it: the built CLI runs a short load with the dashboard on a free port and
 * lingering; headless Chromium (Debian's `chromium`, as for the HTML report's test) opens the page during the
 * run and follows it to its final state, whose numbers must be the results file's. Skipped, saying so, only
 * where that browser is missing.
 */
if (!HAS_CHROMIUM) console.warn(`dashboard-browser: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);
const SCREENSHOT = '/tmp/loadseed-dashboard.png';

/** The few DOM types the functions run in the page use: the tests compile without the DOM lib. */
declare const document: {
  readonly documentElement: { getAttribute(name: string): string | null; readonly scrollWidth: number };
  querySelectorAll(
    selector: string,
  ): Iterable<{ readonly id: string; querySelector(selector: string): unknown }> & { readonly length: number };
};

/** The built CLI as a child process, and a way to wait for a line of its stderr. */
interface RunningCli {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly exited: Promise<number | null>;
  said(pattern: RegExp): Promise<RegExpExecArray>;
  stderr(): string;
}

function startCli(args: readonly string[], cwd: string): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const waiting: { readonly pattern: RegExp; readonly resolve: (match: RegExpExecArray) => void }[] = [];
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of waiting) {
      const match = waiter.pattern.exec(stderr);
      if (match !== null) waiter.resolve(match);
    }
  });
  // A hang guard under the e2e timeout: the linger is 30 s, the test ends it long before with SIGINT.
  const guard = setTimeout(() => child.kill('SIGKILL'), 80_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    said: (pattern) => {
      const match = pattern.exec(stderr);
      return match !== null ? Promise.resolve(match) : new Promise((resolve) => waiting.push({ pattern, resolve }));
    },
    stderr: () => stderr,
  };
}

let target: TargetServer;
let dir: string;
let browser: Browser;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  target = await startTargetServer({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'loadseed-dashboard-e2e-'));
  await writeFile(
    join(dir, 'live.yml'),
    [
      'name: live dashboard <b>check</b>',
      `target: ${target.url}`,
      'workers: 1',
      'requests:',
      '  - {name: catalogue, path: "/latency?mean=8&p99=40"}',
      '  - {name: checkout, path: /delay/20}',
      '  - {name: broken, path: /status/503}',
      'load: {profile: constant, users: 6, duration: 2s}',
      'sla: {p95_latency_ms: 2000, max_error_rate: 0.5}',
      '',
    ].join('\n'),
  );
  // Started before the run, so that the page opens while the load is on.
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await target?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)(`the live dashboard in headless Chromium${HAS_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`, () => {
  it('follows a run live to its final state, whose numbers are the results file’s', async () => {
    const cli = startCli(['run', 'live.yml', '--dashboard', '0', '--dashboard-linger', '30s', '--out', 'live.json'], dir);
    const [, url] = await cli.said(/▶ dashboard: (http:\/\/127\.0\.0\.1:[0-9]+\/)\n/);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(url!, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.getAttribute('data-state') === 'final', undefined, { timeout: 60_000 });
    // The results file is written, and the run's summary printed, before it says it lingers.
    await cli.said(/stay at /);
    const doc = await readCheckedResults(dir, 'live.json');
    const total = doc.summary.total;

    // Frames came during the run (at least one live frame before the final one).
    expect(Number(await page.getAttribute('html', 'data-frames'))).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#figure-requests').innerText()).toBe(formatCount(total.count));
    expect(await page.locator('#figure-failures').innerText()).toBe(formatCount(total.failures));
    expect(await page.locator('#figure-p95').innerText()).toBe(formatMs(total.latencyMs.p95));
    expect(await page.locator('#figure-p99').innerText()).toBe(formatMs(total.latencyMs.p99));
    expect(total.count).toBeGreaterThan(0);
    expect(total.failures).toBeGreaterThan(0);
    expect(await page.locator('#verdict-title').innerText()).toBe(doc.verdict === 'passed' ? 'Passed' : 'Failed');
    // The tables: each request's count and failures; each threshold's verdict.
    const rows = (await page.locator('#requests tbody tr').allInnerTexts()).map((row) => row.split('\t').map((cell) => cell.trim()));
    expect(rows.map((cells) => [cells[0], cells[1]])).toEqual([
      ...doc.summary.requests.map((stats) => [stats.name, formatCount(stats.count)]),
      ['total', formatCount(total.count)],
    ]);
    const thresholds = (await page.locator('#thresholds tbody tr').allInnerTexts()).map((row) =>
      row.split('\t').map((cell) => cell.trim()),
    );
    expect(thresholds.map((cells) => [cells[0], cells[2]])).toEqual(
      doc.thresholds.map((threshold) => [threshold.key, threshold.passed ? '✓ pass' : '✗ fail']),
    );
    expect(await page.locator('#errors tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^unexpected status\t/)]);
    // The charts of the HTML report, each with its intervals.
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('.chart')].map((element) => ({ id: element.id, drawn: element.querySelector('canvas') !== null })),
    );
    expect(charts).toEqual([
      { id: 'chart-throughput', drawn: true },
      { id: 'chart-latency', drawn: true },
      { id: 'chart-errors', drawn: true },
    ]);
    expect(Number(await page.getAttribute('#chart-throughput', 'data-points'))).toBeGreaterThanOrEqual(2);
    // The scenario's name is text, not markup.
    expect(await page.locator('h1').innerText()).toBe('live dashboard <b>check</b>');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(consoleErrors).toEqual([]);
    expect(requests.every((request) => request.startsWith(url!))).toBe(true);

    // SIGINT ends the linger; the exit code is the run's.
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(doc.verdict === 'passed' ? 0 : 1);
    await page.close();
  });
});
