import type { ClickHouseClient } from '@clickhouse/client';
import { ENTRY_SPAN_SQL, ERROR_SPAN_SQL } from '../storage/index.ts';
import type { TimeRange } from './time-range.ts';

export interface ServiceSummary {
  name: string;
  spans: number;
  errorSpans: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * Per-service span counts, errors (semantic-convention rules) and latency quantiles
 * in a time range. Latency is measured on entry spans (server, consumer, roots), the
 * time callers wait; a service that has none is measured on all its spans.
 */
export async function listServices(
  client: ClickHouseClient,
  range: TimeRange,
): Promise<ServiceSummary[]> {
  const result = await client.query({
    query: `SELECT
  ServiceName AS name,
  count() AS spans,
  countIf(${ERROR_SPAN_SQL}) AS errorSpans,
  if(countIf(${ENTRY_SPAN_SQL}) > 0,
     quantilesIf(0.5, 0.95, 0.99)(Duration, ${ENTRY_SPAN_SQL}),
     quantiles(0.5, 0.95, 0.99)(Duration)) AS q
FROM otel_traces
WHERE Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})
  AND Timestamp < fromUnixTimestamp64Milli({toMs:Int64})
GROUP BY ServiceName
ORDER BY ServiceName`,
    query_params: { fromMs: range.fromMs, toMs: range.toMs },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{
    name: string;
    spans: string | number;
    errorSpans: string | number;
    q: number[];
  }>();
  return rows.map((row) => ({
    name: row.name,
    spans: Number(row.spans),
    errorSpans: Number(row.errorSpans),
    p50Ms: nanosToMs(row.q[0]),
    p95Ms: nanosToMs(row.q[1]),
    p99Ms: nanosToMs(row.q[2]),
  }));
}

function nanosToMs(nanos: number | undefined): number {
  return Math.round((nanos ?? 0) / 1e3) / 1e3;
}
