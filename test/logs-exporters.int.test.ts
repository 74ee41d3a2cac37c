import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
} from '@opentelemetry/sdk-logs';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** One record per AnyValue kind of body, through the real logs SDK. */
async function sendLogs(serviceName: string, exporter: LogRecordExporter): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('opsless-test', '1.0.0');
  const bodies: Array<[string, unknown]> = [
    ['string', 'payment failed'],
    ['int', 42],
    ['double', 2.5],
    ['bool', true],
    ['bytes', new Uint8Array([1, 2, 255])],
    ['array', ['a', 1]],
    ['map', { user: 'ada', retries: 3 }],
  ];
  for (const [kind, body] of bodies) {
    logger.emit({
      body: body as never,
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      attributes: { kind },
      timestamp: new Date('2026-11-24T10:00:00.123Z'),
      context: undefined,
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

describe.each([
  [
    'exporter-logs-otlp-http (JSON)',
    'logs-json',
    (o: TestOpsless) => new JsonLogExporter({ url: `${o.otlpUrl}/v1/logs` }),
  ],
  [
    'exporter-logs-otlp-proto (protobuf)',
    'logs-proto',
    (o: TestOpsless) => new ProtoLogExporter({ url: `${o.otlpUrl}/v1/logs` }),
  ],
  [
    'exporter-logs-otlp-grpc',
    'logs-grpc',
    (o: TestOpsless) => new GrpcLogExporter({ url: o.grpcUrl }),
  ],
])('logs sent with %s', (_name, serviceName, makeExporter) => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
    await sendLogs(serviceName, makeExporter(opsless));
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('stores every body kind, severity, time and attributes', async () => {
    const stored = await rows<{
      kind: string;
      Body: string;
      SeverityText: string;
      SeverityNumber: number;
      ts: string;
      ScopeName: string;
    }>(
      opsless.clickhouse,
      `SELECT LogAttributes['kind'] AS kind, Body, SeverityText, SeverityNumber, toString(Timestamp) AS ts, ScopeName
       FROM otel_logs WHERE ServiceName = {s:String} ORDER BY kind`,
      { s: serviceName },
    );
    const byKind = Object.fromEntries(stored.map((row) => [row.kind, row.Body]));
    expect(byKind).toEqual({
      string: 'payment failed',
      int: '42',
      double: '2.5',
      bool: 'true',
      bytes: 'AQL/',
      array: '["a",1]',
      // Keys sorted, as the Collector's exporter renders maps.
      map: '{"retries":3,"user":"ada"}',
    });
    for (const row of stored) {
      expect(row).toMatchObject({
        SeverityText: 'ERROR',
        SeverityNumber: 17,
        ts: '2026-11-24 10:00:00.123000000',
        ScopeName: 'opsless-test',
      });
    }
  });

  it('are found through /v1/logs by service, severity and a word of the body', async () => {
    const range = 'from=2026-11-24T09:59:00Z&to=2026-11-24T10:01:00Z';
    const search = async (query: string) => {
      const response = await fetch(`${opsless.apiUrl}/v1/logs?${range}&${query}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { logs: Array<Record<string, unknown>> }).logs;
    };
    const found = await search(`service=${serviceName}&severity=error&q=PAYMENT`);
    expect(found).toEqual([
      {
        time: '2026-11-24T10:00:00.123Z',
        service: serviceName,
        severity: 'ERROR',
        severityNumber: 17,
        body: 'payment failed',
        traceId: '',
        spanId: '',
        attributes: { kind: 'string' },
        resource: expect.objectContaining({ 'service.name': serviceName }) as unknown,
      },
    ]);
    expect(await search(`service=${serviceName}`)).toHaveLength(7);
    expect(await search(`service=${serviceName}&severity=FATAL`)).toEqual([]);
  });
});

describe('log records with trace context', () => {
  let opsless: TestOpsless;
  beforeAll(async () => {
    opsless = await startTestOpsless();
  });
  afterAll(async () => {
    await opsless.stop();
  });

  it('keeps trace and span ids and uses the observed time when the record has none', async () => {
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ctx' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  observedTimeUnixNano: '1700000000000000001',
                  severityNumber: 9,
                  body: { stringValue: 'hello' },
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  flags: 1,
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${opsless.otlpUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(
      await rows(
        opsless.clickhouse,
        "SELECT TraceId, SpanId, TraceFlags, toString(Timestamp) AS ts FROM otel_logs WHERE ServiceName = 'ctx'",
      ),
    ).toEqual([
      { TraceId: TRACE_ID, SpanId: SPAN_ID, TraceFlags: 1, ts: '2023-11-14 22:13:20.000000001' },
    ]);
  });
});
