import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import type { Alert } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import { createStory, type Story } from '../cli/index.ts';
import { parseAllowList } from '../hooks/live/index.ts';
import { createRemediationLoop, createRemediationStore } from '../remediation/live/index.ts';
import { createScalingLoop, createScalingStore } from '../scaling/live/index.ts';
import { accessibilityProblems } from './support/accessibility.ts';
import { ARTIFACTS_DIR, launchChromium, openPage, pixels, screenshot } from './support/browser.ts';
import { createLiveDetection } from './support/live-detection.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';
import { createTraffic, MINUTE } from './support/traffic.ts';

const SHOTS = 'dashboards';
const ARTIFACTS = join(ARTIFACTS_DIR, SHOTS);
/** Minutes sent live, evaluated one by one, ending about now (the UI reads wall-clock ranges). */
const LIVE_MINUTES = 13;
const HISTORY_MINUTES = 2 * 24 * 60;

/** The light theme's colours (styles.css): the band fill, anomaly marks, the forecast. */
const BAND_RGB: [number, number, number] = [10, 93, 194];
const ANOMALY_RGB: [number, number, number] = [207, 34, 46];
const FORECAST_RGB: [number, number, number] = [130, 80, 223];

describe('dashboards in Chromium, on data sent through the OpenTelemetry SDK', () => {
  const liveStart = Math.floor(Date.now() / MINUTE) * MINUTE - (LIVE_MINUTES + 1) * MINUTE;
  let opsless: TestOpsless;
  let receiver: Server;
  let receiverUrl = '';
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let alert: Alert;
  // The demo's own story controller, on a clock that never reaches its incidents here: the
  // Demo page steers it through the API (the demo's services are too slow to start in a test).
  const demoActions: string[] = [];
  const story: Story = createStory({
    incidents: [
      { id: 'slow-release', at: 30, description: 'checkout 1.5.0 is deployed' },
      {
        id: 'error-burst',
        at: 60,
        description: 'payments: 40% of POST /pay fail',
        end: { after: 3, description: 'payments recovers' },
      },
    ],
    minuteMs: MINUTE,
    write: () => undefined,
  });

  beforeAll(async () => {
    opsless = await startTestOpsless(
      { OPSLESS_WEBHOOK_ALLOW: '127.0.0.1' },
      { collector: true, api: true, detector: null },
      { demo: story },
    );
    story.begin({
      'slow-release': { start: async () => demoActions.push('slow-release') },
      'error-burst': {
        start: async () => demoActions.push('error-burst'),
        end: async () => demoActions.push('error-burst ended'),
      },
    });
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const subscribed = await fetch(`${opsless.apiUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiverUrl}/on-call`, events: ['anomaly.opened'] }),
    });
    expect(subscribed.status).toBe(201);

    const resource = { 'deployment.environment.name': 'production' };
    // History without child spans (fewer to send); live minutes as a traced app sends them.
    await createTraffic({ otlpUrl: opsless.otlpUrl, startMs: liveStart, resource }).send(
      -HISTORY_MINUTES,
      0,
    );
    const detection = createLiveDetection({
      traffic: createTraffic({
        otlpUrl: opsless.otlpUrl,
        startMs: liveStart,
        resource,
        children: true,
      }),
      client: () => opsless.clickhouse,
      startMs: liveStart,
    });
    await detection.live(LIVE_MINUTES - 3);
    const opened = await detection.live(3, { checkout: { slowRoute: '/pay' } });
    expect(opened.reduce((sum, count) => sum + count, 0)).toBe(1);
    alert = (await createAlertStore(opsless.clickhouse).list({ status: 'open' }))[0]!;
    expect(alert).toMatchObject({ service: 'checkout' });

    // A predictive scaling policy on the frontend, decided once at the detector's clock.
    const put = (path: string, body: unknown) =>
      fetch(`${opsless.apiUrl}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const policy = await put('/v1/scaling/policies/frontend', {
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'request', target: 0.1 }],
      predictive: { enabled: true, lookahead: '30m' },
    });
    expect(policy.status).toBe(201);
    const decided = await createScalingLoop({
      client: opsless.clickhouse,
      store: createScalingStore(opsless.clickhouse),
      stepMs: 60_000,
      lookbackMs: 24 * 60 * MINUTE,
      settleMs: 15_000,
      shard: { index: 0, count: 1 },
      publish: async () => undefined,
      logger: pino({ level: 'silent' }),
      now: () => liveStart + LIVE_MINUTES * MINUTE + 20_000,
    }).runOnce();
    expect(decided).toEqual({ services: 1, changed: 1 });

    // A runbook that waits for approval, and its run for the open alert.
    const rule = await put('/v1/remediations/rules/checkout-restart', {
      description: 'Restart checkout when it gets slow',
      match: { service: 'checkout', signal: 'latency_*' },
      steps: [{ type: 'webhook', url: `${receiverUrl}/restart` }],
      mode: 'approval',
    });
    expect(rule.status).toBe(201);
    const pass = await createRemediationLoop({
      client: opsless.clickhouse,
      alerts: createAlertStore(opsless.clickhouse),
      publish: async () => undefined,
      notify: async () => undefined,
      logger: pino({ level: 'silent' }),
      allow: parseAllowList('127.0.0.1'),
    }).runOnce();
    expect(pass.created).toBe(1);

    browser = await launchChromium();
    ({ page, errors: pageErrors } = await openPage(browser));
  }, 120_000);

  afterAll(async () => {
    story.stop();
    await browser?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await opsless?.stop();
  });

  it('lists every service with its status, open alerts and sparklines', async () => {
    await page.goto(`${opsless.apiUrl}/`);
    await page.locator('table.services[data-ready="true"]').waitFor();
    const rows = page.locator('table.services tbody tr');
    const order = await Promise.all(
      (await rows.all()).map((row) => row.getAttribute('data-service')),
    );
    expect(order).toEqual([
      // Sorted by status by default: the anomalous service first.
      'checkout',
      'frontend',
      'payments',
    ]);
    const checkout = page.locator('tr[data-service="checkout"]');
    await expect.poll(() => checkout.locator('.badge').textContent()).toBe('anomalous');
    expect(await checkout.locator('td').nth(1).textContent()).toBe('1');
    expect(await checkout.locator('svg.sparkline').count()).toBe(4);
    expect(await page.locator('tr[data-service="frontend"] .badge').textContent()).toBe('ok');
    await screenshot(page, SHOTS, '01-services');

    // Filters live in the URL.
    await page.getByLabel('Name').fill('pay');
    await expect.poll(() => rows.count()).toBe(1);
    expect(page.url()).toContain('q=pay');
    await page.getByLabel('Name').fill('');
  });

  it('draws the service page: observed, expected, the band, the anomaly mark and the alert span', async () => {
    await page.locator('tr[data-service="checkout"] a').first().click();
    await page.waitForURL(/\/services\/checkout/);
    const operation = alert.operation ?? '';
    if (operation) {
      await page.getByLabel('Operation').selectOption(operation);
      await page.waitForURL(/op=/);
    }
    const chart = page.locator(`figure.chart[data-signal="${alert.signal}"] .chart-canvas`);
    // Drawn from the answer for this operation (the whole service's stays until it arrives).
    await page
      .locator(`figure.chart[data-signal="${alert.signal}"][data-operation="${operation}"] canvas`)
      .waitFor();
    // observed, expected, band low, band high, anomaly marks.
    expect(await chart.getAttribute('data-series')).toBe('5');
    // About an hour of whole minutes (fewer when the machine was slow to get here).
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(45);
    expect(Number(await chart.getAttribute('data-band-points'))).toBeGreaterThan(40);
    expect(Number(await chart.getAttribute('data-anomalies'))).toBeGreaterThanOrEqual(1);
    // The service's alerts come in their own answer, which may land after the series.
    await expect.poll(() => chart.getAttribute('data-alert-spans')).toBe('1');
    // And on the canvas: the band's translucent fill (squeezed under the incident's spike on
    // the alert's chart, wide on the request rate's), and at least one opaque mark.
    const canvas = `figure.chart[data-signal="${alert.signal}"] canvas`;
    // (The alert is a route's p50 some 30 times its usual: its band is a sliver of the
    // chart, tens of pixels; none when the band is not drawn.)
    expect(await pixels(page, canvas, BAND_RGB, [15, 60])).toBeGreaterThan(50);
    expect(await pixels(page, canvas, ANOMALY_RGB, [230, 255])).toBeGreaterThan(20);
    const rate = 'figure.chart[data-signal="request_rate"] canvas';
    expect(await pixels(page, rate, BAND_RGB, [15, 60])).toBeGreaterThan(5000);
    expect(await page.locator('figure.chart').count()).toBe(5);
    expect(await page.locator('table.operations tbody tr').count()).toBe(2);
    await screenshot(page, SHOTS, '02-service');

    // Dragging across a chart zooms every chart to that range, through the URL.
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=.*to=/);
    const zoomed = new URL(page.url());
    const from = Date.parse(zoomed.searchParams.get('from')!);
    const to = Date.parse(zoomed.searchParams.get('to')!);
    expect(to - from).toBeGreaterThan(10 * MINUTE);
    expect(to - from).toBeLessThan(40 * MINUTE);
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeLessThan(40);
  });

  it('shows the alert with its explanation and webhook delivery, and acknowledging changes its status', async () => {
    await page.locator('nav[aria-label="Pages"] a', { hasText: 'Alerts' }).click();
    const row = page.locator(`tr[data-alert="${alert.id}"]`);
    await row.waitFor();
    await screenshot(page, SHOTS, '03-alerts');
    await row.locator('a').first().click();
    await page.waitForURL(new RegExp(`/alerts/${alert.id}`));
    const explanation = page.getByTestId('explanation');
    await explanation.waitFor();
    expect(await explanation.textContent()).toContain('/pay');
    // The ranked root cause: the slow service itself, where its slow route stands out.
    expect(await page.getByTestId('root-cause').locator('li').first().textContent()).toMatch(
      /^\s*checkout \(.*\/pay.*\) — latency/,
    );
    await page.locator('table.deliveries').waitFor();
    expect(await page.locator('table.deliveries tbody tr').first().textContent()).toContain(
      'anomaly.opened',
    );
    expect(await page.locator('table.deliveries .badge').first().textContent()).toBe('delivered');
    await page.locator(`figure.chart .chart-canvas[data-alert-spans="1"] canvas`).waitFor();
    expect(await page.getByTestId('alert-status').textContent()).toBe('open');
    // What the runbook did about it: its run, waiting for approval, with its planned step.
    const run = page.locator('li.remediation-run');
    await run.waitFor();
    expect(await run.getAttribute('data-status')).toBe('pending_approval');
    expect(await run.locator('.run-outcome').textContent()).toContain('Waiting for approval');
    expect(await run.locator('table.run-steps tbody tr').textContent()).toContain('/restart');
    await screenshot(page, SHOTS, '04-alert');

    await page.getByLabel('Your name').fill('ada');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('acknowledged');
    expect(await page.getByText('by ada').count()).toBe(1);
    const stored = await createAlertStore(opsless.clickhouse).get(alert.id);
    expect(stored).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ada' });
  });

  it('finds the slow traces and opens a waterfall with the span attributes and events', async () => {
    await page.goto(`${opsless.apiUrl}/traces?since=15m`);
    await page.getByLabel('Service').selectOption('checkout');
    await page.getByLabel('Min duration (ms)').fill('500');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/minDurationMs=500/);
    const results = page.locator('table.traces tbody tr');
    // The previous (unfiltered) answer stays, dimmed, until the search's own arrives.
    await page.locator('.table-scroll[aria-busy="false"] table.traces').waitFor();
    expect(await results.first().textContent()).toContain('POST /pay');
    await screenshot(page, SHOTS, '05-traces');

    await results.first().locator('a').first().click();
    await page.waitForURL(/\/traces\/[0-9a-f]{32}/);
    const spans = page.locator('.waterfall .span-row');
    await spans.first().waitFor();
    // The server span, its database query and its internal step, the children indented.
    expect(await spans.count()).toBe(3);
    expect(await page.locator('.span-row .kind').allTextContents()).toEqual([
      'server',
      'client',
      'internal',
    ]);
    const depths = await Promise.all(
      (await spans.all()).map((row) => row.getAttribute('data-depth')),
    );
    expect(depths).toEqual(['0', '1', '1']);
    // The search's matching span is chosen through the URL; choose the query instead.
    await spans.nth(1).locator('button').click();
    const details = page.getByTestId('span-details');
    await expect.poll(() => details.locator('h2').textContent()).toContain('SELECT shop.orders');
    expect(await details.textContent()).toContain('db.system.name');
    expect(await details.textContent()).toContain('rows fetched');
    await screenshot(page, SHOTS, '06-trace');
  });

  it('creates a webhook and shows its secret once', async () => {
    await page.goto(`${opsless.apiUrl}/hooks`);
    await page.locator('li.webhook').first().waitFor();
    await page
      .getByRole('form', { name: 'Subscribe a webhook' })
      .getByLabel('URL')
      .fill(`${receiverUrl}/second`);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const secret = page.getByTestId('webhook-secret');
    await secret.waitFor();
    expect(await secret.locator('code').textContent()).toMatch(/^whsec_/);
    await expect.poll(() => page.locator('li.webhook').count()).toBe(2);
    await screenshot(page, SHOTS, '07-hooks');
    await page.reload();
    await page.locator('li.webhook').first().waitFor();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain('whsec_');

    // Deleting takes two clicks; "Keep" backs out.
    const second = page.locator('li.webhook', { hasText: `${receiverUrl}/second` });
    await second.getByRole('button', { name: 'Delete…' }).click();
    await second.getByRole('button', { name: 'Keep' }).click();
    await second.getByRole('button', { name: 'Delete…' }).click();
    await second.getByRole('button', { name: 'Really delete' }).click();
    await expect.poll(() => page.locator('li.webhook').count()).toBe(1);
    const left = (await (await fetch(`${opsless.apiUrl}/v1/webhooks`)).json()) as {
      webhooks: Array<{ url: string }>;
    };
    expect(left.webhooks.map((webhook) => webhook.url)).not.toContain(`${receiverUrl}/second`);
  });

  it('shows each scaling policy with its latest decision and log, and creates one with its secret once', async () => {
    await page.goto(`${opsless.apiUrl}/hooks`);
    const frontend = page.locator('li.scaling-policy[data-service="frontend"]');
    await frontend.getByTestId('scaling-final').waitFor();
    const status = (await (await fetch(`${opsless.apiUrl}/v1/scaling/frontend`)).json()) as {
      current: number;
      desired: { final: number; predictive: number | null };
    };
    expect(status.desired.predictive).not.toBeNull();
    expect(await frontend.getByTestId('scaling-final').textContent()).toBe(
      String(status.desired.final),
    );
    expect(await frontend.getByTestId('scaling-now').textContent()).toContain('Predictive');
    // Too little load seen to learn what a replica carries: the policy's assumption is shown.
    expect(await frontend.getByTestId('scaling-capacity').textContent()).toContain(
      'assumed from the target',
    );
    await frontend.getByRole('button', { name: 'Show decisions' }).click();
    const decision = frontend.locator('table.decisions tbody tr');
    await decision.first().waitFor();
    expect(await decision.count()).toBe(1);
    expect(await decision.first().textContent()).toContain(`→ ${status.desired.final}`);

    const editor = page.getByRole('form', { name: 'Create or replace a scaling policy' });
    await editor.getByLabel('Service').fill('payments');
    await editor.getByRole('button', { name: 'Save' }).click();
    const secret = page.getByTestId('scaling-secret');
    await secret.waitFor();
    expect(await secret.locator('code').textContent()).toMatch(/^whsec_/);
    await page.locator('li.scaling-policy[data-service="payments"]').waitFor();
    expect(await page.locator('li.scaling-policy').count()).toBe(2);
    await page.locator('#section-scaling').screenshot({
      path: `${ARTIFACTS}/13-hooks-scaling.png`,
    });
    // A replacement keeps the secret, and says so.
    await page
      .locator('li.scaling-policy[data-service="payments"]')
      .getByRole('button', { name: 'Edit' })
      .click();
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The policy of payments was replaced').waitFor();
  });

  it('shows the runbooks and their audit log, toggles the kill switch, and approves a waiting run', async () => {
    await page.goto(`${opsless.apiUrl}/hooks#section-remediation`);
    const rule = page.locator('li.remediation-rule[data-rule="checkout-restart"]');
    await rule.waitFor();
    expect(await rule.textContent()).toContain('approval');
    expect(await rule.textContent()).toContain(`${receiverUrl}/restart`);
    const run = page.locator('#section-remediation li.remediation-run');
    await run.waitFor();
    expect(await run.getAttribute('data-status')).toBe('pending_approval');

    const killSwitch = page.getByRole('switch', { name: 'Kill switch' });
    expect(await killSwitch.getAttribute('aria-checked')).toBe('false');
    await killSwitch.click();
    await expect.poll(() => killSwitch.getAttribute('aria-checked')).toBe('true');
    expect(await page.locator('#kill-switch-state').textContent()).toContain('Engaged');
    const stored = () => createRemediationStore(opsless.clickhouse).killSwitch();
    expect(await stored()).toMatchObject({ engaged: true });
    await page.locator('#section-remediation').screenshot({
      path: `${ARTIFACTS}/14-hooks-remediation-engaged.png`,
    });
    await killSwitch.click();
    await expect.poll(() => killSwitch.getAttribute('aria-checked')).toBe('false');
    expect(await stored()).toMatchObject({ engaged: false });

    await run.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => run.getAttribute('data-status')).toBe('running');
    expect(await run.locator('.run-outcome').textContent()).toContain('steps run at the next pass');
    const runs = await createRemediationStore(opsless.clickhouse).listRuns({ alertId: alert.id });
    expect(runs).toMatchObject([{ status: 'running', approvedBy: 'ada' }]);
    await screenshot(page, SHOTS, '14-hooks');
  });

  it('draws the forecast ahead, with its band, on the request rate of a service with a predictive policy', async () => {
    await page.goto(`${opsless.apiUrl}/services/frontend`);
    const rate = page.locator('figure.chart[data-signal="request_rate"] .chart-canvas');
    await page
      .locator(
        'figure.chart[data-signal="request_rate"] .chart-canvas[data-forecast-points] canvas',
      )
      .waitFor();
    await expect.poll(async () => Number(await rate.getAttribute('data-forecast-points'))).toBe(30);
    // observed, expected, band low and high, marks; the forecast, its band low and high.
    expect(await rate.getAttribute('data-series')).toBe('8');
    await screenshot(page, SHOTS, '15-service-forecast');
    const canvas = 'figure.chart[data-signal="request_rate"] canvas';
    expect(await pixels(page, canvas, FORECAST_RGB, [230, 255])).toBeGreaterThan(50);
    expect(await pixels(page, canvas, FORECAST_RGB, [15, 60])).toBeGreaterThan(500);
    // Only the request rate has a forecast.
    const latency = page.locator('figure.chart[data-signal="latency_p95"] .chart-canvas');
    expect(await latency.getAttribute('data-series')).toBe('5');
    expect(await page.getByTestId('replicas').textContent()).toMatch(/\d+ now → \d+ desired/);
    // A past range (zoomed) draws no forecast.
    await page.goto(
      `${opsless.apiUrl}/services/frontend?from=${new Date(liveStart).toISOString()}&to=${new Date(liveStart + 10 * MINUTE).toISOString()}`,
    );
    await rate.locator('canvas').waitFor();
    expect(await rate.getAttribute('data-series')).toBe('5');
  });

  it("lists the demo's incidents on the Demo page, and runs one now or skips one", async () => {
    const info = (await (await fetch(`${opsless.apiUrl}/v1/info`)).json()) as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({ otlpHttpEndpoint: opsless.otlpUrl, demo: true });
    await page.goto(`${opsless.apiUrl}/services`);
    await page.locator('nav[aria-label="Pages"] a', { hasText: 'Demo' }).click();
    await page.waitForURL(/\/demo$/);
    const rows = page.locator('table.demo-incidents tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const slow = page.locator('tr[data-incident="slow-release"]');
    expect(await slow.getAttribute('data-state')).toBe('scheduled');
    await screenshot(page, SHOTS, '16-demo');

    await slow.getByRole('button', { name: /^Run now/ }).click();
    await expect.poll(() => slow.getAttribute('data-state')).toBe('done');
    expect(demoActions).toEqual(['slow-release']);
    const burst = page.locator('tr[data-incident="error-burst"]');
    await burst.getByRole('button', { name: /^Skip/ }).click();
    await expect.poll(() => burst.getAttribute('data-state')).toBe('skipped');
    expect(await burst.getByRole('button').count()).toBe(0);
    expect(story.story().incidents.map((incident) => incident.state)).toEqual(['done', 'skipped']);
    expect(demoActions).toEqual(['slow-release']);
    await screenshot(page, SHOTS, '17-demo-after');
  });

  it('passes basic accessibility checks, in both themes, and fits a phone', async () => {
    const pages: Array<[path: string, ready: string]> = [
      ['/services', 'table.services[data-ready="true"]'],
      ['/services/checkout', 'figure.chart canvas'],
      [`/alerts/${alert.id}`, 'table.deliveries'],
      ['/traces', 'table.traces'],
      ['/hooks', '#section-remediation li.remediation-run'],
      ['/demo', 'table.demo-incidents'],
    ];
    for (const [path, ready] of pages) {
      await page.goto(`${opsless.apiUrl}${path}`);
      await page.locator(ready).first().waitFor();
      expect(await accessibilityProblems(page), path).toEqual([]);
    }
    // Keyboard: the first Tab reaches the skip link, which leads to the content; following a
    // link moves the focus to the new page's content.
    await page.goto(`${opsless.apiUrl}/services`);
    await page.locator('table.services[data-ready="true"]').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await page.locator('tr[data-service="frontend"] a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/services\/frontend/);
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('main');

    await page.getByRole('button', { name: /^Theme: system/ }).click(); // → light
    await page.getByRole('button', { name: /^Theme: light/ }).click(); // → dark
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.goto(`${opsless.apiUrl}/services/checkout`);
    await page.locator('figure.chart canvas').first().waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, SHOTS, '08-service-dark');
    await page.goto(`${opsless.apiUrl}/hooks`);
    await page.locator('#section-remediation li.remediation-run').waitFor();
    await page.locator('li.scaling-policy [data-testid="scaling-now"]').first().waitFor();
    expect(await accessibilityProblems(page), '/hooks, dark').toEqual([]);
    await screenshot(page, SHOTS, '18-hooks-dark');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${opsless.apiUrl}/services`);
    await page.locator('table.services[data-ready="true"]').waitFor();
    const overflow = () =>
      page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBe(0);
    await screenshot(page, SHOTS, '09-services-phone');
    await page.goto(`${opsless.apiUrl}/alerts/${alert.id}`);
    await page.getByTestId('explanation').waitFor();
    await screenshot(page, SHOTS, '10-alert-phone');
    await page.goto(`${opsless.apiUrl}/hooks`);
    await page.locator('#section-remediation li.remediation-run').waitFor();
    expect(await overflow(), '/hooks').toBe(0);
    await screenshot(page, SHOTS, '19-hooks-phone');
    await page.goto(`${opsless.apiUrl}/demo`);
    await page.locator('table.demo-incidents').waitFor();
    expect(await overflow(), '/demo').toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
