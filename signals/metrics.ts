import type { ClickHouseClient } from '@clickhouse/client';
import { bucketQuantile } from './quantiles.ts';

/** Metrics watched unless configured otherwise: request duration, CPU, memory, queues. */
export const DEFAULT_WATCHED_METRICS = [
  'http.server.request.duration',
  'process.cpu.utilization',
  'system.cpu.utilization',
  'process.memory.usage',
  'system.memory.utilization',
  'messaging.queue.depth',
] as const;

/** Signals of watched metrics are named after the metric, under this prefix. */
export const METRIC_SIGNAL_PREFIX = 'metric:';

export interface MetricPoint {
  /** Start of the step, ms since the epoch. */
  timeMs: number;
  value: number;
  /** A histogram quantile in the open top bucket without a recorded max: at least `value`. */
  lowerBound?: true;
}

export interface MetricSeriesQuery {
  services: readonly string[];
  metrics: readonly string[];
  fromMs: number;
  toMs: number;
  /** Step length, seconds. */
  stepSeconds: number;
  /**
   * Keep histogram steps whose p95 is only a lower bound (marked `lowerBound`). Off by
   * default: the detector must not learn or alert on a value it cannot know.
   */
  withLowerBounds?: boolean;
}

const RANGE = `ServiceName IN {services:Array(String)} AND MetricName IN {metrics:Array(String)}
  AND TimeUnix >= fromUnixTimestamp64Milli({from:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})`;
const STEP = 'toUnixTimestamp(toStartOfInterval(TimeUnix, toIntervalSecond({step:UInt32})))';
/** One series of a metric: its attributes and its resource's. */
const SERIES = 'cityHash64(Attributes, ResourceAttributes)';

/**
 * One value per step for each watched metric of each service, whatever its kind: a gauge's
 * mean; a monotonic sum's rate per second (delta points summed, cumulative points
 * differenced per series, a reset counted from zero); a non-monotonic sum's total over
 * its series; a histogram's 95th percentile, interpolated in the merged buckets of the
 * step and narrowed to the points' min and max (cumulative histograms differenced per
 * series; see `bucketQuantile`). A step without points is absent;
 * the first step of a cumulative series has no rate and is absent too.
 */
export async function readMetricSeries(
  client: ClickHouseClient,
  query: MetricSeriesQuery,
): Promise<Map<string, Map<string, MetricPoint[]>>> {
  const byService = new Map(
    query.services.map((service) => [
      service,
      new Map<string, MetricPoint[]>(query.metrics.map((metric) => [metric, []])),
    ]),
  );
  if (query.metrics.length === 0 || query.services.length === 0) return byService;
  const params = {
    services: query.services,
    metrics: query.metrics,
    from: query.fromMs,
    to: query.toMs,
    step: query.stepSeconds,
  };
  const [scalars, histograms] = await Promise.all([
    client.query({ query: SCALAR_SQL, query_params: params, format: 'JSONEachRow' }),
    client.query({ query: HISTOGRAM_SQL, query_params: params, format: 'JSONEachRow' }),
  ]);
  type Point = { service: string; metric: string; t: number; value: number; lowerBound?: true };
  const points: Point[] = await scalars.json<Point>();
  for (const row of await histograms.json<{
    service: string;
    metric: string;
    t: number;
    counts: Array<string | number>;
    bounds: number[];
    ranged: number | boolean;
    min: number;
    max: number;
  }>()) {
    const observed = Number(row.ranged) ? { min: row.min, max: row.max } : {};
    const reading = bucketQuantile(row.counts.map(Number), row.bounds, 0.95, observed);
    if (reading === null || (reading.lowerBound && !query.withLowerBounds)) continue;
    points.push({
      service: row.service,
      metric: row.metric,
      t: row.t,
      value: reading.value,
      ...(reading.lowerBound ? { lowerBound: true as const } : {}),
    });
  }
  points.sort((a, b) => a.t - b.t);
  for (const point of points) {
    if (Number.isFinite(point.value)) {
      byService
        .get(point.service)
        ?.get(point.metric)
        ?.push({
          timeMs: point.t * 1000,
          value: point.value,
          ...(point.lowerBound ? { lowerBound: true as const } : {}),
        });
    }
  }
  return byService;
}

const SCALAR_SQL = `
SELECT ServiceName AS service, MetricName AS metric, ${STEP} AS t, avg(Value) AS value
FROM otel_metrics_gauge WHERE ${RANGE}
GROUP BY service, metric, t
UNION ALL
SELECT ServiceName AS service, MetricName AS metric, ${STEP} AS t, sum(Value) / {step:UInt32} AS value
FROM otel_metrics_sum WHERE ${RANGE} AND IsMonotonic AND AggregationTemporality = 1
GROUP BY service, metric, t
UNION ALL
SELECT service, metric, t, sum(increase) / {step:UInt32} AS value FROM (
  SELECT service, metric, t,
    lagInFrame(last, 1, -1) OVER (PARTITION BY service, metric, series ORDER BY t
      ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous,
    if(previous < 0, nan, if(last >= previous, last - previous, last)) AS increase
  FROM (
    SELECT ServiceName AS service, MetricName AS metric, ${SERIES} AS series, ${STEP} AS t, argMax(Value, TimeUnix) AS last
    FROM otel_metrics_sum WHERE ${RANGE} AND IsMonotonic AND AggregationTemporality = 2
    GROUP BY service, metric, series, t
  )
)
WHERE NOT isNaN(increase)
GROUP BY service, metric, t
UNION ALL
SELECT service, metric, t, sum(last) AS value FROM (
  SELECT ServiceName AS service, MetricName AS metric, ${SERIES} AS series, ${STEP} AS t, argMax(Value, TimeUnix) AS last
  FROM otel_metrics_sum WHERE ${RANGE} AND NOT IsMonotonic
  GROUP BY service, metric, series, t
)
GROUP BY service, metric, t`;

/**
 * Min and Max are 0 when the sender did not record them (the exporter's columns are not
 * nullable): a step is ranged when every point in it has either set.
 */
const RANGED = (min: string, max: string) =>
  `countIf(${min} != 0 OR ${max} != 0) = count() AS ranged,
  minIf(${min}, ${min} != 0 OR ${max} != 0) AS min, maxIf(${max}, ${min} != 0 OR ${max} != 0) AS max`;

const HISTOGRAM_SQL = `
SELECT ServiceName AS service, MetricName AS metric, ${STEP} AS t, sumForEach(BucketCounts) AS counts, any(ExplicitBounds) AS bounds,
  ${RANGED('Min', 'Max')}
FROM otel_metrics_histogram WHERE ${RANGE} AND AggregationTemporality = 1
GROUP BY service, metric, t
UNION ALL
SELECT service, metric, t,
  sumForEach(arrayMap((now, before) -> if(now >= before, toUInt64(now - before), now), last, previous)) AS counts,
  any(bounds) AS bounds,
  -- A cumulative point's min and max cover its whole start-to-now span, so they bound the step too.
  ${RANGED('lastMin', 'lastMax')}
FROM (
  SELECT service, metric, t, bounds, last, lastMin, lastMax,
    lagInFrame(last, 1, []) OVER (PARTITION BY service, metric, series ORDER BY t
      ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous
  FROM (
    SELECT ServiceName AS service, MetricName AS metric, ${SERIES} AS series, ${STEP} AS t,
      argMax(BucketCounts, TimeUnix) AS last, argMax(ExplicitBounds, TimeUnix) AS bounds,
      argMax(Min, TimeUnix) AS lastMin, argMax(Max, TimeUnix) AS lastMax
    FROM otel_metrics_histogram WHERE ${RANGE} AND AggregationTemporality = 2
    GROUP BY service, metric, series, t
  )
)
WHERE length(previous) = length(last) AND length(last) > 0
GROUP BY service, metric, t`;
