import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs: the tests that look at a page as a person sees it skip without it. */
export const CHROMIUM = '/usr/bin/chromium';

export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Headless Chromium with the flags a test machine needs: no sandbox (root in CI), no GPU, no network of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
