import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { accessibilityProblems } from './support/accessibility.ts';
import { ARTIFACTS_DIR, launchChromium, openPage, pixels, screenshot } from './support/browser.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

const SHOTS = 'explorers';
const MINUTE = 60_000;
/** As long as Playwright waits for an element (vitest's own default is one second). */
const POLL = { timeout: 10_000 };
/** The light theme's first two series colours (theme.css --s0, --s1). */
const FIRST_RGB: [number, number, number] = [10, 93, 194];
const SECOND_RGB: [number, number, number] = [130, 80, 223];
/** What is on screen only (a full page of 230 log rows is too tall to look at). */
const onScreen = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS_DIR, SHOTS, `${name}.png`) });
/** More INFO records than one page (100) holds, so that "Load more" has work. */
const INFO_RECORDS = 130;

/**
 * A checkout request traced and logged through the real OpenTelemetry SDKs (its error log
 * carries the span's context), and a stream of INFO records without trace; all sent now.
 */
async function sendCheckout(otlpUrl: string): Promise<{ traceId: string; spanId: string }> {
  const resource = resourceFromAttributes({
    'service.name': 'checkout',
    'deployment.environment.name': 'test',
  });
  const tracing = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` })),
    ],
  });
  const logging = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${otlpUrl}/v1/logs` }),
        maxExportBatchSize: 512,
      }),
    ],
  });
  const tracer = tracing.getTracer('shop', '1.0.0');
  const logger = logging.getLogger('shop', '1.0.0');
  const span = tracer.startSpan('POST /pay', { kind: SpanKind.SERVER });
  span.setAttribute('http.route', '/pay');
  span.setAttribute('http.response.status_code', 502);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  const inSpan = trace.setSpan(context.active(), span);
  logger.emit({
    body: 'payment declined by the card issuer',
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    attributes: { 'order.id': 'ord-42', 'payment.provider': 'acme' },
    context: inSpan,
  });
  logger.emit({
    body: 'retrying the charge once',
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    context: inSpan,
  });
  span.end();
  for (let i = 0; i < INFO_RECORDS; i++) {
    logger.emit({
      body: `served GET /items/${i}`,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      attributes: { 'http.route': '/items/:id' },
    });
  }
  await Promise.all([tracing.forceFlush(), logging.forceFlush()]);
  await Promise.all([tracing.shutdown(), logging.shutdown()]);
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

/** A gauge per queue and a counter, through the real metrics SDK, exported twice. */
async function sendMetrics(otlpUrl: string): Promise<void> {
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${otlpUrl}/v1/metrics` }),
    exportIntervalMillis: 3_600_000,
  });
  const meters = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    readers: [reader],
  });
  const meter = meters.getMeter('shop', '1.0.0');
  const depth = meter.createGauge('queue.depth', {
    unit: '{message}',
    description: 'Messages waiting',
  });
  const orders = meter.createCounter('orders.placed', { unit: '{order}' });
  for (const [emails, refunds] of [
    [4, 9],
    [6, 11],
  ]) {
    depth.record(emails!, { queue: 'emails' });
    depth.record(refunds!, { queue: 'refunds' });
    orders.add(3);
    await meters.forceFlush();
  }
  await meters.shutdown();
}

/** `count` one-span traces of `service`, sent now through the SDK. */
async function sendTraces(otlpUrl: string, service: string, count: number): Promise<void> {
  const tracing = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` }), {
        maxExportBatchSize: 512,
      }),
    ],
  });
  const tracer = tracing.getTracer('catalog');
  for (let i = 0; i < count; i++) tracer.startSpan(`GET /items/${i}`).end();
  await tracing.forceFlush();
  await tracing.shutdown();
}

/** One request of `service` traced, and a gauge per pool, sent now through the SDKs. */
async function sendNow(otlpUrl: string, service: string): Promise<void> {
  const resource = resourceFromAttributes({ 'service.name': service });
  const tracing = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` })),
    ],
  });
  tracing.getTracer('stock').startSpan('GET /stock', { kind: SpanKind.SERVER }).end();
  const meters = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${otlpUrl}/v1/metrics` }),
        exportIntervalMillis: 3_600_000,
      }),
    ],
  });
  const size = meters.getMeter('stock').createGauge('pool.size');
  size.record(8, { pool: 'primary' });
  size.record(3, { pool: 'replica' });
  await Promise.all([tracing.forceFlush(), meters.forceFlush()]);
  await Promise.all([tracing.shutdown(), meters.shutdown()]);
}

describe('logs and metrics explorers in Chromium, on data sent through the OpenTelemetry SDKs', () => {
  let opsless: TestOpsless;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let sent: { traceId: string; spanId: string };

  beforeAll(async () => {
    opsless = await startTestOpsless(
      { OPSLESS_WEBHOOK_ALLOW: '127.0.0.1' },
      { collector: true, api: true, detector: null },
    );
    sent = await sendCheckout(opsless.otlpUrl);
    await sendMetrics(opsless.otlpUrl);
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await openPage(browser));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await opsless?.stop();
  });

  it('searches the logs, opens a record to its attributes, and follows it to its trace', async () => {
    await page.goto(`${opsless.apiUrl}/services`);
    await page.locator('nav[aria-label="Pages"] a', { hasText: 'Logs' }).click();
    await page.waitForURL(/\/logs$/);
    const rows = page.locator('ol.log-list > li.log-row');
    await rows.first().waitFor();
    // The newest page, then the older records through the cursor.
    expect(await rows.count()).toBe(100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count(), POLL).toBe(INFO_RECORDS + 2);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    // The volume by severity counts every record, the open step drawn apart.
    const histogram = page.locator('.log-histogram .chart-canvas');
    await histogram.locator('canvas').waitFor();
    expect(await histogram.getAttribute('data-total')).toBe(String(INFO_RECORDS + 2));
    expect(await histogram.getAttribute('data-partial')).toBe('true');
    // A level per bar colour, each in the legend (top of the stack first).
    const legend = await histogram
      .locator('.u-legend .u-series')
      .filter({ visible: true })
      .locator('.u-label')
      .allTextContents();
    expect(legend).toEqual(['Time', 'INFO', 'WARN', 'ERROR']);
    await onScreen(page, '01-logs');

    // Full text, through the URL.
    await page.getByRole('searchbox', { name: 'Search' }).fill('declined');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=declined/);
    await expect.poll(() => rows.count(), POLL).toBe(1);
    expect(await rows.first().getAttribute('data-severity')).toBe('ERROR');
    // Severity and above: WARN keeps the warning and the error.
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.locator('select[name="severity"]').selectOption('WARN');
    await page.waitForURL(/severity=WARN/);
    await expect.poll(() => rows.count(), POLL).toBe(2);
    const error = rows.filter({ hasText: 'payment declined' });
    await error.getByRole('button').click();
    const details = error.getByTestId('log-details');
    await details.waitFor();
    expect(await details.textContent()).toContain('order.id');
    expect(await details.textContent()).toContain('ord-42');
    expect(await details.textContent()).toContain('deployment.environment.name');
    expect(await accessibilityProblems(page), '/logs, a record open').toEqual([]);
    await onScreen(page, '02-logs-open');

    await error.getByRole('link', { name: /^trace/ }).click();
    await page.waitForURL(new RegExp(`/traces/${sent.traceId}\\?.*span=${sent.spanId}`));
    await page.locator('.waterfall .span-row').first().waitFor();
    // The trace lists its own logs, the error and the warning, and nothing else.
    const traceLogs = page.locator('section.trace-logs li.log-row');
    await expect.poll(() => traceLogs.count(), POLL).toBe(2);
    // Both written in the same millisecond: their order is the API's tie-break.
    const bodies = await traceLogs.locator('.log-body').allTextContents();
    expect(bodies.sort()).toEqual([
      'payment declined by the card issuer',
      'retrying the charge once',
    ]);
    expect(await accessibilityProblems(page), 'trace with logs').toEqual([]);
    await screenshot(page, SHOTS, '03-trace-logs');
  });

  it("links a service's page to its logs, which keep the service filter", async () => {
    await page.goto(`${opsless.apiUrl}/services/checkout`);
    await page.locator('.page-head').getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(/\/logs\?service=checkout/);
    expect(await page.locator('select[name="service"]').inputValue()).toBe('checkout');
    await page.locator('li.log-row').first().waitFor();
  });

  it('groups the logs into patterns, new ones marked, and opens a pattern to its lines', async () => {
    await page.goto(`${opsless.apiUrl}/logs?service=checkout`);
    await page.getByRole('button', { name: 'Patterns' }).click();
    await page.waitForURL(/view=patterns/);
    const table = page.getByTestId('log-patterns');
    await table.waitFor();
    const row = (template: string) =>
      table.locator('tbody tr', { has: page.getByRole('link', { name: template, exact: true }) });
    expect(await row('served GET <*>').locator('td.numeric').textContent()).toBe(
      String(INFO_RECORDS),
    );
    expect(await row('payment declined by the card issuer').textContent()).toContain('ERROR');
    expect(await row('retrying the charge once').textContent()).toContain('WARN');
    // Everything was first seen within the last hour: every pattern is new.
    expect(await table.locator('.badge', { hasText: 'new' }).count()).toBe(3);
    expect(await accessibilityProblems(page)).toEqual([]);
    await row('served GET <*>').getByRole('link', { name: 'served GET <*>' }).click();
    await page.waitForURL(/pattern=[0-9a-f]{16}/);
    const rows = page.locator('ol.log-list > li.log-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(100);
    expect(await rows.first().textContent()).toContain('served GET /items/');
    // Every line of the pattern and no other: the error and the warning are not among them.
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count(), POLL).toBe(INFO_RECORDS);
  });

  it('charts a metric in the explorer, grouped by an attribute', async () => {
    await page.goto(`${opsless.apiUrl}/services`);
    await page.locator('nav[aria-label="Pages"] a', { hasText: 'Metrics' }).click();
    await page.waitForURL(/\/explore\/metrics$/);
    await page.locator('select[name="service"]').selectOption('checkout');
    await page.locator('table.metrics tr[data-metric="queue.depth"]').waitFor();
    await page.locator('select[name="metric"]').selectOption('queue.depth');
    await page.waitForURL(/metric=queue.depth/);
    const chart = page.locator('figure.metric-chart[data-metric="queue.depth"] .chart-canvas');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-lines')).toBe('1');
    expect(await page.locator('.metric-description').textContent()).toContain('Messages waiting');
    await page.locator('select[name="by"]').selectOption('queue');
    await page.waitForURL(/by=queue/);
    await expect.poll(() => chart.getAttribute('data-lines'), POLL).toBe('2');
    expect(await chart.locator('.u-legend').textContent()).toContain('emails');
    expect(await chart.locator('.u-legend').textContent()).toContain('refunds');
    expect(await accessibilityProblems(page), '/explore/metrics').toEqual([]);
    await onScreen(page, '04-metrics');
  });

  it('draws the step still open, dashed, on a service chart and a metric chart, seconds after sending', async () => {
    // What follows takes a few seconds and must stay within one step of a minute (a step of
    // 3 h for the metric at 7 days begins on a minute too): start with 25 s of it left.
    const left = MINUTE - (Date.now() % MINUTE);
    if (left < 25_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    await sendNow(opsless.otlpUrl, 'inventory');
    // The collector acknowledges before its insert lands: wait until both are stored.
    const stored = async (path: string) =>
      ((await (await fetch(`${opsless.apiUrl}${path}`)).json()) as { points: unknown[] }).points
        .length;
    await expect
      .poll(() => stored('/v1/services/inventory/series?signal=request_rate&since=15m'), POLL)
      .toBe(1);
    await expect
      .poll(() => stored('/v1/metrics/pool.size/series?service=inventory&since=15m'), POLL)
      .toBeGreaterThan(0);
    // The list: the request counted at once, its sparklines ending in a dashed stretch.
    await page.goto(`${opsless.apiUrl}/services?since=15m`);
    const row = page.locator('tr[data-service="inventory"]');
    await page.locator('table.services[data-ready="true"]').waitFor();
    expect(await row.locator('td').nth(2).textContent()).not.toMatch(/^\s*0\/s/);
    expect(await row.locator('svg.sparkline path.partial').count()).toBeGreaterThan(0);
    expect(await page.locator('.page-head').textContent()).toContain('still open');
    await page.goto(`${opsless.apiUrl}/services/inventory?since=15m`);
    const rate = page.locator('figure.chart[data-signal="request_rate"] .chart-canvas');
    await rate.locator('canvas').waitFor();
    expect(await rate.getAttribute('data-partial')).toBe('true');
    expect(
      await page.locator('figure.chart[data-signal="request_rate"] figcaption').textContent(),
    ).toContain('this step so far');
    // The open step's ring, in the observed line's colour.
    const rateCanvas = 'figure.chart[data-signal="request_rate"] canvas';
    expect(await pixels(page, rateCanvas, FIRST_RGB, [120, 255])).toBeGreaterThan(5);
    // The service's metrics, charted under its signals.
    const small = page.locator(
      'section.service-metrics figure.metric-chart[data-metric="pool.size"]',
    );
    await small.locator('canvas').waitFor();
    expect(await small.locator('.chart-canvas').getAttribute('data-partial')).toBe('1');
    expect(await accessibilityProblems(page), '/services/inventory').toEqual([]);
    await screenshot(page, SHOTS, '05-service-partial');

    await page.goto(
      `${opsless.apiUrl}/explore/metrics?service=inventory&metric=pool.size&by=pool&since=7d`,
    );
    const chart = page.locator('figure.metric-chart[data-metric="pool.size"] .chart-canvas');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-lines')).toBe('2');
    expect(await chart.getAttribute('data-partial')).toBe('2');
    // …each group's as a ring in its colour (primary, the larger, first).
    const canvas = 'figure.metric-chart canvas';
    expect(await pixels(page, canvas, FIRST_RGB, [120, 255])).toBeGreaterThan(5);
    expect(await pixels(page, canvas, SECOND_RGB, [120, 255])).toBeGreaterThan(5);
    // Pointing at the step, the legend says its values are partial.
    const plot = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(plot.x + plot.width - 2, plot.y + plot.height / 2);
    await expect.poll(() => chart.locator('.u-legend').textContent(), POLL).toContain('(partial)');
  });

  it('follows new records in the live tail', async () => {
    await page.goto(`${opsless.apiUrl}/logs?since=15m&severity=ERROR`);
    const rows = page.locator('ol.log-list > li.log-row');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    await page.getByRole('button', { name: /Live tail/ }).click();
    await page.waitForURL(/live=1/);
    const logging = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'payments' }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `${opsless.otlpUrl}/v1/logs` }),
        }),
      ],
    });
    logging.getLogger('pay').emit({
      body: 'ledger unreachable',
      severityNumber: SeverityNumber.FATAL,
      severityText: 'FATAL',
    });
    await logging.shutdown();
    await expect.poll(() => rows.count(), POLL).toBe(2);
    expect(await rows.first().textContent()).toContain('ledger unreachable');
    await page.getByRole('button', { name: /Stop live tail/ }).click();
    // payments sent logs only: listed with them, a click from its records.
    await page.goto(`${opsless.apiUrl}/services?since=15m`);
    const signals = page.locator('tr[data-service="payments"] [data-testid="signals"]');
    await signals.waitFor();
    expect(await signals.textContent()).toContain('logs only');
    await signals.getByRole('link', { name: 'logs' }).click();
    await page.waitForURL(/\/logs\?.*service=payments/);
    await expect.poll(() => rows.count(), POLL).toBe(1);
  });

  it('creates a webhook with the plain form: URL, events, services and severity', async () => {
    await page.goto(`${opsless.apiUrl}/hooks`);
    const form = page.getByRole('form', { name: 'Subscribe a webhook' });
    await form.getByLabel('URL').fill('http://127.0.0.1:9/on-call');
    await form.getByLabel('anomaly.resolved').uncheck();
    await form.getByLabel('anomaly.acknowledged').check();
    await form.getByLabel('Services').fill('checkout, payments');
    await form.getByLabel('Severity').selectOption('critical');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByTestId('webhook-secret').waitFor();
    const stored = (await (await fetch(`${opsless.apiUrl}/v1/webhooks`)).json()) as {
      webhooks: Array<Record<string, unknown>>;
    };
    expect(stored.webhooks).toEqual([
      expect.objectContaining({
        url: 'http://127.0.0.1:9/on-call',
        events: ['anomaly.opened', 'anomaly.acknowledged'],
        services: ['checkout', 'payments'],
        minSeverity: 'critical',
      }),
    ]);
    await page.locator('li.webhook').first().waitFor();
    expect(await accessibilityProblems(page), '/hooks').toEqual([]);
    await screenshot(page, SHOTS, '06-hooks');
  });

  it('creates a scaling policy and a runbook with the plain forms, and edits one there', async () => {
    await page.goto(`${opsless.apiUrl}/hooks`);
    const scaling = page.getByRole('form', { name: 'Create or replace a scaling policy' });
    await scaling.getByLabel('Service').fill('checkout');
    await scaling.getByLabel('Min replicas').fill('2');
    await scaling.getByLabel('Max replicas').fill('6');
    await scaling.locator('select[name="target-type"]').selectOption('cpu');
    await scaling.getByLabel('Target value').fill('65');
    await scaling.getByRole('button', { name: 'Save' }).click();
    await page.locator('li.scaling-policy[data-service="checkout"]').waitFor();
    const policy = (await (
      await fetch(`${opsless.apiUrl}/v1/scaling/policies/checkout`)
    ).json()) as { policy: Record<string, unknown> };
    expect(policy.policy).toMatchObject({
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'cpu', target: 65 }],
      predictive: { enabled: false },
    });

    const runbook = page.getByRole('form', { name: 'Create or replace a runbook' });
    await runbook.getByLabel('Rule id').fill('checkout-restart');
    await runbook.getByLabel('Service').fill('checkout');
    await runbook.getByLabel('Signal').fill('latency_*');
    await runbook.getByLabel('Webhook URL').fill('http://127.0.0.1:9/restart');
    await runbook.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('rule-secret').waitFor();
    const rule = page.locator('li.remediation-rule[data-rule="checkout-restart"]');
    await rule.waitFor();
    // Editing opens the rule in the plain form; what it does not show is kept.
    await rule.getByRole('button', { name: 'Edit' }).click();
    expect(await runbook.getByLabel('Webhook URL').inputValue()).toBe('http://127.0.0.1:9/restart');
    await runbook.getByLabel('Mode').selectOption('auto');
    await runbook.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Rule checkout-restart was replaced').waitFor();
    const stored = (await (
      await fetch(`${opsless.apiUrl}/v1/remediations/rules/checkout-restart`)
    ).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({
      match: { service: 'checkout', signal: 'latency_*' },
      steps: [{ type: 'webhook', url: 'http://127.0.0.1:9/restart' }],
      mode: 'auto',
      cooldownSeconds: 1800,
    });
    // Anything else is still written as JSON, under Advanced.
    expect(await page.locator('details.advanced').count()).toBe(2);
    await screenshot(page, SHOTS, '10-hooks-forms');
  });

  it('picks the service of a trace search from a list, and loads the traces past the first 100', async () => {
    await sendTraces(opsless.otlpUrl, 'catalog', 130);
    const stored = async () =>
      (
        (await (
          await fetch(`${opsless.apiUrl}/v1/traces?service=catalog&since=15m&limit=500`)
        ).json()) as { traces: unknown[] }
      ).traces.length;
    await expect.poll(stored, POLL).toBe(130);
    await page.goto(`${opsless.apiUrl}/traces?since=15m`);
    await page.locator('select[name="service"]').selectOption('catalog');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/service=catalog/);
    const rows = page.locator('table.traces tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count(), POLL).toBe(130);
    const ids = await Promise.all((await rows.all()).map((row) => row.getAttribute('data-trace')));
    expect(new Set(ids).size).toBe(130);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });

  it('passes the accessibility checks in the dark theme and fits a phone', async () => {
    await page.goto(`${opsless.apiUrl}/logs`);
    await page.getByRole('button', { name: /^Theme: system/ }).click(); // → light
    await page.getByRole('button', { name: /^Theme: light/ }).click(); // → dark
    await page.locator('li.log-row').first().waitFor();
    await page.locator('.log-histogram canvas').waitFor();
    expect(await accessibilityProblems(page), '/logs, dark').toEqual([]);
    await onScreen(page, '07-logs-dark');
    await page.goto(
      `${opsless.apiUrl}/explore/metrics?service=checkout&metric=queue.depth&by=queue`,
    );
    await page.locator('figure.metric-chart canvas').waitFor();
    expect(await accessibilityProblems(page), '/explore/metrics, dark').toEqual([]);
    await onScreen(page, '07-metrics-dark');

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await page.goto(`${opsless.apiUrl}/logs`);
    await page.locator('li.log-row').first().waitFor();
    expect(await overflow(), '/logs').toBe(0);
    await onScreen(page, '08-logs-phone');
    for (const [path, ready] of [
      ['/explore/metrics?service=checkout&metric=queue.depth', 'figure.metric-chart canvas'],
      ['/hooks', 'li.webhook'],
    ] as const) {
      await page.goto(`${opsless.apiUrl}${path}`);
      await page.locator(ready).first().waitFor();
      expect(await overflow(), path).toBe(0);
    }
    await onScreen(page, '08-hooks-phone');
    await page.goto(`${opsless.apiUrl}/traces/${sent.traceId}`);
    await page.locator('section.trace-logs li.log-row').first().waitFor();
    expect(await overflow(), 'trace').toBe(0);
    await screenshot(page, SHOTS, '09-trace-phone');
    expect(pageErrors).toEqual([]);
  });
});
