import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { collectPageErrors, launchChromium, screenshot } from './support/browser.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';
import { createTraffic, MINUTE } from './support/traffic.ts';

const API_KEY = 'ui-test-key-8f2c';

describe('dashboards when OPSLESS_API_KEY is set', () => {
  let opsless: TestOpsless;
  let browser: Browser;

  beforeAll(async () => {
    opsless = await startTestOpsless(
      { OPSLESS_API_KEY: API_KEY },
      { collector: true, api: true, detector: null },
    );
    const startMs = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    await createTraffic({ otlpUrl: opsless.otlpUrl, startMs }).send(0, 9);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await opsless?.stop();
  });

  it('asks for the key once, refuses a wrong one, then works on every page of the session, empty ranges included', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = collectPageErrors(page);
    const apiCalls: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/'))
        apiCalls.push(request.headers().authorization);
    });

    await page.goto(`${opsless.apiUrl}/services`);
    const keyField = page.getByRole('textbox', { name: 'API key' });
    await keyField.waitFor();
    await screenshot(page, 'dashboards', '11-api-key');
    await keyField.fill('not-the-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That key was not accepted.').waitFor();

    await keyField.fill(API_KEY);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('table.services[data-ready="true"]').waitFor();
    expect(await page.locator('table.services tbody tr').count()).toBe(3);
    expect(await page.evaluate('sessionStorage.getItem("opsless.apiKey")')).toBe(API_KEY);
    expect(apiCalls.at(-1)).toBe(`Bearer ${API_KEY}`);

    // Other pages, and a reload, do not ask again.
    await page.locator('nav[aria-label="Pages"] a', { hasText: 'Hooks' }).click();
    await page.getByRole('heading', { name: 'Subscribe a webhook' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Subscribe a webhook' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'API key' }).count()).toBe(0);
    // The 401s of the first attempts are the only errors the browser logged.
    expect(errors.filter((error) => !error.includes('401'))).toEqual([]);

    // A range without spans shows a new user where to send them.
    await page.goto(`${opsless.apiUrl}/services?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z`);
    const empty = page.getByRole('region', { name: 'No telemetry yet' });
    await empty.waitFor();
    // The endpoint this opsless's collector really listens on (a free port here), not a guess.
    expect(await empty.getByTestId('otlp-endpoint').textContent()).toBe(opsless.otlpUrl);
    expect(await empty.getByRole('button', { name: /^Copy/ }).count()).toBe(3);
    await screenshot(page, 'dashboards', '12-empty');

    // A new session (another tab profile) asks again.
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${opsless.apiUrl}/services`);
    await other.getByRole('textbox', { name: 'API key' }).waitFor();
    await context.close();
  });
});
