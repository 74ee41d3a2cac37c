import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { RED_TABLE } from '../storage/index.ts';
import { parseTimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

export const OperationQuery = z.strictObject({
  since: z.string().optional().describe('A duration back from now (default 1h).'),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const OperationList = z.object({
  operations: z.array(
    z.object({
      name: z.string().describe('The span name of the entry spans.'),
      requests: z.number().int(),
      ratePerSecond: z.number(),
      errors: z.number().int(),
      errorRatio: z.number(),
      p50Ms: z.number(),
      p95Ms: z.number(),
      p99Ms: z.number(),
    }),
  ),
});
type OperationList = z.infer<typeof OperationList>;

/**
 * `GET /v1/services/:name/operations`: a service's busiest entry operations with their
 * rate, errors and latency quantiles, from the RED rollup.
 */
export function registerOperationRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/services/:name/operations', async (c) => {
    const query = parseWith(OperationQuery, c.req.query(), 'query');
    const range = parseTimeRange(query, options.now(), '1h');
    const result = await options.client.query({
      query: `SELECT Operation AS name, sum(Requests) AS requests, sum(Errors) AS errors,
  quantilesTDigestMerge(0.5, 0.95, 0.99)(Latency) AS q
FROM ${RED_TABLE}
WHERE ServiceName = {service:String} AND Operation != ''
  AND Bucket >= toDateTime(intDiv({from:Int64}, 1000)) AND Bucket < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY Operation
ORDER BY requests DESC, name
LIMIT {limit:UInt32}`,
      query_params: {
        service: c.req.param('name'),
        from: range.fromMs,
        to: range.toMs,
        limit: query.limit,
      },
      format: 'JSONEachRow',
    });
    const seconds = (range.toMs - range.fromMs) / 1000;
    const rows = await result.json<{
      name: string;
      requests: string | number;
      errors: string | number;
      q: number[];
    }>();
    return c.json({
      operations: rows.map((row) => {
        const requests = Number(row.requests);
        const errors = Number(row.errors);
        return {
          name: row.name,
          requests,
          ratePerSecond: Math.round((requests / seconds) * 1e4) / 1e4,
          errors,
          errorRatio: requests === 0 ? 0 : Math.round((errors / requests) * 1e4) / 1e4,
          p50Ms: nanosToMs(row.q[0]),
          p95Ms: nanosToMs(row.q[1]),
          p99Ms: nanosToMs(row.q[2]),
        };
      }),
    } satisfies OperationList);
  });
}

function nanosToMs(nanos: number | undefined): number {
  return Math.round((nanos ?? 0) / 1e3) / 1e3;
}
