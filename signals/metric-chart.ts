import type { ClickHouseClient } from '@clickhouse/client';
import { METRIC_TABLES } from '../storage/index.ts';
import type { MetricAggregation, MetricKind, MetricShape } from './metric-kinds.ts';
import {
  combineSteps,
  contributions,
  type ChartPoint,
  type Contribution,
  type SeriesStepRow,
} from './metric-steps.ts';

/** Series × steps one chart may read: bounds the read and the work in JavaScript. */
export const MAX_SERIES_STEPS = 200_000;

export interface MetricChartQuery {
  name: string;
  service?: string | undefined;
  agg: MetricAggregation;
  /** Group by this attribute (data point attribute, else resource attribute). */
  by?: string | undefined;
  /** Most groups returned, the largest by mean value. */
  maxGroups: number;
  /** Whole steps: start of the first, end of the last (exclusive), ms. */
  firstMs: number;
  endMs: number;
  stepSeconds: number;
}

export interface MetricChart {
  points: ChartPoint[];
  groups?: Array<{ key: string; points: ChartPoint[] }>;
  /** Series × steps read. */
  rows: number;
}

/** Too many series × steps for one chart. */
export class ChartTooLargeError extends Error {}

const TABLE_OF: Record<MetricKind, string> = {
  gauge: METRIC_TABLES.gauge.table,
  sum: METRIC_TABLES.sum.table,
  histogram: METRIC_TABLES.histogram.table,
  exponential_histogram: METRIC_TABLES.expHistogram.table,
  summary: METRIC_TABLES.summary.table,
};

const MS = (column: string) => `toUnixTimestamp64Milli(${column})`;
/** What each kind reads per series and step, besides the series, key and step. */
const COLUMNS: Record<MetricKind, string> = {
  gauge: 'avg(Value) AS last, 0 AS total, min(Value) AS min, max(Value) AS max',
  sum: `argMax(Value, TimeUnix) AS last, sum(Value) AS total, any(AggregationTemporality) AS temporality,
  ${MS('argMax(StartTimeUnix, TimeUnix)')} AS startMs`,
  // Bounds are read apart, once (see readMetricChart).
  histogram: `any(AggregationTemporality) AS temporality, ${MS('argMax(StartTimeUnix, TimeUnix)')} AS startMs,
  -- Both branches of an if are computed: the If combinators keep each to its own points.
  if(temporality = 2, argMaxIf(BucketCounts, TimeUnix, AggregationTemporality = 2),
    sumForEachIf(BucketCounts, AggregationTemporality != 2)) AS counts,
  if(temporality = 2, argMax(Count, TimeUnix), sum(Count)) AS count,
  if(temporality = 2, argMax(Sum, TimeUnix), sum(Sum)) AS sum,
  ${rangeColumns()}`,
  exponential_histogram: `any(AggregationTemporality) AS temporality, ${MS('argMax(StartTimeUnix, TimeUnix)')} AS startMs,
  if(temporality = 2, [argMax((Scale, ZeroCount, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts), TimeUnix)],
     groupArray(1000)((Scale, ZeroCount, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts))) AS exponential,
  if(temporality = 2, argMax(Count, TimeUnix), sum(Count)) AS count,
  if(temporality = 2, argMax(Sum, TimeUnix), sum(Sum)) AS sum,
  ${rangeColumns()}`,
  summary: `argMax(ValueAtQuantiles.Quantile, TimeUnix) AS quantiles, argMax(ValueAtQuantiles.Value, TimeUnix) AS values`,
};

/**
 * Min and Max are 0 when the sender did not record them (the exporter's columns are not
 * nullable): a point counts as ranged when either is not 0.
 */
function rangeColumns(): string {
  return `countIf(Min != 0 OR Max != 0) = count() AS ranged, minIf(Min, Min != 0 OR Max != 0) AS min,
  maxIf(Max, Min != 0 OR Max != 0) AS max`;
}

/**
 * Explicit-bucket histograms are differenced per series and merged per group and step
 * in the engine: bucket arrays of every series and step would cost more to send and
 * parse than to add up (a day at 1-min steps of 5 series sent 7,200 rows of arrays and
 * took 1.1 s; merged, 1,440 rows, 0.2-0.4 s on a loaded host: see docs/logs-and-metrics.md).
 * The result reads as delta rows, one per group and step; series of one metric are
 * assumed to share their bounds (the SDKs' views give every series the same), which are
 * read once, apart.
 */
function mergedHistogramSql(perSeries: string): string {
  return `SELECT '' AS series, key, t, 1 AS temporality, 0 AS startMs,
  sumForEach(added) AS counts, sum(addedCount) AS count, sum(addedSum) AS sum,
  min(seriesRanged) AS ranged, minIf(seriesMin, seriesRanged) AS min, maxIf(seriesMax, seriesRanged) AS max
FROM (
  SELECT key, t, ranged AS seriesRanged, min AS seriesMin, max AS seriesMax, temporality,
    lagInFrame(toInt64(count), 1, -1) OVER w AS previousCount,
    lagInFrame(counts, 1, []) OVER w AS previousCounts,
    lagInFrame(sum, 1, 0) OVER w AS previousSum,
    lagInFrame(startMs, 1, 0) OVER w AS previousStart,
    -- A new start time, a drop or other buckets: the series restarted; count from zero.
    startMs != previousStart OR toInt64(count) < previousCount OR length(counts) != length(previousCounts) AS reset,
    if(temporality != 2 OR reset, counts,
      arrayMap((now, before) -> toUInt64(if(now >= before, now - before, 0)), counts, previousCounts)) AS added,
    if(temporality != 2 OR reset, toInt64(count), toInt64(count) - previousCount) AS addedCount,
    if(temporality != 2 OR reset, sum, sum - previousSum) AS addedSum
  FROM (${perSeries})
  WINDOW w AS (PARTITION BY series ORDER BY t ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
)
-- The first step read of a cumulative series only gives the next one its start.
WHERE temporality != 2 OR previousCount >= 0
GROUP BY key, t`;
}

interface RawRow {
  series: string;
  key: string;
  t: number;
  temporality?: number;
  startMs?: string | number;
  last?: number;
  total?: number;
  min?: number;
  max?: number;
  ranged?: number | boolean;
  counts?: Array<string | number>;
  count?: string | number;
  sum?: number;
  exponential?: Array<
    [number, string | number, number, Array<string | number>, number, Array<string | number>]
  >;
  quantiles?: number[];
  values?: number[];
}

/**
 * One metric per step (and per `by` group), read per series and step in one query, then
 * differenced and combined (see metric-steps.ts). A cumulative metric is read from one
 * step before the first so that the first step has a rate.
 */
export async function readMetricChart(
  client: ClickHouseClient,
  /** With a histogram's bounds when already read (`findMetric`), else read here. */
  shape: MetricShape & { bounds?: number[] | undefined },
  query: MetricChartQuery,
): Promise<MetricChart> {
  const stepMs = query.stepSeconds * 1000;
  const key =
    query.by === undefined
      ? "''"
      : 'if(mapContains(Attributes, {by:String}), Attributes[{by:String}], ResourceAttributes[{by:String}])';
  const perSeries = `SELECT toString(cityHash64(Attributes, ResourceAttributes)) AS series, ${key} AS key,
  toUnixTimestamp(toStartOfInterval(TimeUnix, toIntervalSecond({step:UInt32}))) AS t,
  ${COLUMNS[shape.type]}
FROM ${TABLE_OF[shape.type]}
WHERE MetricName = {name:String}${query.service === undefined ? '' : ' AND ServiceName = {service:String}'}
  AND TimeUnix >= fromUnixTimestamp64Milli({from:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})
GROUP BY series, key, t`;
  const result = await client.query({
    query: `${shape.type === 'histogram' ? mergedHistogramSql(perSeries) : perSeries}
LIMIT {rows:UInt32}`,
    query_params: {
      name: query.name,
      step: query.stepSeconds,
      from: query.firstMs - stepMs,
      to: query.endMs,
      rows: MAX_SERIES_STEPS + 1,
      ...(query.by === undefined ? {} : { by: query.by }),
      ...(query.service === undefined ? {} : { service: query.service }),
    },
    format: 'JSONEachRow',
    clickhouse_settings: {
      // Counts as JSON numbers, not quoted 64-bit strings: exact far beyond any real count.
      output_format_json_quote_64bit_integers: 0,
      // The engine compiles a query's expressions, aggregates and sort with LLVM once it has
      // run three times: that third chart took 100-150 ms of CPU more (24 h at 1 min: 190-256
      // ms instead of 45-65), once per process and query shape, and later ones ran no faster
      // (bench:ui, docs/logs-and-metrics.md). A chart is read a few at a time, by a person.
      compile_expressions: 0,
      compile_aggregate_expressions: 0,
      compile_sort_description: 0,
    },
  });
  const [raw, bounds] = await Promise.all([
    result.json<RawRow>(),
    shape.type !== 'histogram'
      ? Promise.resolve(undefined)
      : (shape.bounds ?? histogramBounds(client, query)),
  ]);
  if (raw.length > MAX_SERIES_STEPS) {
    throw new ChartTooLargeError(
      `more than ${MAX_SERIES_STEPS} series × steps; narrow with service, a shorter range or a larger step`,
    );
  }
  // Histogram rows come differenced and merged per group and step: each is a part as is.
  const parts =
    shape.type === 'histogram'
      ? raw.map((row) => mergedHistogramPart(row, bounds ?? []))
      : contributions(raw.map(toStepRow), shape);
  const grid = { firstMs: query.firstMs, endMs: query.endMs, stepSeconds: query.stepSeconds };
  const points = combineSteps(parts, shape, query.agg, grid);
  if (query.by === undefined) return { points, rows: raw.length };
  const byKey = new Map<string, typeof parts>();
  for (const part of parts) {
    const list = byKey.get(part.key);
    if (list) list.push(part);
    else byKey.set(part.key, [part]);
  }
  const groups = [...byKey].map(([groupKey, list]) => {
    const groupPoints = combineSteps(list, shape, query.agg, grid);
    const values = groupPoints.flatMap((point) => (point.value === null ? [] : [point.value]));
    const mean =
      values.length === 0 ? -Infinity : values.reduce((a, b) => a + b, 0) / values.length;
    return { key: groupKey, points: groupPoints, mean };
  });
  groups.sort((a, b) => b.mean - a.mean || a.key.localeCompare(b.key));
  return {
    points,
    groups: groups
      .slice(0, query.maxGroups)
      .map(({ key: groupKey, points: p }) => ({ key: groupKey, points: p })),
    rows: raw.length,
  };
}

function mergedHistogramPart(row: RawRow, bounds: number[]): Contribution {
  const ranged = Boolean(Number(row.ranged));
  return {
    key: row.key,
    t: row.t * 1000,
    min: ranged ? Number(row.min) : undefined,
    max: ranged ? Number(row.max) : undefined,
    counts: (row.counts ?? []).map(Number),
    bounds,
    count: Number(row.count ?? 0),
    sum: Number(row.sum ?? 0),
  };
}

function toStepRow(row: RawRow): SeriesStepRow {
  const ranged = row.ranged === undefined ? true : Boolean(Number(row.ranged));
  return {
    series: row.series,
    key: row.key,
    t: row.t * 1000,
    temporality: Number(row.temporality ?? 0),
    startMs: Number(row.startMs ?? 0),
    last: Number(row.last ?? 0),
    total: Number(row.total ?? 0),
    min: ranged && row.min !== undefined ? Number(row.min) : undefined,
    max: ranged && row.max !== undefined ? Number(row.max) : undefined,
    ...(row.count !== undefined ? { count: Number(row.count), sum: Number(row.sum ?? 0) } : {}),
    ...(row.exponential
      ? {
          exponential: row.exponential.map(([scale, zero, posOffset, pos, negOffset, neg]) => ({
            scale: Number(scale),
            zeroCount: Number(zero),
            positive: { offset: Number(posOffset), counts: pos.map(Number) },
            negative: { offset: Number(negOffset), counts: neg.map(Number) },
          })),
        }
      : {}),
    ...(row.quantiles ? { quantiles: row.quantiles, values: row.values ?? [] } : {}),
  };
}

/** The bounds of a histogram's newest point in the range. */
async function histogramBounds(
  client: ClickHouseClient,
  query: MetricChartQuery,
): Promise<number[]> {
  const result = await client.query({
    query: `SELECT argMax(ExplicitBounds, TimeUnix) AS bounds FROM ${TABLE_OF.histogram}
WHERE MetricName = {name:String}${query.service === undefined ? '' : ' AND ServiceName = {service:String}'}
  AND TimeUnix >= fromUnixTimestamp64Milli({from:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})`,
    query_params: {
      name: query.name,
      from: query.firstMs - query.stepSeconds * 1000,
      to: query.endMs,
      ...(query.service === undefined ? {} : { service: query.service }),
    },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ bounds: number[] }>();
  return row?.bounds ?? [];
}
