import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { createBatchWriter, createByteBudget } from '../collector/index.ts';
import { isRowLevelInsertError } from '../storage/index.ts';
import { createStorageClient, insertJsonEachRow, migrate } from '../storage/live/index.ts';
import { grpcExport, LOGS_EXPORT } from './support/grpc.ts';
import { rows, startTestOpsless, type TestOpsless } from './support/opsless.ts';

// A lone surrogate as OTLP/JSON can carry it: an escape with no partner, which no
// UTF-8 text can hold. Written into the raw JSON text, not through JSON.stringify.
const LONE = '\\ud800';
const TIME = '"1700000000000000000"';

function attributes(key: string, value: string): string {
  return `[{"key":"${key}","value":{"stringValue":"${value}"}}]`;
}

function resource(service: string, extraValue: string): string {
  return `{"attributes":[{"key":"service.name","value":{"stringValue":"${service}"}},{"key":"host.name","value":{"stringValue":"${extraValue}"}}]}`;
}

/** One item of each signal whose strings are `text` (name, attribute key and value, resource). */
const BODIES = {
  traces: (service: string, text: string) =>
    `{"resourceSpans":[{"resource":${resource(service, text)},"scopeSpans":[{"scope":{"name":"${text}"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"span${text}","kind":2,"startTimeUnixNano":${TIME},"endTimeUnixNano":${TIME},"attributes":${attributes(`k${text}`, `v${text}`)},"status":{"message":"${text}"}}]}]}]}`,
  metrics: (service: string, text: string) =>
    `{"resourceMetrics":[{"resource":${resource(service, text)},"scopeMetrics":[{"metrics":[{"name":"metric${text}","description":"${text}","unit":"${text}","gauge":{"dataPoints":[{"asDouble":1.5,"timeUnixNano":${TIME},"attributes":${attributes(`k${text}`, `v${text}`)}}]}}]}]}]}`,
  logs: (service: string, text: string) =>
    `{"resourceLogs":[{"resource":${resource(service, text)},"scopeLogs":[{"logRecords":[{"timeUnixNano":${TIME},"severityText":"${text}","body":{"stringValue":"log${text}"},"attributes":${attributes(`k${text}`, `v${text}`)}}]}]}]}`,
};

const TABLES = {
  traces: { table: 'otel_traces', name: 'SpanName', prefix: 'span' },
  metrics: { table: 'otel_metrics_gauge', name: 'MetricName', prefix: 'metric' },
  logs: { table: 'otel_logs', name: 'Body', prefix: 'log' },
};

describe('OTLP/JSON with a lone surrogate batched with other clients', () => {
  let opsless: TestOpsless;

  beforeAll(async () => {
    // A long flush interval, so requests sent together share one insert.
    opsless = await startTestOpsless({ OPSLESS_FLUSH_INTERVAL_MS: '300' });
  });
  afterAll(async () => {
    await opsless.stop();
  });

  const post = (signal: keyof typeof BODIES, body: string) =>
    fetch(`${opsless.otlpUrl}/v1/${signal}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    it(`stores ${signal} repaired to U+FFFD, and every request batched with it, with 200`, async () => {
      const body = BODIES[signal];
      // The first write after a quiet spell goes at once; the next ones wait together.
      expect((await post(signal, body(`${signal}-first`, 'ok'))).status).toBe(200);
      const responses = await Promise.all([
        post(signal, body(`${signal}-good-1`, 'ok')),
        post(signal, body(`${signal}-poisoned`, `bad${LONE}`)),
        post(signal, body(`${signal}-good-2`, 'ok')),
        post(signal, body(`${signal}-good-3`, 'ok')),
      ]);
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      const { table, name, prefix } = TABLES[signal];
      const stored = await rows<{ ServiceName: string; name: string; attributes: string }>(
        opsless.clickhouse,
        `SELECT ServiceName, ${name} AS name, toJSONString(ResourceAttributes) AS attributes
         FROM ${table} WHERE ServiceName LIKE {prefix:String} ORDER BY ServiceName`,
        { prefix: `${signal}-%` },
      );
      expect(stored.map((row) => row.ServiceName)).toEqual([
        `${signal}-first`,
        `${signal}-good-1`,
        `${signal}-good-2`,
        `${signal}-good-3`,
        `${signal}-poisoned`,
      ]);
      const poisoned = stored.at(-1)!;
      expect(poisoned.name).toBe(`${prefix}bad\ufffd`);
      expect(JSON.parse(poisoned.attributes)).toMatchObject({ 'host.name': 'bad\ufffd' });
    });
  }
});

// Just enough of ExportLogsServiceRequest to send one record with a body over gRPC.
const LogsRequest = protobuf.Root.fromJSON({
  nested: {
    AnyValue: { fields: { stringValue: { id: 1, type: 'string' } } },
    KeyValue: { fields: { key: { id: 1, type: 'string' }, value: { id: 2, type: 'AnyValue' } } },
    Resource: { fields: { attributes: { id: 1, type: 'KeyValue', rule: 'repeated' } } },
    LogRecord: {
      fields: { timeUnixNano: { id: 1, type: 'fixed64' }, body: { id: 5, type: 'AnyValue' } },
    },
    ScopeLogs: { fields: { logRecords: { id: 2, type: 'LogRecord', rule: 'repeated' } } },
    ResourceLogs: {
      fields: {
        resource: { id: 1, type: 'Resource' },
        scopeLogs: { id: 2, type: 'ScopeLogs', rule: 'repeated' },
      },
    },
    ExportLogsServiceRequest: {
      fields: { resourceLogs: { id: 1, type: 'ResourceLogs', rule: 'repeated' } },
    },
  },
}).lookupType('ExportLogsServiceRequest');

function grpcLog(grpcUrl: string, service: string, body: string): Promise<ServiceError | null> {
  const message = LogsRequest.encode({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          { logRecords: [{ timeUnixNano: '1700000000000000000', body: { stringValue: body } }] },
        ],
      },
    ],
  }).finish();
  const client = new Client(grpcUrl.replace('http://', ''), credentials.createInsecure());
  return grpcExport(client, message, { path: LOGS_EXPORT }).finally(() => client.close());
}

describe('a batch that ClickHouse refuses for one request’s row', () => {
  let opsless: TestOpsless;

  beforeAll(async () => {
    opsless = await startTestOpsless({ OPSLESS_FLUSH_INTERVAL_MS: '300' });
    // A row ClickHouse itself refuses, whatever the decoder lets through.
    await opsless.clickhouse.command({
      query: "ALTER TABLE otel_logs ADD CONSTRAINT no_forbidden CHECK Body != 'forbidden'",
    });
  });
  afterAll(async () => {
    await opsless.stop();
  });

  const postLog = (service: string, body: string) =>
    fetch(`${opsless.otlpUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"resourceLogs":[{"resource":${resource(service, 'x')},"scopeLogs":[{"logRecords":[{"timeUnixNano":${TIME},"body":{"stringValue":"${body}"}}]}]}]}`,
    });

  it('stores the innocent requests with 200 and refuses only the guilty one with 400', async () => {
    expect((await postLog('split-first', 'fine')).status).toBe(200);
    const responses = await Promise.all([
      postLog('split-good-1', 'fine'),
      postLog('split-good-2', 'fine'),
      postLog('split-guilty', 'forbidden'),
      postLog('split-good-3', 'fine'),
    ]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 400, 200]);
    const refusal = (await responses[2].json()) as { code: number; message: string };
    expect(refusal.code).toBe(3);
    expect(refusal.message).toMatch(/^storage refused the data: .*no_forbidden/);
    const stored = await rows<{ ServiceName: string }>(
      opsless.clickhouse,
      "SELECT ServiceName FROM otel_logs WHERE ServiceName LIKE 'split-%' ORDER BY ServiceName",
    );
    // Each innocent request stored exactly once, though its first insert failed.
    expect(stored.map((row) => row.ServiceName)).toEqual([
      'split-first',
      'split-good-1',
      'split-good-2',
      'split-good-3',
    ]);
  });

  it('answers the guilty call INVALID_ARGUMENT and stores the innocent ones', async () => {
    expect(await grpcLog(opsless.grpcUrl, 'grpc-first', 'fine')).toBeNull();
    const errors = await Promise.all([
      grpcLog(opsless.grpcUrl, 'grpc-good-1', 'fine'),
      grpcLog(opsless.grpcUrl, 'grpc-guilty', 'forbidden'),
      grpcLog(opsless.grpcUrl, 'grpc-good-2', 'fine'),
    ]);
    expect(errors[0]).toBeNull();
    expect(errors[2]).toBeNull();
    expect(errors[1]?.code).toBe(3); // INVALID_ARGUMENT: not retried by OTLP exporters
    expect(errors[1]?.details).toMatch(/^storage refused the data: .*no_forbidden/);
    const stored = await rows<{ ServiceName: string }>(
      opsless.clickhouse,
      "SELECT ServiceName FROM otel_logs WHERE ServiceName LIKE 'grpc-%' ORDER BY ServiceName",
    );
    expect(stored.map((row) => row.ServiceName)).toEqual([
      'grpc-first',
      'grpc-good-1',
      'grpc-good-2',
    ]);
  });
});

describe('the batch writer on chDB, given a line ClickHouse refuses', () => {
  it('splits the batch: the other writes are stored, the bad one refused as not retryable', async () => {
    const client = createStorageClient({ dataDir: ':memory:' });
    await migrate(client, { retentionDays: 0 });
    const inserts: Array<{ rows: number; ok: boolean }> = [];
    const writer = createBatchWriter({
      maxRows: 1000,
      maxBytes: 1 << 20,
      flushIntervalMs: 60_000,
      budget: createByteBudget(1 << 20),
      insert: (body) => insertJsonEachRow(client, 'otel_traces', body),
      refusesRows: isRowLevelInsertError,
      onInsert: ({ rows, ok }) => inserts.push({ rows, ok }),
    });
    const line = (service: string) => `{"ServiceName":"${service}","SpanName":"s"}\n`;
    const results = [
      writer.write(line('direct-a'), 1),
      writer.write(line('direct-b') + line('direct-c'), 2),
      writer.write(line('direct-\\ud800'), 1), // JSON.stringify never writes this; a bug might
      writer.write(line('direct-d'), 1),
    ];
    await writer.close();
    const outcomes = await Promise.all(
      results.map((result) => {
        if (!result.accepted) throw new Error(result.reason);
        return result.stored;
      }),
    );
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, false, true]);
    expect(outcomes[2]).toMatchObject({ retryable: false, reason: /surrogate/ });
    expect(inserts[0]).toEqual({ rows: 5, ok: false });
    const stored = await rows<{ ServiceName: string }>(
      client,
      "SELECT ServiceName FROM otel_traces WHERE ServiceName LIKE 'direct-%' ORDER BY ServiceName",
    );
    expect(stored.map((row) => row.ServiceName)).toEqual([
      'direct-a',
      'direct-b',
      'direct-c',
      'direct-d',
    ]);
    await client.close();
  });
});
