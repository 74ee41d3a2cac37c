import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

/** The service map's calls per hour and per 10 minutes, summed from the minute rollup. */
export const SERVICE_EDGES_HOURLY_TABLE = 'opsless_service_edges_1h';
export const SERVICE_EDGES_10M_TABLE = 'opsless_service_edges_10m';

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

/**
 * Bucket counts without their trailing empty buckets: rows are summed element by element,
 * so a row of calls all under 1 s (bucket 67) costs two thirds of a full one.
 */
export function trimmedBucketsSql(counts: string): string {
  return `arrayResize(${counts}, arrayLastIndex(count -> count > 0, ${counts}))`;
}

/** The 0-based bucket of a duration in ns, as SQL (matches LATENCY_BUCKET_BOUNDS_NS). */
export function latencyBucketSql(durationNs: string): string {
  return `if(${durationNs} <= ${FIRST_BOUND_NS}, 0, least(${LATENCY_BUCKET_COUNT - 1},
    toUInt32(ceil(${BUCKETS_PER_DOUBLING} * log2(${durationNs} / ${FIRST_BOUND_NS})))))`;
}

/**
 * The coarser rollups: their row length, how often a refreshable view rebuilds each closed
 * row whose minute rows are newer than it (the newest minute version a row was built from
 * is its Version), and how far back each refresh looks, so late minutes, a missed refresh
 * or a restart heal within one period; the migration builds every row once.
 */
export const SERVICE_EDGES_GRAINS = [
  { table: SERVICE_EDGES_HOURLY_TABLE, minutes: 60, refreshMinutes: 5, recheckedMinutes: 26 * 60 },
  { table: SERVICE_EDGES_10M_TABLE, minutes: 10, refreshMinutes: 2, recheckedMinutes: 26 * 60 },
] as const;

/** The tables and views of the coarser rollups, each built from `minuteTable`. */
export function serviceEdgesGrainStatements(options: SchemaOptions, minuteTable: string): string[] {
  const cluster = onCluster(options);
  return SERVICE_EDGES_GRAINS.flatMap((grain) => [
    `CREATE TABLE IF NOT EXISTS ${grain.table}${cluster} (
  Start DateTime CODEC(Delta(4), ZSTD(1)),
  Caller LowCardinality(String),
  Callee LowCardinality(String),
  CalleeKind LowCardinality(String),
  Requests UInt64,
  Errors UInt64,
  LatencyBuckets Array(UInt64) CODEC(ZSTD(1)),
  Version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'Version')}
PARTITION BY toDate(Start)
ORDER BY (Start, Caller, Callee)${ttlClause(options, 'Start')}
SETTINGS ttl_only_drop_parts = 1`,
    `INSERT INTO ${grain.table} ${grainSelect(grain, minuteTable, 'toDateTime(0)')}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${grain.table}_mv${cluster}
REFRESH EVERY ${grain.refreshMinutes} MINUTE OFFSET 30 SECOND APPEND
TO ${grain.table}
AS ${grainSelect(grain, minuteTable, `toStartOfHour(now()) - INTERVAL ${grain.recheckedMinutes} MINUTE`)}`,
  ]);
}

function grainSelect(
  grain: { table: string; minutes: number },
  minuteTable: string,
  since: string,
): string {
  const start = (minute: string) =>
    `toStartOfInterval(${minute}, INTERVAL ${grain.minutes} MINUTE)`;
  const closed = `Minute >= ${since} AND Minute < ${start('now()')}`;
  return `SELECT ${start('Minute')} AS Start, Caller, Callee, any(CalleeKind) AS CalleeKind,
  sum(Requests) AS Requests, sum(Errors) AS Errors,
  ${trimmedBucketsSql('sumForEach(LatencyBuckets)')} AS LatencyBuckets, max(Version) AS Version
FROM ${minuteTable} FINAL
WHERE ${closed} AND ${start('Minute')} IN (
  SELECT Start FROM (
    SELECT ${start('Minute')} AS Start, max(Version) AS Newest FROM ${minuteTable}
    WHERE ${closed} GROUP BY Start
  ) AS minutes
  LEFT JOIN (
    SELECT Start, max(Version) AS Built FROM ${grain.table}
    WHERE Start >= ${since} GROUP BY Start
  ) AS built USING (Start)
  WHERE Newest > Built
)
GROUP BY Start, Caller, Callee`;
}
