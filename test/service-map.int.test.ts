import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SERVICE_EDGES_TABLE } from '../storage/index.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

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
async function sendCalls(opsless: TestOpsless, calls: number, failEvery: number): Promise<void> {
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

interface MapAnswer {
  nodes: Array<{
    service: string;
    kind: string;
    requests: number;
    errorRatio: number;
    p95Ms: number;
  }>;
  edges: Array<{ from: string; to: string; requests: number; errorRatio: number; p95Ms: number }>;
  truncated: boolean;
}

describe('service map', () => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
    await sendCalls(opsless, 40, 4);
    // The rollup refreshes every minute; a test asks for the refresh and waits for it.
    await opsless.clickhouse.command({ query: `SYSTEM REFRESH VIEW ${SERVICE_EDGES_TABLE}_mv` });
    await opsless.clickhouse.command({ query: `SYSTEM WAIT VIEW ${SERVICE_EDGES_TABLE}_mv` });
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('draws calls between services from parent and child spans, and to what is not instrumented', async () => {
    const response = await fetch(`${opsless.apiUrl}/v1/service-map?since=1h`);
    expect(response.status).toBe(200);
    const map = (await response.json()) as MapAnswer;
    const edge = (from: string, to: string) =>
      map.edges.find((e) => e.from === from && e.to === to);
    expect(edge('frontend', 'checkout')).toMatchObject({ requests: 40, errorRatio: 0.25 });
    expect(edge('frontend', 'checkout')!.p95Ms).toBeGreaterThanOrEqual(5);
    expect(edge('checkout', 'orders-db')).toMatchObject({ requests: 40, errorRatio: 0 });
    // The client span answered by checkout is not also an external call to its address.
    expect(map.edges).toHaveLength(2);
    const node = (name: string) => map.nodes.find((n) => n.service === name);
    expect(node('frontend')).toMatchObject({ kind: 'service', requests: 40, errorRatio: 0 });
    expect(node('checkout')).toMatchObject({ kind: 'service', requests: 40, errorRatio: 0.25 });
    expect(node('orders-db')).toMatchObject({ kind: 'database', requests: 40 });
    expect(map.truncated).toBe(false);
  });

  it('finds nothing in a range before the calls', async () => {
    const from = new Date(Date.now() - 7_200_000).toISOString();
    const to = new Date(Date.now() - 3_600_000).toISOString();
    const map = (await (
      await fetch(`${opsless.apiUrl}/v1/service-map?from=${from}&to=${to}`)
    ).json()) as MapAnswer;
    expect(map).toEqual({ nodes: [], edges: [], truncated: false });
  });

  it('refuses both since and from with 400', async () => {
    const response = await fetch(
      `${opsless.apiUrl}/v1/service-map?since=1h&from=2026-01-01T00:00:00Z`,
    );
    expect(response.status).toBe(400);
  });
});
