import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';
import type { ServiceSummary } from './services.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const prod = { 'deployment.environment.name': 'prod' };

describe('GET /v1/services lists services from every signal', () => {
  let storage: Storage;
  const list = async (query = 'since=15m') => {
    const response = await testApi(storage.client, { now: () => NOW }).request(
      `/v1/services?${query}`,
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { services: ServiceSummary[] }).services;
  };

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
    const insert = (table: string, values: unknown[]) =>
      storage.client.insert({ table, values, format: 'JSONEachRow' });
    await insert('otel_traces', [
      {
        Timestamp: nanos(NOW - 60_000),
        TraceId: 'a'.repeat(32),
        SpanId: '1'.repeat(16),
        ServiceName: 'api',
        SpanName: 'GET /',
        SpanKind: 'Server',
        Duration: 1e6,
        ResourceAttributes: prod,
      },
    ]);
    await insert('otel_logs', [
      { Timestamp: nanos(NOW - 30_000), ServiceName: 'api', SeverityNumber: 9, Body: 'ok' },
      { Timestamp: nanos(NOW - 30_000), ServiceName: 'cron', SeverityNumber: 17, Body: 'failed' },
      {
        Timestamp: nanos(NOW - 20_000),
        ServiceName: 'cron',
        SeverityText: 'WARN',
        Body: 'slow',
        ResourceAttributes: { 'deployment.environment.name': 'staging' },
      },
    ]);
    await insert('otel_metrics_gauge', [
      {
        TimeUnix: nanos(NOW - 10_000),
        ServiceName: 'node-exporter',
        MetricName: 'system.cpu.utilization',
        Value: 0.3,
        ResourceAttributes: prod,
      },
    ]);
    await insert('otel_metrics_sum', [
      {
        TimeUnix: nanos(NOW - 10_000),
        ServiceName: 'node-exporter',
        MetricName: 'system.network.io',
        Value: 10,
        IsMonotonic: true,
        AggregationTemporality: 2,
      },
    ]);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('lists a service that sends only logs or only metrics, with what it sent', async () => {
    const services = await list();
    expect(services.map((service) => service.name)).toEqual(['api', 'cron', 'node-exporter']);
    const [api, cron, exporter] = services;
    expect(api).toMatchObject({ signals: ['traces', 'logs'], requests: 1, logRecords: 1 });
    expect(cron).toMatchObject({
      signals: ['logs'],
      spans: 0,
      requests: 0,
      errorRatio: null,
      logRecords: 2,
      logErrors: 1,
      metrics: 0,
      environments: ['staging'],
      status: 'learning',
    });
    expect(exporter).toMatchObject({
      signals: ['metrics'],
      spans: 0,
      metrics: 2,
      logRecords: 0,
      environments: ['prod'],
    });
  });

  it('keeps to the environment asked for and to the time range, on every signal', async () => {
    expect((await list('since=15m&environment=prod')).map((service) => service.name)).toEqual([
      'api',
      'node-exporter',
    ]);
    expect((await list('since=15m&environment=staging')).map((service) => service.name)).toEqual([
      'cron',
    ]);
    expect(await list('from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z')).toEqual([]);
  });
});
