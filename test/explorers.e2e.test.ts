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
import { accessibilityProblems } from './support/accessibility.ts';
import { ARTIFACTS_DIR, collectPageErrors, launchChromium, screenshot } from './support/browser.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

const SHOTS = 'explorers';
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
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(10_000);
    pageErrors = collectPageErrors(page);
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
    await expect.poll(() => rows.count()).toBe(INFO_RECORDS + 2);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    // The volume by severity counts every record, the open step drawn apart.
    const histogram = page.locator('.log-histogram .chart-canvas');
    await histogram.locator('canvas').waitFor();
    expect(await histogram.getAttribute('data-total')).toBe(String(INFO_RECORDS + 2));
    expect(await histogram.getAttribute('data-partial')).toBe('true');
    await onScreen(page, '01-logs');

    // Full text, through the URL.
    await page.getByRole('searchbox', { name: 'Search' }).fill('declined');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=declined/);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-severity')).toBe('ERROR');
    // Severity and above: WARN keeps the warning and the error.
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.locator('select[name="severity"]').selectOption('WARN');
    await page.waitForURL(/severity=WARN/);
    await expect.poll(() => rows.count()).toBe(2);
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
    await expect.poll(() => traceLogs.count()).toBe(2);
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

  it('follows new records in the live tail', async () => {
    await page.goto(`${opsless.apiUrl}/logs?since=15m&severity=ERROR`);
    const rows = page.locator('ol.log-list > li.log-row');
    await expect.poll(() => rows.count()).toBe(1);
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
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    expect(await rows.first().textContent()).toContain('ledger unreachable');
    await page.getByRole('button', { name: /Stop live tail/ }).click();
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
    await screenshot(page, SHOTS, '04-hooks');
  });

  it('passes the accessibility checks in the dark theme and fits a phone', async () => {
    await page.goto(`${opsless.apiUrl}/logs`);
    await page.getByRole('button', { name: /^Theme: system/ }).click(); // → light
    await page.getByRole('button', { name: /^Theme: light/ }).click(); // → dark
    await page.locator('li.log-row').first().waitFor();
    await page.locator('.log-histogram canvas').waitFor();
    expect(await accessibilityProblems(page), '/logs, dark').toEqual([]);
    await onScreen(page, '05-logs-dark');

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await page.goto(`${opsless.apiUrl}/logs`);
    await page.locator('li.log-row').first().waitFor();
    expect(await overflow(), '/logs').toBe(0);
    await onScreen(page, '06-logs-phone');
    await page.goto(`${opsless.apiUrl}/traces/${sent.traceId}`);
    await page.locator('section.trace-logs li.log-row').first().waitFor();
    expect(await overflow(), 'trace').toBe(0);
    await screenshot(page, SHOTS, '07-trace-phone');
    expect(pageErrors).toEqual([]);
  });
});
