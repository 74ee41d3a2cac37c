import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

/** HrTime in nanoseconds, exactly (a JS number would round the last digits). */
function exactNanos(time: HrTime): string {
  return String(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]));
}

interface StoredSpan {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  StatusCode: string;
  StatusMessage: string;
  ns: string;
  Duration: string;
  'Events.Name': string[];
  'Events.Attributes': Array<Record<string, string>>;
  eventNs: string[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.Attributes': Array<Record<string, string>>;
}

/** Sends one trace (a server span with a client child linked to another trace) through the real SDK. */
async function sendTrace(
  serviceName: string,
  exporter: SpanExporter,
): Promise<{ server: Span; client: Span; other: Span; finished: ReadableSpan[] }> {
  const finished: ReadableSpan[] = [];
  const recording: SpanExporter = {
    export: (spans, done) => {
      finished.push(...spans);
      exporter.export(spans, done);
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.version': '2.0.1' }),
    traceExporter: recording,
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer('opsless-test', '0.9.0');
  const other = tracer.startSpan('background job');
  other.end();
  const server = tracer.startSpan('GET /cart/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/cart/:id',
      'http.response.status_code': 500,
      'app.ratio': 1.5,
      'app.cached': true,
      'app.tags': ['a', 'b'],
    },
  });
  server.addEvent('exception', {
    'exception.type': 'TimeoutError',
    'exception.message': 'payments timed out',
  });
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'payments timed out' });
  const client = tracer.startSpan(
    'POST payments',
    {
      kind: SpanKind.CLIENT,
      links: [{ context: other.spanContext(), attributes: { 'link.reason': 'batch' } }],
    },
    trace.setSpan(context.active(), server),
  );
  client.end();
  server.end();
  await sdk.shutdown();
  trace.disable();
  context.disable();
  return { server, client, other, finished };
}

describe.each([
  [
    'exporter-trace-otlp-http (JSON)',
    'svc-json',
    (o: TestOpsless) => new JsonTraceExporter({ url: `${o.otlpUrl}/v1/traces` }),
  ],
  [
    'exporter-trace-otlp-proto (protobuf)',
    'svc-proto',
    (o: TestOpsless) => new ProtoTraceExporter({ url: `${o.otlpUrl}/v1/traces` }),
  ],
  [
    'exporter-trace-otlp-proto (protobuf, gzip)',
    'svc-proto-gzip',
    (o: TestOpsless) =>
      new ProtoTraceExporter({ url: `${o.otlpUrl}/v1/traces`, compression: 'gzip' as never }),
  ],
  [
    'exporter-trace-otlp-grpc (gzip)',
    'svc-grpc',
    (o: TestOpsless) => new GrpcTraceExporter({ url: o.grpcUrl, compression: 'gzip' as never }),
  ],
])('spans sent with %s', (_name, serviceName, makeExporter) => {
  let opsless: TestOpsless;
  let sent: Awaited<ReturnType<typeof sendTrace>>;

  beforeAll(async () => {
    opsless = await startTestOpsless();
    sent = await sendTrace(serviceName, makeExporter(opsless));
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('are counted per service by /v1/services, errors included', async () => {
    const response = await fetch(`${opsless.apiUrl}/v1/services?since=1h`);
    const body = (await response.json()) as {
      services: Array<{ name: string; spans: number; errorSpans: number }>;
    };
    expect(body.services.find((service) => service.name === serviceName)).toMatchObject({
      spans: 3,
      errorSpans: 1,
    });
  });

  it('are stored in otel_traces with ids, times, attributes, events, links and status intact', async () => {
    const stored = await rows<StoredSpan>(
      opsless.clickhouse,
      `SELECT *, toString(toUnixTimestamp64Nano(Timestamp)) AS ns, toString(Duration) AS Duration,
              arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS eventNs
       FROM otel_traces WHERE ServiceName = {service:String} ORDER BY SpanName`,
      { service: serviceName },
    );
    expect(stored.map((span) => span.SpanName)).toEqual([
      'GET /cart/:id',
      'POST payments',
      'background job',
    ]);
    const [server, client, other] = stored as [StoredSpan, StoredSpan, StoredSpan];
    const readable = (span: Span) =>
      sent.finished.find((f) => f.spanContext().spanId === span.spanContext().spanId)!;
    const serverSpan = readable(sent.server);

    expect(server).toMatchObject({
      TraceId: sent.server.spanContext().traceId,
      SpanId: sent.server.spanContext().spanId,
      ParentSpanId: '',
      SpanKind: 'Server',
      ServiceName: serviceName,
      ScopeName: 'opsless-test',
      ScopeVersion: '0.9.0',
      StatusCode: 'Error',
      StatusMessage: 'payments timed out',
      ns: exactNanos(serverSpan.startTime),
      Duration: exactNanos(serverSpan.duration),
      'Events.Name': ['exception'],
      'Events.Attributes': [
        { 'exception.type': 'TimeoutError', 'exception.message': 'payments timed out' },
      ],
      eventNs: [exactNanos(serverSpan.events[0]!.time)],
    });
    expect(server.ResourceAttributes).toMatchObject({
      'service.name': serviceName,
      'service.version': '2.0.1',
    });
    expect(server.SpanAttributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/cart/:id',
      'http.response.status_code': '500',
      'app.ratio': '1.5',
      'app.cached': 'true',
      'app.tags': '["a","b"]',
    });
    expect(client).toMatchObject({
      TraceId: sent.server.spanContext().traceId,
      ParentSpanId: sent.server.spanContext().spanId,
      SpanKind: 'Client',
      StatusCode: 'Unset',
      'Links.TraceId': [sent.other.spanContext().traceId],
      'Links.SpanId': [sent.other.spanContext().spanId],
      'Links.Attributes': [{ 'link.reason': 'batch' }],
    });
    expect(other.SpanKind).toBe('Internal');
  });

  it('fill the trace-id lookup table', async () => {
    const found = await rows<{ TraceId: string }>(
      opsless.clickhouse,
      'SELECT TraceId FROM otel_traces_trace_id_ts WHERE TraceId = {id:String}',
      { id: sent.server.spanContext().traceId },
    );
    expect(found.length).toBeGreaterThan(0);
  });
});
