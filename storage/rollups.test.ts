import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { createStorageClient } from './client.ts';
import { RED_TABLE, rollupStatements } from './rollups.ts';
import { migrations } from './schema.ts';

const span = (second: number, overrides: Record<string, unknown> = {}) => ({
  Timestamp: `${1_700_000_000 + second}000000000`,
  ServiceName: 'checkout',
  SpanName: 'GET /cart',
  SpanKind: 'Server',
  StatusCode: 'Unset',
  Duration: 10_000_000,
  ...overrides,
});

describe('RED rollup', () => {
  let client: ClickHouseClient;
  beforeAll(async () => {
    client = createStorageClient({ dataDir: ':memory:' });
    // The tables as they were before the rollup migration.
    for (const migration of migrations({ retentionDays: 0 }).filter((m) => m.version < 3)) {
      for (const statement of migration.statements) await client.command({ query: statement });
    }
  });
  afterAll(async () => {
    await client.close();
  });

  async function buckets() {
    const result = await client.query({
      query: `SELECT Operation, toUnixTimestamp(Bucket) AS t, sum(Requests) AS requests, sum(Errors) AS errors,
                     quantilesTDigestMerge(0.5, 0.95, 0.99)(Latency) AS q
              FROM ${RED_TABLE} GROUP BY Operation, t ORDER BY Operation, t`,
      format: 'JSONEachRow',
    });
    return result.json<{
      Operation: string;
      t: number;
      requests: string | number;
      errors: string | number;
      q: number[];
    }>();
  }

  it('rolls up spans stored before it existed, once, and new spans as they arrive', async () => {
    await client.insert({
      table: 'otel_traces',
      values: [span(1), span(2, { StatusCode: 'Error' })],
      format: 'JSONEachRow',
    });
    for (const statement of rollupStatements({ retentionDays: 0 }))
      await client.command({ query: statement });
    await client.insert({
      table: 'otel_traces',
      values: [
        span(3, { Duration: 30_000_000 }),
        span(12, { SpanAttributes: { 'http.response.status_code': '503' } }),
        span(13, { SpanKind: 'Internal', ParentSpanId: 'ab' }), // not an entry span
        span(14, { SpanName: 'POST /pay' }),
      ],
      format: 'JSONEachRow',
    });
    const rows = (await buckets()).map((row) => ({
      ...row,
      requests: Number(row.requests),
      errors: Number(row.errors),
    }));
    expect(
      rows.map(({ Operation, t, requests, errors }) => ({ Operation, t, requests, errors })),
    ).toEqual([
      { Operation: 'GET /cart', t: 1_700_000_000, requests: 3, errors: 1 },
      { Operation: 'GET /cart', t: 1_700_000_010, requests: 1, errors: 1 },
      { Operation: 'POST /pay', t: 1_700_000_010, requests: 1, errors: 0 },
    ]);
    expect(rows[0]!.q[2]).toBeGreaterThan(20_000_000);
  });
});
