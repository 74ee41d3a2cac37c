import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems } from './support/accessibility.ts';
import { collectPageErrors, launchChromium, screenshot } from './support/browser.ts';
import { refreshServiceMap, sendCalls } from './support/calls.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

describe('the Service map page in Chromium', () => {
  let opsless: TestOpsless;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    opsless = await startTestOpsless();
    await sendCalls(opsless, 40, 4);
    await refreshServiceMap(opsless);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    pageErrors = collectPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await opsless?.stop();
  });

  it('draws services and what they call, coloured by health, and opens a service', async () => {
    await page.goto(`${opsless.apiUrl}/service-map?since=1h`);
    await page.locator('[data-node="orders-db"]').waitFor();
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Service map');
    for (const name of ['frontend', 'checkout', 'orders-db'])
      expect(await page.locator(`[data-node="${name}"]`).count()).toBe(1);
    // 25% of checkout's answers failed: drawn as bad; frontend's own answers did not.
    expect(await page.locator('[data-node="checkout"] rect').getAttribute('class')).toContain(
      'bad',
    );
    expect(await page.locator('[data-node="frontend"] rect').getAttribute('class')).toContain('ok');
    expect(await page.locator('[data-node="orders-db"] rect').getAttribute('class')).toContain(
      'database',
    );
    expect(await page.locator('[data-edge="frontend→checkout"]').count()).toBe(1);
    expect(await page.locator('[data-edge="checkout→orders-db"]').count()).toBe(1);
    // Callers sit left of what they call.
    const x = async (name: string) =>
      Number(await page.locator(`[data-node="${name}"] rect`).getAttribute('x'));
    expect(await x('frontend')).toBeLessThan(await x('checkout'));
    expect(await x('checkout')).toBeLessThan(await x('orders-db'));
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'service-map', 'map');

    await page.locator('[data-node="checkout"]').click();
    await page.waitForURL(/\/services\/checkout/);
    await page.locator('h1', { hasText: 'checkout' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
