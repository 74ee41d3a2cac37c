import type { ClickHouseClient } from '@clickhouse/client';
import type { MetricPoint, MetricSeriesQuery } from './metrics.ts';

/**
 * Instances per service and metric read at most: the state a detector keeps stays bounded.
 * Past it, the others are seen only in the service's figure (see readInstanceMetricSeries).
 */
export const MAX_INSTANCES = 20;

/**
 * An instance that reported within this long before the end of what is read counts as
 * alive: one gone for longer is forgotten by the detector (its RETIRED_INSTANCE_MS).
 */
const ALIVE_MS = 3_600_000;

/** The resource attribute that tells one instance of a service from another. */
export const INSTANCE_ATTRIBUTE = 'service.instance.id';

const RANGE = `ServiceName IN {services:Array(String)} AND MetricName IN {metrics:Array(String)}
  AND TimeUnix >= fromUnixTimestamp64Milli({from:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})
  AND ResourceAttributes['${INSTANCE_ATTRIBUTE}'] != ''`;
const STEP = 'toUnixTimestamp(toStartOfInterval(TimeUnix, toIntervalSecond({step:UInt32})))';

/**
 * A gauge's mean, or a non-monotonic sum's total over its series, per step for each
 * instance (`service.instance.id`) of each service: memory, CPU utilisation and queue
 * depth are properties of an instance, and one leaking instance among several hardly
 * moves the service's figure. Counters and histograms are read per service only.
 *
 * At most MAX_INSTANCES instances per service and metric: alive ones first (a first read
 * may span days of instances long replaced), then a fixed pseudo-random order (a hash of
 * the id), so that the same instances stay watched from one cycle to the next while they
 * live, and a restart's new id takes a place only by its hash. Past the cap, the others are
 * watched only through the service's figure. service → metric → instance → points, oldest first.
 */
export async function readInstanceMetricSeries(
  client: ClickHouseClient,
  query: MetricSeriesQuery,
): Promise<Map<string, Map<string, Map<string, MetricPoint[]>>>> {
  const byService = new Map<string, Map<string, Map<string, MetricPoint[]>>>();
  if (query.metrics.length === 0 || query.services.length === 0) return byService;
  const result = await client.query({
    query: `SELECT service, metric, instance, t, value FROM (
  SELECT ServiceName AS service, MetricName AS metric, ResourceAttributes['${INSTANCE_ATTRIBUTE}'] AS instance,
    ${STEP} AS t, avg(Value) AS value
  FROM otel_metrics_gauge WHERE ${RANGE}
  GROUP BY service, metric, instance, t
  UNION ALL
  SELECT service, metric, instance, t, sum(last) AS value FROM (
    SELECT ServiceName AS service, MetricName AS metric, ResourceAttributes['${INSTANCE_ATTRIBUTE}'] AS instance,
      cityHash64(Attributes) AS series, ${STEP} AS t, argMax(Value, TimeUnix) AS last
    FROM otel_metrics_sum WHERE ${RANGE} AND NOT IsMonotonic
    GROUP BY service, metric, instance, series, t
  )
  GROUP BY service, metric, instance, t
)
WHERE (service, metric, instance) IN (
  SELECT service, metric, instance FROM (
    SELECT ServiceName AS service, MetricName AS metric, ResourceAttributes['${INSTANCE_ATTRIBUTE}'] AS instance, max(TimeUnix) AS seen
    FROM merge(currentDatabase(), '^otel_metrics_(gauge|sum)$') WHERE ${RANGE}
    GROUP BY service, metric, instance
    ORDER BY seen >= fromUnixTimestamp64Milli({alive:Int64}) DESC, cityHash64(instance), instance
    LIMIT {limit:UInt32} BY service, metric
  )
)
ORDER BY t`,
    query_params: {
      services: query.services,
      metrics: query.metrics,
      from: query.fromMs,
      to: query.toMs,
      step: query.stepSeconds,
      limit: MAX_INSTANCES,
      alive: query.toMs - ALIVE_MS,
    },
    format: 'JSONEachRow',
  });
  type Row = { service: string; metric: string; instance: string; t: number; value: number };
  for (const row of await result.json<Row>()) {
    if (!Number.isFinite(row.value)) continue;
    const metrics = byService.get(row.service) ?? new Map<string, Map<string, MetricPoint[]>>();
    byService.set(row.service, metrics);
    const instances = metrics.get(row.metric) ?? new Map<string, MetricPoint[]>();
    metrics.set(row.metric, instances);
    const points = instances.get(row.instance) ?? [];
    instances.set(row.instance, points);
    points.push({ timeMs: row.t * 1000, value: row.value });
  }
  return byService;
}
