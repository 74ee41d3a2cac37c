import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { accessibilityProblems } from './support/accessibility.ts';
import { launchChromium, openPage, screenshot } from './support/browser.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

const MINUTE = 60_000;
/** The sparkline's drawing box (dashboards/ui/components/sparkline.js). */
const HEIGHT = 24;

/** Lines per minute of the half hour shown, by pattern: a quiet start, a peak, a tail. */
const INVOICES = new Map([
  [3, 2],
  [10, 6],
  [11, 1],
  [20, 4],
]);
const FAILURES = new Map([[15, 3]]);

/** Every line of a pattern's minutes, sent through the real logs SDK at its time. */
async function sendLogs(otlpUrl: string, fromMs: number): Promise<void> {
  const logging = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing' }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${otlpUrl}/v1/logs` }),
      }),
    ],
  });
  const logger = logging.getLogger('billing');
  let n = 0;
  const emit = (minutes: Map<number, number>, level: 'INFO' | 'ERROR') => {
    for (const [minute, count] of minutes) {
      for (let i = 0; i < count; i++) {
        n++;
        logger.emit({
          body:
            level === 'INFO'
              ? `invoice ${n} sent to customer-${n % 7}`
              : `charge ${n} failed: card ${n * 31} declined`,
          severityNumber: level === 'INFO' ? SeverityNumber.INFO : SeverityNumber.ERROR,
          severityText: level,
          timestamp: fromMs + minute * MINUTE + 1_000 + i * 100,
        });
      }
    }
  };
  emit(INVOICES, 'INFO');
  emit(FAILURES, 'ERROR');
  await logging.forceFlush();
  await logging.shutdown();
}

/** The values a sparkline's path draws, scaled back to counts by the series' largest. */
async function drawnCounts(page: Page, template: string, largest: number): Promise<number[]> {
  const row = page
    .getByTestId('log-patterns')
    .locator('tbody tr', { has: page.getByRole('link', { name: template, exact: true }) });
  const d = await row.locator('svg.sparkline path').first().getAttribute('d');
  const ys = [...(d ?? '').matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((match) => Number(match[2]));
  return ys.map((y) => Math.round(((HEIGHT - 1 - y) * largest) / (HEIGHT - 2)));
}

const series = (minutes: Map<number, number>) =>
  Array.from({ length: 30 }, (_, minute) => minutes.get(minute) ?? 0);

describe('log pattern sparklines in Chromium', () => {
  let opsless: TestOpsless;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  // A whole half hour that ended ten minutes ago: 30 buckets of one minute.
  const fromMs = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;

  beforeAll(async () => {
    opsless = await startTestOpsless({}, { collector: true, api: true, detector: null });
    await sendLogs(opsless.otlpUrl, fromMs);
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await openPage(browser));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await opsless?.stop();
  });

  it("draws each pattern's lines per minute of the range beside its count", async () => {
    const range = `from=${new Date(fromMs).toISOString()}&to=${new Date(fromMs + 30 * MINUTE).toISOString()}`;
    await page.goto(`${opsless.apiUrl}/logs?service=billing&view=patterns&${range}`);
    await page.getByTestId('log-patterns').waitFor();
    expect(await drawnCounts(page, 'invoice <*> sent to <*>', 6)).toEqual(series(INVOICES));
    expect(await drawnCounts(page, 'charge <*> failed: card <*> declined', 3)).toEqual(
      series(FAILURES),
    );
    // A range in the past has no open bucket: nothing is drawn dashed.
    expect(await page.locator('svg.sparkline path.partial').count()).toBe(0);
    expect(await page.locator('svg.sparkline.tone-bad').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'log-patterns', 'sparklines');
    expect(pageErrors).toEqual([]);
  });

  it("shows the same patterns, sparklines and all, on the service's own page", async () => {
    const range = `from=${new Date(fromMs).toISOString()}&to=${new Date(fromMs + 30 * MINUTE).toISOString()}`;
    await page.goto(`${opsless.apiUrl}/services/billing?${range}`);
    await page.getByTestId('log-patterns').waitFor();
    expect(await drawnCounts(page, 'invoice <*> sent to <*>', 6)).toEqual(series(INVOICES));
    expect(await drawnCounts(page, 'charge <*> failed: card <*> declined', 3)).toEqual(
      series(FAILURES),
    );
    await screenshot(page, 'log-patterns', 'service-page');
    expect(pageErrors).toEqual([]);
  });
});
