import { engine, onCluster, ttlClause, type SchemaOptions } from './schema.ts';

/** The service map's calls per hour, summed from the minute rollup. */
export const SERVICE_EDGES_HOURLY_TABLE = 'opsless_service_edges_1h';

/**
 * Latency buckets: (-inf, 10 µs], then four buckets per doubling up to 10 µs × 2^24 (about
 * 168 s), then one open bucket above. A bucket's upper edge is 2^(1/4) ≈ 1.19 times its
 * lower, so a quantile read inside one is within 19% of the true value (interpolation
 * usually does much better); 98 counts per row keep summing a day's rows cheap.
 */
const FIRST_BOUND_NS = 10_000;
const BUCKETS_PER_DOUBLING = 4;
const DOUBLINGS = 24;
export const LATENCY_BUCKET_COUNT = BUCKETS_PER_DOUBLING * DOUBLINGS + 2;

/** Upper edges of the latency buckets, ns, ascending; the last bucket has none (open). */
export const LATENCY_BUCKET_BOUNDS_NS: readonly number[] = Array.from(
  { length: LATENCY_BUCKET_COUNT - 1 },
  (_, index) => FIRST_BOUND_NS * 2 ** (index / BUCKETS_PER_DOUBLING),
);

/** The 0-based bucket of a duration in ns, as SQL (matches LATENCY_BUCKET_BOUNDS_NS). */
export function latencyBucketSql(durationNs: string): string {
  return `if(${durationNs} <= ${FIRST_BOUND_NS}, 0, least(${LATENCY_BUCKET_COUNT - 1},
    toUInt32(ceil(${BUCKETS_PER_DOUBLING} * log2(${durationNs} / ${FIRST_BOUND_NS})))))`;
}

/** How far back each hourly refresh looks for hours whose minutes changed. */
const RECHECKED_HOURS = 26;

/**
 * The hourly rollup: a refreshable view every 5 minutes rebuilds each closed hour whose
 * minute rows are newer than its hourly rows (the newest minute version an hour was built
 * from is its Version), so late minutes, a missed refresh or a restart heal within one
 * period; the migration builds every hour already rolled up once.
 */
export function serviceEdgesHourlyStatements(
  options: SchemaOptions,
  minuteTable: string,
): string[] {
  const cluster = onCluster(options);
  return [
    `CREATE TABLE IF NOT EXISTS ${SERVICE_EDGES_HOURLY_TABLE}${cluster} (
  Hour DateTime CODEC(Delta(4), ZSTD(1)),
  Caller LowCardinality(String),
  Callee LowCardinality(String),
  CalleeKind LowCardinality(String),
  Requests UInt64,
  Errors UInt64,
  LatencyBuckets Array(UInt64) CODEC(ZSTD(1)),
  Version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'Version')}
PARTITION BY toDate(Hour)
ORDER BY (Hour, Caller, Callee)${ttlClause(options, 'Hour')}
SETTINGS ttl_only_drop_parts = 1`,
    `INSERT INTO ${SERVICE_EDGES_HOURLY_TABLE} ${hourlySelect(minuteTable, 'toDateTime(0)')}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${SERVICE_EDGES_HOURLY_TABLE}_mv${cluster}
REFRESH EVERY 5 MINUTE OFFSET 30 SECOND APPEND
TO ${SERVICE_EDGES_HOURLY_TABLE}
AS ${hourlySelect(minuteTable, `toStartOfHour(now()) - INTERVAL ${RECHECKED_HOURS} HOUR`)}`,
  ];
}

function hourlySelect(minuteTable: string, since: string): string {
  const closed = `Minute >= ${since} AND Minute < toStartOfHour(now())`;
  return `SELECT toStartOfHour(Minute) AS Hour, Caller, Callee, any(CalleeKind) AS CalleeKind,
  sum(Requests) AS Requests, sum(Errors) AS Errors,
  sumForEach(LatencyBuckets) AS LatencyBuckets, max(Version) AS Version
FROM ${minuteTable} FINAL
WHERE ${closed} AND toStartOfHour(Minute) IN (
  SELECT Hour FROM (
    SELECT toStartOfHour(Minute) AS Hour, max(Version) AS Newest FROM ${minuteTable}
    WHERE ${closed} GROUP BY Hour
  ) AS minutes
  LEFT JOIN (
    SELECT Hour, max(Version) AS Built FROM ${SERVICE_EDGES_HOURLY_TABLE}
    WHERE Hour >= ${since} GROUP BY Hour
  ) AS hours USING (Hour)
  WHERE Newest > Built
)
GROUP BY Hour, Caller, Callee`;
}
