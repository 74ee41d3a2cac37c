import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { bucketQuantile } from '../signals/index.ts';
import {
  ALERTS_TABLE,
  LATENCY_BUCKET_BOUNDS_NS,
  SERVICE_EDGES_10M_TABLE,
  SERVICE_EDGES_HOURLY_TABLE,
  SERVICE_EDGES_TABLE,
} from '../storage/index.ts';
import { mapGrains, type Interval } from './service-map-grains.ts';
import { parseTimeRange, type TimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

const CALLEE_KINDS = ['service', 'database', 'queue', 'external'] as const;

export const ServiceMapQuery = z.strictObject({
  since: z.string().optional().describe('A duration back from now (default 1h).'),
  from: z.string().optional(),
  to: z.string().optional(),
});

const Numbers = {
  requests: z.number().int().describe('Calls in the range.'),
  errorRatio: z.number().describe('Failed share of those calls (0–1).'),
  p95Ms: z
    .number()
    .describe(
      '95th percentile latency, ms, read from log-scale buckets: within 19% of the exact value.',
    ),
};

export const ServiceMap = z.object({
  nodes: z.array(
    z.object({
      service: z.string(),
      kind: z
        .enum(CALLEE_KINDS)
        .describe('service: sends its own telemetry; the others are named by their callers.'),
      ...Numbers,
      openAlerts: z.number().int(),
    }),
  ),
  edges: z.array(z.object({ from: z.string(), to: z.string(), ...Numbers })),
  truncated: z.boolean().describe('True when more than 5,000 nodes or 20,000 edges were cut.'),
});
type ServiceMap = z.infer<typeof ServiceMap>;
type MapNode = ServiceMap['nodes'][number];

const MAX_NODES = 5_000;
const MAX_EDGES = 20_000;

interface CallRow {
  from: string;
  to: string;
  kind: string;
  requests: string | number;
  errors: string | number;
  /** Counts per latency bucket (LATENCY_BUCKET_BOUNDS_NS), summed over the range. */
  buckets: Array<string | number>;
}

/**
 * Calls in the range, summed per caller and callee (a service's row to itself carries its
 * own requests), from the coarsest rollup rows that cover it; the busiest first.
 */
async function readCalls(
  client: ClickHouseClient,
  range: TimeRange,
  nowMs: number,
): Promise<CallRow[]> {
  const grains = mapGrains(range, nowMs);
  const columns = 'Caller, Callee, CalleeKind, Requests, Errors, LatencyBuckets';
  const params: Record<string, number> = {};
  const within = (column: string, name: string, intervals: readonly Interval[]) =>
    intervals
      .map(({ from, to }, index) => {
        params[`${name}${index}from`] = from;
        params[`${name}${index}to`] = to;
        return `(${column} >= toDateTime({${name}${index}from:UInt32}) AND ${column} < toDateTime({${name}${index}to:UInt32}))`;
      })
      .join(' OR ');
  const result = await client.query({
    query: `SELECT Caller AS from, Callee AS to, any(CalleeKind) AS kind,
  sum(Requests) AS requests, sum(Errors) AS errors, sumForEach(LatencyBuckets) AS buckets,
  from = to AS own
FROM (
  SELECT ${columns} FROM ${SERVICE_EDGES_HOURLY_TABLE} FINAL
  WHERE ${within('Start', 'hour', [grains.hours])}
  UNION ALL
  SELECT ${columns} FROM ${SERVICE_EDGES_10M_TABLE} FINAL
  WHERE ${within('Start', 'ten', grains.tenMinutes)}
  UNION ALL
  SELECT ${columns} FROM ${SERVICE_EDGES_TABLE} FINAL
  WHERE ${within('Minute', 'minute', grains.minutes)}
)
GROUP BY from, to
ORDER BY requests DESC
LIMIT {limit:UInt32} BY own`,
    query_params: { ...params, limit: Math.max(MAX_EDGES, MAX_NODES) + 1 },
    format: 'JSONEachRow',
  });
  return result.json<CallRow>();
}

async function readOpenAlerts(client: ClickHouseClient): Promise<Map<string, number>> {
  const result = await client.query({
    query: `SELECT service, count() AS open FROM ${ALERTS_TABLE} FINAL
WHERE status IN ('open', 'acknowledged')
GROUP BY service`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ service: string; open: string | number }>();
  return new Map(rows.map((row) => [row.service, Number(row.open)]));
}

/** p95 of summed bucket counts, ms to the µs; 0 without latency (minutes rolled up before it). */
function p95Ms(buckets: ReadonlyArray<string | number>): number {
  const reading = bucketQuantile(buckets.map(Number), LATENCY_BUCKET_BOUNDS_NS, 0.95);
  return Math.round((reading?.value ?? 0) / 1e3) / 1e3;
}
const ratio = (errors: number, requests: number) => (requests > 0 ? errors / requests : 0);

/**
 * `GET /v1/service-map`: services and what they call in a time range, from the call rollups
 * (a minute appears once it has closed and the rollup refreshed: up to ~2 min; whole
 * settled hours and 10 minutes come from the coarser rollups). p95 is read from log-scale buckets: within 19% of the truth.
 */
export function registerServiceMapRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/service-map', async (c) => {
    const query = parseWith(ServiceMapQuery, c.req.query(), 'query');
    const nowMs = options.now();
    const range = parseTimeRange(query, nowMs, '1h');
    const [rows, openAlerts] = await Promise.all([
      readCalls(options.client, range, nowMs),
      readOpenAlerts(options.client),
    ]);
    const serviceRows = rows.filter((row) => row.from === row.to);
    const edgeRows = rows.filter((row) => row.from !== row.to);
    const truncated = edgeRows.length > MAX_EDGES || serviceRows.length > MAX_NODES;
    const nodes = new Map<string, MapNode>();
    for (const row of serviceRows.slice(0, MAX_NODES)) {
      const requests = Number(row.requests);
      nodes.set(row.from, {
        service: row.from,
        kind: 'service',
        requests,
        errorRatio: ratio(Number(row.errors), requests),
        p95Ms: p95Ms(row.buckets),
        openAlerts: openAlerts.get(row.from) ?? 0,
      });
    }
    const edges: ServiceMap['edges'] = [];
    const callees = new Map<string, { errors: number }>();
    const ensure = (name: string, kind: MapNode['kind']): MapNode => {
      let node = nodes.get(name);
      if (!node) {
        node = {
          service: name,
          kind,
          requests: 0,
          errorRatio: 0,
          p95Ms: 0,
          openAlerts: openAlerts.get(name) ?? 0,
        };
        nodes.set(name, node);
      }
      return node;
    };
    for (const row of edgeRows.slice(0, MAX_EDGES)) {
      const requests = Number(row.requests);
      const errors = Number(row.errors);
      const edgeP95Ms = p95Ms(row.buckets);
      edges.push({
        from: row.from,
        to: row.to,
        requests,
        errorRatio: ratio(errors, requests),
        p95Ms: edgeP95Ms,
      });
      ensure(row.from, 'service');
      const kind = CALLEE_KINDS.find((k) => k === row.kind) ?? 'external';
      const callee = ensure(row.to, kind);
      if (callee.kind === 'service') continue;
      // A callee that reports nothing itself: its numbers are what its callers saw, summed.
      const seen = callees.get(row.to) ?? { errors: 0 };
      seen.errors += errors;
      callees.set(row.to, seen);
      callee.requests += requests;
      callee.errorRatio = ratio(seen.errors, callee.requests);
      callee.p95Ms = Math.max(callee.p95Ms, edgeP95Ms);
    }
    return c.json({ nodes: [...nodes.values()], edges, truncated } satisfies ServiceMap);
  });
}
