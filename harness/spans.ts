import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export interface SpanBatchOptions {
  spans: number;
  serviceName?: string;
  /** Extra attributes per span, besides the HTTP ones (default 6, for ~10 in all). */
  extraAttributes?: number;
  /** Every n-th span fails with a 500 (0: none). */
  errorEvery?: number;
}

/** Real SDK spans, as the OpenTelemetry exporters would send them. */
export async function makeSpans(options: SpanBatchOptions): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? 'bench-service',
      'service.version': '1.4.2',
      'deployment.environment.name': 'bench',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('opsless-bench', '1.0.0');
  const extra = options.extraAttributes ?? 6;
  for (let i = 0; i < options.spans; i++) {
    const failed = options.errorEvery ? i % options.errorEvery === 0 : false;
    const span = tracer.startSpan('GET /api/items/:id', { kind: SpanKind.SERVER });
    span.setAttribute('http.request.method', 'GET');
    span.setAttribute('http.route', '/api/items/:id');
    span.setAttribute('url.path', `/api/items/${i}`);
    span.setAttribute('http.response.status_code', failed ? 500 : 200);
    for (let a = 0; a < extra; a++) span.setAttribute(`app.attribute_${a}`, `value-${i % 97}-${a}`);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    span.end();
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}
