import type { ClickHouseClient } from '@clickhouse/client';
import { RED_TABLE } from '../storage/index.ts';
import type { SignalName } from './definitions.ts';

export interface StepValues {
  /** Start of the step, ms since the epoch. */
  timeMs: number;
  requests: number;
  values: Record<SignalName, number>;
}

export interface SeriesQuery {
  service: string;
  /** One operation (span name), or the whole service when absent. */
  operation?: string | undefined;
  fromMs: number;
  toMs: number;
  /** Step length, seconds; a multiple of the rollup's 10 s buckets. */
  stepSeconds: number;
}

/**
 * Every signal of a service (or one of its operations) per step, read from the
 * RED rollup. Steps without requests are absent: a rate of 0 is still a step
 * (rate 0), but it has no error ratio or latency.
 */
export async function readSeries(
  client: ClickHouseClient,
  query: SeriesQuery,
): Promise<StepValues[]> {
  const result = await client.query({
    query: `SELECT
  toUnixTimestamp(toStartOfInterval(Bucket, toIntervalSecond({step:UInt32}))) AS t,
  sum(Requests) AS requests,
  sum(Errors) AS errors,
  quantilesTDigestMerge(0.5, 0.95, 0.99)(Latency) AS q
FROM ${RED_TABLE}
WHERE ServiceName = {service:String}
  AND ({operation:String} = '' OR Operation = {operation:String})
  AND Bucket >= toDateTime(intDiv({from:Int64}, 1000)) AND Bucket < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY t
ORDER BY t`,
    query_params: {
      step: query.stepSeconds,
      service: query.service,
      operation: query.operation ?? '',
      from: query.fromMs,
      to: query.toMs,
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{
    t: number;
    requests: string | number;
    errors: string | number;
    q: number[];
  }>();
  return rows.map((row) => {
    const requests = Number(row.requests);
    return {
      timeMs: row.t * 1000,
      requests,
      values: {
        request_rate: requests / query.stepSeconds,
        error_ratio: requests === 0 ? 0 : Number(row.errors) / requests,
        latency_p50: (row.q[0] ?? 0) / 1e6,
        latency_p95: (row.q[1] ?? 0) / 1e6,
        latency_p99: (row.q[2] ?? 0) / 1e6,
      },
    };
  });
}
