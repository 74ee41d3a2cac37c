import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where browser tests leave their screenshots (git-ignored). */
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts');

/** Debian's Chromium (installed by .ci/run), headless, as CI runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A desktop-sized page that fails with Playwright's message (what it waited for) well
 * before a test's timeout, and the errors it logs (see collectPageErrors).
 */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(10_000);
  return { page, errors: collectPageErrors(page) };
}

/** Saves a full-page screenshot as test-artifacts/<folder>/<name>.png. */
export async function screenshot(page: Page, folder: string, name: string): Promise<void> {
  const dir = join(ARTIFACTS_DIR, folder);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * Collects what the page logs as errors and every uncaught exception, so a test can
 * assert that a walk through the UI raised none.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/**
 * Pixels of a chart's canvas in a colour (±16 per channel) within an alpha range: a solid
 * mark is opaque, the band's fill translucent, so the two are told apart from the lines.
 */
export async function pixels(
  page: Page,
  canvasSelector: string,
  rgb: [number, number, number],
  alpha: [number, number],
): Promise<number> {
  return page.evaluate<number>(`(() => {
    const canvas = document.querySelector(${JSON.stringify(canvasSelector)});
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const [r, g, b] = ${JSON.stringify(rgb)};
    const [low, high] = ${JSON.stringify(alpha)};
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) <= 16 && Math.abs(data[i + 1] - g) <= 16 &&
          Math.abs(data[i + 2] - b) <= 16 && data[i + 3] >= low && data[i + 3] <= high) count++;
    }
    return count;
  })()`);
}
