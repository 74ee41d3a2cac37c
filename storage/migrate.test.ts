import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { createStorageClient } from './client.ts';
import { migrate } from './migrate.ts';

describe('migrations on embedded ClickHouse', () => {
  let client: ClickHouseClient;
  beforeAll(() => {
    client = createStorageClient({ dataDir: ':memory:' });
  });
  afterAll(async () => {
    await client.close();
  });

  async function columns(table: string): Promise<Record<string, string>> {
    const result = await client.query({
      query:
        'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String}',
      query_params: { table },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ name: string; type: string }>();
    return Object.fromEntries(rows.map((row) => [row.name, row.type]));
  }

  it('creates the exporter-compatible traces tables, then applies nothing on a second run', async () => {
    expect(await migrate(client, { retentionDays: 7 })).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
    ]);
    expect(await migrate(client, { retentionDays: 7 })).toEqual([]);
    const traces = await columns('otel_traces');
    expect(traces).toMatchObject({
      Timestamp: 'DateTime64(9)',
      TraceId: 'String',
      SpanName: 'LowCardinality(String)',
      ServiceName: 'LowCardinality(String)',
      ResourceAttributes: 'Map(LowCardinality(String), String)',
      SpanAttributes: 'Map(LowCardinality(String), String)',
      Duration: 'UInt64',
      StatusCode: 'LowCardinality(String)',
      'Events.Timestamp': 'Array(DateTime64(9))',
      'Events.Name': 'Array(LowCardinality(String))',
      'Links.TraceId': 'Array(String)',
      'Links.Attributes': 'Array(Map(LowCardinality(String), String))',
    });
    expect(await columns('otel_traces_trace_id_ts')).toEqual({
      TraceId: 'String',
      Start: 'SimpleAggregateFunction(min, DateTime)',
      End: 'SimpleAggregateFunction(max, DateTime)',
    });
  });

  it('creates the exporter-compatible logs and five metrics tables', async () => {
    expect(await columns('otel_logs')).toMatchObject({
      Timestamp: 'DateTime64(9)',
      TimestampTime: 'DateTime',
      TraceFlags: 'UInt8',
      SeverityText: 'LowCardinality(String)',
      SeverityNumber: 'UInt8',
      Body: 'String',
      LogAttributes: 'Map(LowCardinality(String), String)',
      ScopeVersion: 'LowCardinality(String)',
      EventName: 'String',
    });
    const shared = {
      ServiceName: 'LowCardinality(String)',
      MetricName: 'LowCardinality(String)',
      Attributes: 'Map(LowCardinality(String), String)',
      StartTimeUnix: 'DateTime64(9)',
      TimeUnix: 'DateTime64(9)',
      Flags: 'UInt32',
      ScopeDroppedAttrCount: 'UInt32',
    };
    const exemplars = {
      'Exemplars.FilteredAttributes': 'Array(Map(LowCardinality(String), String))',
      'Exemplars.TimeUnix': 'Array(DateTime64(9))',
      'Exemplars.Value': 'Array(Float64)',
      'Exemplars.SpanId': 'Array(String)',
      'Exemplars.TraceId': 'Array(String)',
    };
    expect(await columns('otel_metrics_gauge')).toMatchObject({
      ...shared,
      ...exemplars,
      Value: 'Float64',
    });
    expect(await columns('otel_metrics_sum')).toMatchObject({
      ...shared,
      ...exemplars,
      AggregationTemporality: 'Int32',
      IsMonotonic: 'Bool',
    });
    expect(await columns('otel_metrics_histogram')).toMatchObject({
      ...shared,
      ...exemplars,
      Count: 'UInt64',
      BucketCounts: 'Array(UInt64)',
      ExplicitBounds: 'Array(Float64)',
      Min: 'Float64',
    });
    expect(await columns('otel_metrics_exponential_histogram')).toMatchObject({
      ...shared,
      ...exemplars,
      Scale: 'Int32',
      ZeroCount: 'UInt64',
      PositiveOffset: 'Int32',
      NegativeBucketCounts: 'Array(UInt64)',
    });
    expect(await columns('otel_metrics_summary')).toMatchObject({
      ...shared,
      'ValueAtQuantiles.Quantile': 'Array(Float64)',
      'ValueAtQuantiles.Value': 'Array(Float64)',
    });
  });

  it('changes the TTL when the retention setting changes', async () => {
    await migrate(client, { retentionDays: 3 });
    const result = await client.query({
      query:
        "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'otel_traces'",
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ engine_full: string }>();
    expect(row?.engine_full).toContain('toIntervalDay(3)');
    await migrate(client, { retentionDays: 0 });
    const after = await client.query({
      query:
        "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'otel_traces'",
      format: 'JSONEachRow',
    });
    const [row2] = await after.json<{ engine_full: string }>();
    expect(row2?.engine_full).not.toContain('TTL');
  });

  it('fills the trace-id lookup table through its materialized view', async () => {
    await client.insert({
      table: 'otel_traces',
      values: [
        {
          Timestamp: '1700000000000000000',
          TraceId: 'ab'.repeat(16),
          ServiceName: 's',
          SpanName: 'a',
        },
        {
          Timestamp: '1700000060000000000',
          TraceId: 'ab'.repeat(16),
          ServiceName: 's',
          SpanName: 'b',
        },
      ],
      format: 'JSONEachRow',
    });
    const result = await client.query({
      query:
        'SELECT TraceId, toUnixTimestamp(min(Start)) AS s, toUnixTimestamp(max(End)) AS e FROM otel_traces_trace_id_ts GROUP BY TraceId',
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([
      { TraceId: 'ab'.repeat(16), s: 1700000000, e: 1700000060 },
    ]);
  });
});
