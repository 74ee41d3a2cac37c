import { ENTRY_SPAN_SQL, ERROR_SPAN_SQL } from './semconv.ts';
import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';
import { ROLLUP_GRAIN_MS } from './grain.ts';

/**
 * Rate, errors and duration (RED) of each service's entry spans in 10-second
 * buckets, per operation, kept by a materialized view as spans arrive. The
 * detector reads these instead of rescanning raw spans every cycle; any step
 * that is a multiple of 10 s is a GROUP BY away. Latency keeps t-digest states,
 * which merge across buckets and operations into quantiles of the whole.
 */
export const RED_TABLE = 'opsless_red_10s';

function redTable(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${RED_TABLE}${onCluster(options)} (
  ServiceName LowCardinality(String),
  Operation LowCardinality(String),
  Bucket DateTime CODEC(Delta(4), ZSTD(1)),
  Requests SimpleAggregateFunction(sum, UInt64),
  Errors SimpleAggregateFunction(sum, UInt64),
  Latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), UInt64)
) ENGINE = ${engine(options, 'AggregatingMergeTree')}
PARTITION BY toDate(Bucket)
ORDER BY (ServiceName, Operation, Bucket)${ttlClause(options, 'Bucket')}
SETTINGS ttl_only_drop_parts = 1`;
}

const RED_SELECT = `SELECT
  ServiceName,
  SpanName AS Operation,
  toStartOfInterval(Timestamp, INTERVAL ${ROLLUP_GRAIN_MS / 1000} SECOND) AS Bucket,
  count() AS Requests,
  countIf(${ERROR_SPAN_SQL}) AS Errors,
  quantilesTDigestState(0.5, 0.95, 0.99)(Duration) AS Latency
FROM otel_traces
WHERE ${ENTRY_SPAN_SQL}`;

function redView(options: SchemaOptions): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${RED_TABLE}_mv${onCluster(options)}
TO ${RED_TABLE}
AS ${RED_SELECT}
GROUP BY ServiceName, Operation, Bucket`;
}

/**
 * Spans stored before the view exists (an existing exporter deployment, or an
 * upgrade) are rolled up once, just before the view is created. Migrations run
 * before a process ingests, so only spans another running collector stores in
 * between can miss the rollup; counting spans twice, the alternative, is worse.
 */
function redBackfill(): string {
  return `INSERT INTO ${RED_TABLE}
${RED_SELECT}
GROUP BY ServiceName, Operation, Bucket`;
}

/** The statements of the rollup migration, in order. */
export function rollupStatements(options: SchemaOptions): string[] {
  return [redTable(options), redBackfill(), redView(options)];
}
