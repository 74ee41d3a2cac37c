import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { ALERTS_TABLE, RED_TABLE, SERVICE_EDGES_TABLE } from '../storage/index.ts';
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
  p95Ms: z.number().describe('95th percentile latency, ms.'),
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

interface EdgeRow {
  from: string;
  to: string;
  kind: string;
  requests: string | number;
  errors: string | number;
  q: number[];
}

async function readEdges(client: ClickHouseClient, range: TimeRange): Promise<EdgeRow[]> {
  const result = await client.query({
    query: `SELECT Caller AS from, Callee AS to, any(CalleeKind) AS kind,
  sum(Requests) AS requests, sum(Errors) AS errors,
  quantilesTDigestMerge(0.5, 0.95, 0.99)(Latency) AS q
FROM ${SERVICE_EDGES_TABLE} FINAL
WHERE Minute >= toStartOfMinute(toDateTime(intDiv({from:Int64}, 1000)))
  AND Minute < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY from, to
ORDER BY requests DESC
LIMIT {limit:UInt32}`,
    query_params: { from: range.fromMs, to: range.toMs, limit: MAX_EDGES + 1 },
    format: 'JSONEachRow',
  });
  return result.json<EdgeRow>();
}

async function readServices(
  client: ClickHouseClient,
  range: TimeRange,
): Promise<
  Array<{ service: string; requests: string | number; errors: string | number; q: number[] }>
> {
  const result = await client.query({
    query: `SELECT ServiceName AS service, sum(Requests) AS requests, sum(Errors) AS errors,
  quantilesTDigestMerge(0.5, 0.95, 0.99)(Latency) AS q
FROM ${RED_TABLE}
WHERE Bucket >= toDateTime(intDiv({from:Int64}, 1000)) AND Bucket < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY service
ORDER BY requests DESC
LIMIT {limit:UInt32}`,
    query_params: { from: range.fromMs, to: range.toMs, limit: MAX_NODES + 1 },
    format: 'JSONEachRow',
  });
  return result.json();
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

const nanosToMs = (nanos: number | undefined) => Math.round((nanos ?? 0) / 1e3) / 1e3;
const ratio = (errors: number, requests: number) => (requests > 0 ? errors / requests : 0);

/**
 * `GET /v1/service-map`: services and what they call in a time range, from the per-minute
 * call rollup (a minute appears once it has closed and the rollup refreshed: up to ~2 min).
 */
export function registerServiceMapRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/service-map', async (c) => {
    const query = parseWith(ServiceMapQuery, c.req.query(), 'query');
    const range = parseTimeRange(query, options.now(), '1h');
    const [edgeRows, serviceRows, openAlerts] = await Promise.all([
      readEdges(options.client, range),
      readServices(options.client, range),
      readOpenAlerts(options.client),
    ]);
    const truncated = edgeRows.length > MAX_EDGES || serviceRows.length > MAX_NODES;
    const nodes = new Map<string, MapNode>();
    for (const row of serviceRows.slice(0, MAX_NODES)) {
      const requests = Number(row.requests);
      nodes.set(row.service, {
        service: row.service,
        kind: 'service',
        requests,
        errorRatio: ratio(Number(row.errors), requests),
        p95Ms: nanosToMs(row.q[1]),
        openAlerts: openAlerts.get(row.service) ?? 0,
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
      const p95Ms = nanosToMs(row.q[1]);
      edges.push({
        from: row.from,
        to: row.to,
        requests,
        errorRatio: ratio(errors, requests),
        p95Ms,
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
      callee.p95Ms = Math.max(callee.p95Ms, p95Ms);
    }
    return c.json({ nodes: [...nodes.values()], edges, truncated } satisfies ServiceMap);
  });
}
