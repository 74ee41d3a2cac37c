import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Client, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import { Registry } from 'prom-client';
import { createCollector } from '../collector/live/index.ts';
import { grpcExport } from './support/grpc.ts';
import { waitForMetric } from './support/metrics.ts';
import { makeSpans } from '../harness/index.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const INGEST_KEY = 'pressure-key';

// Reference decoders for google.rpc.Status with a RetryInfo detail.
const root = protobuf.Root.fromJSON({
  nested: {
    Any: { fields: { typeUrl: { id: 1, type: 'string' }, value: { id: 2, type: 'bytes' } } },
    Status: {
      fields: {
        code: { id: 1, type: 'int32' },
        message: { id: 2, type: 'string' },
        details: { id: 3, type: 'Any', rule: 'repeated' },
      },
    },
    Duration: { fields: { seconds: { id: 1, type: 'int64' }, nanos: { id: 2, type: 'int32' } } },
    RetryInfo: { fields: { retryDelay: { id: 1, type: 'Duration' } } },
  },
});
const Status = root.lookupType('Status');
const RetryInfo = root.lookupType('RetryInfo');

async function protobufMessage(response: Response): Promise<string> {
  return (
    Status.toObject(Status.decode(new Uint8Array(await response.arrayBuffer()))) as {
      message: string;
    }
  ).message;
}

function exportWithKey(
  client: Client,
  body: Uint8Array,
  key = INGEST_KEY,
): Promise<{ error: ServiceError | null }> {
  return grpcExport(client, body, { key }).then((error) => ({ error }));
}

describe('ingest under pressure', () => {
  let opsless: TestOpsless;
  let grpc: Client;
  let small: Uint8Array;

  beforeAll(async () => {
    // A queue that holds about three 40-span requests: concurrent senders overflow it.
    opsless = await startTestOpsless({
      OPSLESS_QUEUE_MAX_BYTES: String(120 * 1024),
      OPSLESS_FLUSH_INTERVAL_MS: '100',
      OPSLESS_INGEST_KEY: INGEST_KEY,
      OPSLESS_MAX_BODY_BYTES: String(512 * 1024),
      OPSLESS_MAX_CONCURRENT_REQUESTS: '8',
      OPSLESS_MAX_UPLOADS_IN_FLIGHT: '12',
    });
    grpc = new Client(opsless.grpcUrl.replace('http://', ''), credentials.createInsecure());
    small = ProtobufTraceSerializer.serializeRequest(
      await makeSpans({ spans: 40, serviceName: 'pressure' }),
    )!;
  });
  afterAll(async () => {
    grpc.close();
    await opsless.stop();
  });

  /** Uploads that send their headers and `sentBytes` of a `bodyBytes` body, then wait. */
  function stallUploads(count: number, bodyBytes = 4096, sentBytes = 1024) {
    const { port } = new URL(opsless.otlpUrl);
    return Array.from({ length: count }, () => {
      const req = request({
        host: '127.0.0.1',
        port: Number(port),
        method: 'POST',
        path: '/v1/traces',
        headers: {
          'content-type': 'application/x-protobuf',
          'content-length': bodyBytes,
          authorization: `Bearer ${INGEST_KEY}`,
        },
      });
      req.on('error', () => undefined); // destroyed by the test
      req.write(Buffer.alloc(sentBytes));
      return req;
    });
  }

  function postSmall(): Promise<Response> {
    return fetch(`${opsless.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST_KEY}` },
      body: small,
    });
  }

  it('answers overload with 429 + Retry-After, never 5xx, and stores every acknowledged request', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const response = await fetch(`${opsless.otlpUrl}/v1/traces`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-protobuf',
            authorization: `Bearer ${INGEST_KEY}`,
          },
          body: small,
        });
        await response.arrayBuffer();
        if (response.status === 429) expect(response.headers.get('retry-after')).toBe('1');
        return response.status;
      }),
    );
    const ok = statuses.filter((status) => status === 200).length;
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    const [stored] = await rows<{ n: string }>(
      opsless.clickhouse,
      "SELECT count() AS n FROM otel_traces WHERE ServiceName = 'pressure'",
    );
    expect(Number(stored!.n)).toBe(ok * 40);
  });

  it('counts bodies still being uploaded against the queue budget, refusing others with 429', async () => {
    // Three uploads send half of a 100 KiB body and stall: 150 KiB held of a 120 KiB budget.
    const stalled = stallUploads(3, 100 * 1024, 50 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await fetch(`${opsless.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST_KEY}` },
      body: small,
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    for (const req of stalled) req.destroy();
    // Once the stalled uploads are gone, their share is free again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await fetch(`${opsless.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST_KEY}` },
      body: small,
    });
    expect(after.status).toBe(200);
  });

  it('lets stalled uploads hold upload places, not request places: a complete request beyond OPSLESS_MAX_CONCURRENT_REQUESTS still gets 200', async () => {
    const stalled = stallUploads(8);
    try {
      await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_uploads_in_progress', 8);
      expect((await postSmall()).status).toBe(200);
    } finally {
      for (const req of stalled) req.destroy();
    }
  });

  it('refuses uploads beyond OPSLESS_MAX_UPLOADS_IN_FLIGHT with 429, before reading them', async () => {
    const stalled = stallUploads(12);
    try {
      await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_uploads_in_progress', 12);
      const response = await postSmall();
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await protobufMessage(response)).toBe('too many uploads in progress; retry later');
    } finally {
      for (const req of stalled) req.destroy();
    }
    await waitForMetric(`${opsless.apiUrl}/metrics`, 'opsless_ingest_uploads_in_progress', 0);
    expect((await postSmall()).status).toBe(200);
  });

  it('answers gRPC overload with UNAVAILABLE carrying a RetryInfo delay', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, () => exportWithKey(grpc, small)));
    const unavailable = results.filter((result) => result.error?.code === GrpcStatus.UNAVAILABLE);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(
      results.every(
        (result) => result.error === null || result.error.code === GrpcStatus.UNAVAILABLE,
      ),
    ).toBe(true);
    const details = unavailable[0]!.error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = Status.toObject(Status.decode(details), { longs: Number }) as {
      code: number;
      details: Array<{ typeUrl: string; value: Uint8Array }>;
    };
    expect(status.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(status.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(
      RetryInfo.toObject(RetryInfo.decode(status.details[0]!.value), { longs: Number }),
    ).toEqual({ retryDelay: { seconds: 1 } });
  });

  it('answers bad gRPC data with INVALID_ARGUMENT, a wrong key with UNAUTHENTICATED, an oversized message with RESOURCE_EXHAUSTED', async () => {
    expect((await exportWithKey(grpc, small.slice(0, small.length - 3))).error?.code).toBe(
      GrpcStatus.INVALID_ARGUMENT,
    );
    expect((await exportWithKey(grpc, small, 'wrong')).error?.code).toBe(
      GrpcStatus.UNAUTHENTICATED,
    );
    expect((await exportWithKey(grpc, new Uint8Array(600 * 1024))).error?.code).toBe(
      GrpcStatus.RESOURCE_EXHAUSTED,
    );
  });

  it('reports received, accepted and throttled items and queue bytes on /metrics', async () => {
    const text = await (await fetch(`${opsless.apiUrl}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    const [stored] = await rows<{ n: string }>(
      opsless.clickhouse,
      "SELECT count() AS n FROM otel_traces WHERE ServiceName = 'pressure'",
    );
    const acceptedHttp = value(
      /opsless_ingest_items_accepted_total\{signal="traces",transport="http"\} (\d+)/,
    );
    const acceptedGrpc = value(
      /opsless_ingest_items_accepted_total\{signal="traces",transport="grpc"\} (\d+)/,
    );
    expect(acceptedHttp + acceptedGrpc).toBe(Number(stored!.n));
    expect(
      value(/opsless_ingest_throttled_requests_total\{signal="traces",transport="http"\} (\d+)/),
    ).toBeGreaterThan(0);
    expect(
      value(/opsless_ingest_throttled_requests_total\{signal="traces",transport="grpc"\} (\d+)/),
    ).toBeGreaterThan(0);
    expect(
      value(
        /opsless_ingest_requests_total\{signal="traces",transport="grpc",outcome="invalid"\} (\d+)/,
      ),
    ).toBe(1);
    expect(value(/opsless_ingest_queue_bytes (\d+)/)).toBe(0);
    expect(text).toContain(
      'opsless_ingest_insert_duration_seconds_bucket{le="0.005",table="otel_traces",outcome="ok"}',
    );
  });
});

describe('ingest while ClickHouse is unreachable', () => {
  it('answers quickly with 503 + Retry-After, and holds no memory for the refused rows', async () => {
    // A real client against a port nothing listens on: every insert is refused.
    const client = createClient({
      url: 'http://127.0.0.1:9',
      request_timeout: 500,
      log: { level: ClickHouseLogLevel.OFF },
    });
    const registry = new Registry();
    const collector = createCollector({
      client,
      registry,
      logger: pino({ level: 'silent' }),
      limits: {
        batchMaxRows: 1000,
        batchMaxBytes: 1 << 20,
        flushIntervalMs: 10,
        queueMaxBytes: 1 << 20,
        maxBodyBytes: 1 << 20,
        insertRetryMs: 300,
        maxConcurrentRequests: 16,
        maxUploadsInFlight: 16,
        bodyTimeoutMs: 30_000,
        bodyMinBytesPerSecond: 1024,
      },
    });
    await new Promise<void>((resolve) => collector.httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = collector.httpServer.address() as { port: number };
    const body = ProtobufTraceSerializer.serializeRequest(await makeSpans({ spans: 5 }))!;
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await registry.getSingleMetricAsString('opsless_ingest_queue_bytes')).toMatch(
      /opsless_ingest_queue_bytes 0$/m,
    );
    await new Promise((resolve) => collector.httpServer.close(resolve));
    await collector.close();
    await client.close();
  });
});
