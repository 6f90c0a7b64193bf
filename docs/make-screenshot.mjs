// Regenerates docs/report-screenshot.png from the quick start's report, as a person sees it in Chromium:
//   npm run quickstart && node docs/make-screenshot.mjs [/path/to/chromium]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const report = fileURLToPath(new URL('../reports/quickstart.html', import.meta.url));
const output = fileURLToPath(new URL('./report-screenshot.png', import.meta.url));
const browser = await chromium.launch({
  executablePath: process.argv[2] ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(pathToFileURL(report).href);
  await page.waitForFunction(() => globalThis.document.querySelectorAll('.uplot').length >= 3);
  await page.screenshot({ path: output, fullPage: true });
} finally {
  await browser.close();
}
console.log(`wrote ${output}`);
