import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { tracing } from '@opentelemetry/sdk-node';
import { DEMO_SERVICES, STABLE_VERSION, type DemoService } from './demo-services.ts';

/** How long one export or flush of history may take (a busy host sends slowly). */
const HISTORY_EXPORT_TIMEOUT_MS = 120_000;

/**
 * Sends [fromMs, toMs) of past traffic through the OpenTelemetry SDK: per request a
 * frontend, a checkout and a payments server span.
 */
export async function backfill(
  otlp: string,
  ingestKey: string | undefined,
  fromMs: number,
  toMs: number,
  latencies: Record<DemoService, number[]>,
  rate: (timeMs: number) => number,
): Promise<void> {
  const stepMs = 10_000;
  const providers = DEMO_SERVICES.map(
    (service) =>
      new tracing.BasicTracerProvider({
        forceFlushTimeoutMillis: HISTORY_EXPORT_TIMEOUT_MS,
        resource: resourceFromAttributes({
          'service.name': service,
          'service.version': STABLE_VERSION,
          'service.instance.id': `${service}-history`,
          'deployment.environment.name': 'demo',
        }),
        spanProcessors: [
          new tracing.BatchSpanProcessor(
            // On a busy host one batch of history may take longer than the exporter's
            // default 10 s (or a flush than the provider's 30 s), which would end the demo.
            new OTLPTraceExporter({
              url: `${otlp}/v1/traces`,
              timeoutMillis: HISTORY_EXPORT_TIMEOUT_MS,
              ...(ingestKey ? { headers: { authorization: `Bearer ${ingestKey}` } } : {}),
            }),
            {
              maxQueueSize: 200_000,
              maxExportBatchSize: 4_000,
              scheduledDelayMillis: 200,
              exportTimeoutMillis: HISTORY_EXPORT_TIMEOUT_MS,
            },
          ),
        ],
      }),
  );
  const [payments, checkout, frontend] = providers.map((p) => p.getTracer('opsless-demo')) as [
    Tracer,
    Tracer,
    Tracer,
  ];
  let random = 42;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let step = fromMs; step < toMs; step += stepMs) {
    const length = Math.min(stepMs, toMs - step);
    const count = Math.max(0, Math.round((rate(step) * length) / 1000 + (next() - 0.5) * 2));
    for (let i = 0; i < count; i++) {
      const start = step + Math.floor(next() * length);
      const pick = (samples: number[]) => samples[Math.floor(next() * samples.length)]!;
      const pay = pick(latencies.payments);
      const check = Math.max(pick(latencies.checkout), pay + 2);
      const front = Math.max(pick(latencies.frontend), check + 2);
      const root = frontend.startSpan('GET /shop/:item', {
        kind: SpanKind.SERVER,
        startTime: start,
        attributes: serverAttributes('GET', '/shop/:item'),
      });
      const inRoot = trace.setSpan(context.active(), root);
      const mid = checkout.startSpan(
        'POST /checkout',
        {
          kind: SpanKind.SERVER,
          startTime: start + 2,
          attributes: serverAttributes('POST', '/checkout'),
        },
        inRoot,
      );
      const leaf = payments.startSpan(
        'POST /pay',
        {
          kind: SpanKind.SERVER,
          startTime: start + 4,
          attributes: serverAttributes('POST', '/pay'),
        },
        trace.setSpan(context.active(), mid),
      );
      leaf.setStatus({ code: SpanStatusCode.UNSET });
      leaf.end(start + 4 + pay);
      mid.end(start + 2 + check);
      root.end(start + front);
    }
    // Every ten minutes of history is flushed before the next is made: the exporters keep
    // up however busy the host is, instead of a queue of hours flushed against a deadline.
    if ((step - fromMs) % (60 * stepMs) === 0) {
      await Promise.all(providers.map((provider) => provider.forceFlush()));
    }
  }
  await Promise.all(providers.map((provider) => provider.forceFlush()));
  await Promise.all(providers.map((provider) => provider.shutdown()));
}

function serverAttributes(method: string, route: string) {
  return {
    'http.request.method': method,
    'http.route': route,
    'http.response.status_code': 200,
  };
}
