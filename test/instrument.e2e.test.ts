import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningPort } from '../cli/live/index.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const APP = fileURLToPath(new URL('./fixtures/express-app.js', import.meta.url));

/**
 * Starts the Express fixture with `node --import <specifier>` (`@opsless/instrument`, or
 * `opsless/instrument` as older services use it) and waits for its port.
 */
async function startApp(
  specifier: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', specifier, APP], {
    env: { PATH: process.env.PATH, OTEL_METRIC_EXPORT_INTERVAL: '500', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await listeningPort(child, (code) => new Error(`app exited (${code}):\n${stderr}`));
  return { child, url: `http://127.0.0.1:${port}` };
}

/** SIGTERM, as an orchestrator stops a pod: the helper flushes before the process exits. */
async function stopApp(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : -1))),
  );
  child.kill('SIGTERM');
  return exited;
}

describe("import '@opsless/instrument'", () => {
  let opsless: TestOpsless;

  beforeAll(async () => {
    opsless = await startTestOpsless({ OPSLESS_INGEST_KEY: 'ingest-secret' });
  }, 60_000);
  afterAll(async () => {
    await opsless?.stop();
  });

  it('sends an Express service’s spans with routes and status codes, its metrics and its logs', async () => {
    const app = await startApp('@opsless/instrument', {
      OPSLESS_ENDPOINT: opsless.otlpUrl,
      OPSLESS_INGEST_KEY: 'ingest-secret',
      OTEL_SERVICE_NAME: 'shop',
    });
    for (const id of ['1', '2', '3', 'boom']) await fetch(`${app.url}/items/${id}`);
    // Let a metric export happen, then stop as Kubernetes would: the spans are flushed.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await stopApp(app.child)).toBe(143);

    const spans = await rows<{ route: string; status: string; instance: string }>(
      opsless.clickhouse,
      `SELECT SpanAttributes['http.route'] AS route, SpanAttributes['http.response.status_code'] AS status,
         ResourceAttributes['service.instance.id'] AS instance
       FROM otel_traces WHERE ServiceName = 'shop' AND SpanKind = 'Server' ORDER BY Timestamp`,
    );
    expect(spans.map((span) => [span.route, span.status])).toEqual([
      ['/items/:id', '200'],
      ['/items/:id', '200'],
      ['/items/:id', '200'],
      ['/items/:id', '500'],
    ]);
    expect(spans[0]!.instance).toMatch(/^[0-9a-f-]{36}$/);
    const metricNames = (
      await rows<{ name: string }>(
        opsless.clickhouse,
        `SELECT DISTINCT MetricName AS name FROM otel_metrics_histogram WHERE ServiceName = 'shop'
         UNION DISTINCT SELECT DISTINCT MetricName FROM otel_metrics_gauge WHERE ServiceName = 'shop'`,
      )
    ).map((row) => row.name);
    expect(metricNames).toEqual(
      expect.arrayContaining(['http.server.request.duration', 'process.cpu.utilization']),
    );
    const logs = await rows<{ body: string; severity: string }>(
      opsless.clickhouse,
      `SELECT Body AS body, SeverityText AS severity FROM otel_logs WHERE ServiceName = 'shop' ORDER BY Timestamp`,
    );
    expect(logs.map((log) => log.body)).toEqual([
      'item served',
      'item served',
      'item served',
      'item lookup failed',
    ]);
    // What the detector reads: the service's request rate, from the rollup, over complete
    // steps (the step still open is a rate over the seconds passed so far).
    const completeRequests = async () => {
      const response = await fetch(
        `${opsless.apiUrl}/v1/services/shop/series?signal=request_rate&since=15m&step=10s`,
      );
      const series = (await response.json()) as {
        points: Array<{ observed: number; partial?: boolean }>;
      };
      return series.points
        .filter((point) => point.partial !== true)
        .reduce((sum, point) => sum + point.observed * 10, 0);
    };
    await expect.poll(completeRequests, { timeout: 20_000, interval: 500 }).toBeCloseTo(4);
  }, 60_000);

  it('works with plain OTEL_* variables instead, imported as opsless/instrument', async () => {
    const app = await startApp('opsless/instrument', {
      OTEL_EXPORTER_OTLP_ENDPOINT: opsless.otlpUrl,
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20ingest-secret',
      OTEL_SERVICE_NAME: 'shop-otel',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging',
    });
    await fetch(`${app.url}/items/7`);
    await stopApp(app.child);
    const spans = await rows<{ route: string; environment: string }>(
      opsless.clickhouse,
      `SELECT SpanAttributes['http.route'] AS route, ResourceAttributes['deployment.environment.name'] AS environment
       FROM otel_traces WHERE ServiceName = 'shop-otel' AND SpanKind = 'Server'`,
    );
    expect(spans).toEqual([{ route: '/items/:id', environment: 'staging' }]);
  }, 60_000);
});
