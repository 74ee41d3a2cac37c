import type { ClickHouseClient } from '@clickhouse/client';
import { METRIC_TABLES } from '../storage/index.ts';
import type { MetricKind, MetricShape } from './metric-kinds.ts';

/** Most metrics one catalog lists; attribute keys listed per metric. */
export const MAX_CATALOG_METRICS = 2_000;
const MAX_ATTRIBUTE_KEYS = 50;

export interface MetricDescription extends MetricShape {
  name: string;
  unit: string;
  description: string;
  /** Data point attribute keys seen in the range (at most 50), sorted. */
  attributeKeys: string[];
  /** Sums and histograms: how points add up; null for gauges and summaries. */
  temporality: 'delta' | 'cumulative' | null;
  /** Services that sent it in the range (at most 20). */
  services: string[];
}

/** A metric's kind, unit and, for explicit-bucket histograms, the bounds of its newest point. */
export interface FoundMetric extends MetricShape {
  name: string;
  unit: string;
  temporality: 'delta' | 'cumulative' | null;
  /** Histograms: the bounds of the newest point in the range; empty for other kinds. */
  bounds: number[];
}

const KINDS: Array<[MetricKind, string, string]> = [
  ['gauge', METRIC_TABLES.gauge.table, 'false'],
  ['sum', METRIC_TABLES.sum.table, 'any(IsMonotonic)'],
  ['histogram', METRIC_TABLES.histogram.table, 'false'],
  ['exponential_histogram', METRIC_TABLES.expHistogram.table, 'false'],
  ['summary', METRIC_TABLES.summary.table, 'false'],
];

/**
 * Every metric with points in the range (of one service, or all), with its kind, unit,
 * description and attribute keys: one scan of each metric table's key columns.
 */
export async function listMetrics(
  client: ClickHouseClient,
  query: MetricFilter,
): Promise<MetricDescription[]> {
  const selects = kindSelects(
    query,
    () => `anyIf(MetricDescription, MetricDescription != '') AS description,
  arraySort(groupUniqArrayArray(${MAX_ATTRIBUTE_KEYS})(mapKeys(Attributes))) AS attributeKeys,
  arraySort(groupUniqArray(20)(ServiceName)) AS services`,
  );
  const result = await client.query({
    query: `SELECT * FROM (${selects})
ORDER BY name, type
LIMIT {limit:UInt32}`,
    query_params: {
      from: query.fromMs,
      to: query.toMs,
      limit: MAX_CATALOG_METRICS,
      ...(query.service === undefined ? {} : { service: query.service }),
      ...(query.name === undefined ? {} : { name: query.name }),
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<
    ShapeRow & {
      description: string;
      attributeKeys: string[];
      services: string[];
    }
  >();
  return rows.map((row) => ({
    ...shapeOf(row),
    description: row.description,
    attributeKeys: row.attributeKeys,
    services: row.services,
  }));
}

/**
 * One metric's kind and unit, and a histogram's bounds, for charting it: the catalog's
 * scan without the attribute keys and services, whose map reads cost a chart more than
 * its own query (see docs/logs-and-metrics.md). Undefined when it has no point in the range.
 */
export async function findMetric(
  client: ClickHouseClient,
  query: { service?: string | undefined; name: string; fromMs: number; toMs: number },
): Promise<FoundMetric | undefined> {
  const selects = kindSelects(query, (kind) =>
    kind === 'histogram'
      ? 'argMax(ExplicitBounds, TimeUnix) AS bounds'
      : "CAST([], 'Array(Float64)') AS bounds",
  );
  const result = await client.query({
    query: `SELECT * FROM (${selects})
ORDER BY type
LIMIT 1`,
    query_params: {
      from: query.fromMs,
      to: query.toMs,
      name: query.name,
      ...(query.service === undefined ? {} : { service: query.service }),
    },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<ShapeRow & { bounds: number[] }>();
  return row ? { ...shapeOf(row), bounds: row.bounds } : undefined;
}

interface ShapeRow {
  name: string;
  type: MetricKind;
  monotonic: boolean | number;
  temporality: number;
  unit: string;
}

function shapeOf(row: ShapeRow): Omit<FoundMetric, 'bounds'> {
  return {
    name: row.name,
    type: row.type,
    monotonic: Boolean(Number(row.monotonic)),
    temporality:
      row.type === 'gauge' || row.type === 'summary'
        ? null
        : Number(row.temporality) === 1
          ? 'delta'
          : 'cumulative',
    unit: row.unit,
  };
}

/** One SELECT per metric table, by metric name, with its shape and `columns`, in a UNION ALL. */
function kindSelects(query: MetricFilter, columns: (kind: MetricKind) => string): string {
  const filter = filterOf(query);
  return KINDS.map(
    ([
      kind,
      table,
      monotonic,
    ]) => `SELECT MetricName AS name, '${kind}' AS type, ${monotonic} AS monotonic,
  ${kind === 'gauge' || kind === 'summary' ? '0' : 'any(AggregationTemporality)'} AS temporality,
  anyIf(MetricUnit, MetricUnit != '') AS unit, ${columns(kind)}
FROM ${table} WHERE ${filter}
GROUP BY MetricName`,
  ).join('\nUNION ALL\n');
}

interface MetricFilter {
  service?: string | undefined;
  name?: string | undefined;
  fromMs: number;
  toMs: number;
}

function filterOf(query: MetricFilter): string {
  return `TimeUnix >= fromUnixTimestamp64Milli({from:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})${
    query.service === undefined ? '' : ' AND ServiceName = {service:String}'
  }${query.name === undefined ? '' : ' AND MetricName = {name:String}'}`;
}
