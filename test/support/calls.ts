/** Calls across services, sent through the OpenTelemetry SDK, for the service map's tests. */
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SERVICE_EDGES_TABLE } from '../../storage/index.ts';
import type { TestOpsless } from './opsless.ts';

function provider(opsless: TestOpsless, service: string): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opsless.otlpUrl}/v1/traces` }), {
        maxExportBatchSize: 512,
        maxQueueSize: 4096,
      }),
    ],
  });
}

/** frontend → checkout (over HTTP) → postgres (not instrumented); one checkout call in `failEvery` fails. */
export async function sendCalls(
  opsless: TestOpsless,
  calls: number,
  failEvery: number,
): Promise<void> {
  const frontend = provider(opsless, 'frontend');
  const checkout = provider(opsless, 'checkout');
  const front = frontend.getTracer('test');
  const back = checkout.getTracer('test');
  const start = Date.now() - 120_000;
  for (let i = 0; i < calls; i++) {
    const t = start + i * 10;
    const failed = i % failEvery === 0;
    const root = front.startSpan('GET /cart', { kind: SpanKind.SERVER, startTime: t });
    const client = front.startSpan(
      'POST',
      {
        kind: SpanKind.CLIENT,
        startTime: t + 1,
        attributes: { 'server.address': 'checkout.internal' },
      },
      trace.setSpan(context.active(), root),
    );
    const server: Span = back.startSpan(
      'POST /checkout',
      { kind: SpanKind.SERVER, startTime: t + 2 },
      trace.setSpan(context.active(), client),
    );
    const query = back.startSpan(
      'SELECT orders',
      {
        kind: SpanKind.CLIENT,
        startTime: t + 3,
        attributes: { 'db.system': 'postgresql', 'server.address': 'orders-db' },
      },
      trace.setSpan(context.active(), server),
    );
    query.end(t + 5);
    if (failed) server.setStatus({ code: SpanStatusCode.ERROR });
    server.end(t + 8);
    client.end(t + 9);
    root.end(t + 10);
  }
  await Promise.all([frontend.forceFlush(), checkout.forceFlush()]);
  await Promise.all([frontend.shutdown(), checkout.shutdown()]);
}

/** Asks the service-map rollup to refresh now and waits for it (it refreshes every minute). */
export async function refreshServiceMap(opsless: TestOpsless): Promise<void> {
  await opsless.clickhouse.command({ query: `SYSTEM REFRESH VIEW ${SERVICE_EDGES_TABLE}_mv` });
  await opsless.clickhouse.command({ query: `SYSTEM WAIT VIEW ${SERVICE_EDGES_TABLE}_mv` });
}
