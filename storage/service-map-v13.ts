import { ERROR_SPAN_SQL } from './semconv.ts';
import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';
import {
  EXTERNAL_CALLEE_SQL,
  EXTERNAL_KIND_SQL,
  PARENT_LEAD_MINUTES,
  RECOMPUTED_MINUTES,
  SERVICE_EDGES_TABLE,
} from './service-map-tables.ts';

/*
 * The service map's rollup as migration 13 created it (latency as t-digest states), kept
 * so that migration means what it always meant; migration 16 replaces its view and column.
 * Its join is written out again in service-map-tables.ts on purpose: sharing the text
 * would let a later edit of the live view change what this old migration creates.
 */

/**
 * Calls between services per minute: a span whose parent is in another service is a call
 * from the parent's service to its own (latency and errors as the callee answered); a
 * client or producer span that no instrumented service answered is a call to what its
 * attributes name (a database, a queue, an external API). Kept by a refreshable
 * materialized view that recomputes the last closed minutes every minute: the two sides of
 * a call arrive in different inserts, so a plain insert-time view cannot join them.
 */
export function serviceMapV13Statements(options: SchemaOptions): string[] {
  const cluster = onCluster(options);
  return [
    `CREATE TABLE IF NOT EXISTS ${SERVICE_EDGES_TABLE}${cluster} (
  Minute DateTime CODEC(Delta(4), ZSTD(1)),
  Caller LowCardinality(String),
  Callee LowCardinality(String),
  CalleeKind LowCardinality(String),
  Requests UInt64,
  Errors UInt64,
  Latency AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), UInt64),
  Version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'Version')}
PARTITION BY toDate(Minute)
ORDER BY (Minute, Caller, Callee)${ttlClause(options, 'Minute')}
SETTINGS ttl_only_drop_parts = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${SERVICE_EDGES_TABLE}_mv${cluster}
REFRESH EVERY 1 MINUTE OFFSET 5 SECOND APPEND
TO ${SERVICE_EDGES_TABLE}
AS ${serviceEdgesV13Select()}`,
  ];
}

function serviceEdgesV13Select(): string {
  const upto = 'toStartOfMinute(now())';
  const since = `${upto} - INTERVAL ${RECOMPUTED_MINUTES} MINUTE`;
  return `SELECT Minute, Caller, Callee, CalleeKind, Requests, Errors, Latency,
  toUnixTimestamp64Micro(now64(6)) AS Version
FROM (
  SELECT
    toStartOfMinute(child.Timestamp) AS Minute,
    parent.ServiceName AS Caller,
    child.ServiceName AS Callee,
    'service' AS CalleeKind,
    count() AS Requests,
    countIf(child.IsError) AS Errors,
    quantilesTDigestState(0.5, 0.95, 0.99)(child.Duration) AS Latency
  FROM (
    SELECT TraceId, ParentSpanId, ServiceName, Timestamp, Duration, ${ERROR_SPAN_SQL} AS IsError
    FROM otel_traces
    WHERE Timestamp >= ${since} AND Timestamp < ${upto} AND ParentSpanId != ''
  ) AS child
  INNER JOIN (
    SELECT TraceId, SpanId, ServiceName
    FROM otel_traces
    WHERE Timestamp >= ${since} - INTERVAL ${PARENT_LEAD_MINUTES} MINUTE AND Timestamp < ${upto}
  ) AS parent ON child.TraceId = parent.TraceId AND child.ParentSpanId = parent.SpanId
  WHERE parent.ServiceName != child.ServiceName
  GROUP BY Minute, Caller, Callee
  UNION ALL
  SELECT
    toStartOfMinute(Timestamp) AS Minute,
    ServiceName AS Caller,
    ${EXTERNAL_CALLEE_SQL} AS Callee,
    ${EXTERNAL_KIND_SQL} AS CalleeKind,
    count() AS Requests,
    countIf(${ERROR_SPAN_SQL}) AS Errors,
    quantilesTDigestState(0.5, 0.95, 0.99)(Duration) AS Latency
  FROM otel_traces
  WHERE Timestamp >= ${since} AND Timestamp < ${upto}
    AND SpanKind IN ('Client', 'Producer')
    AND ${EXTERNAL_CALLEE_SQL} != ''
    AND (TraceId, SpanId) NOT IN (
      SELECT TraceId, ParentSpanId FROM otel_traces
      WHERE Timestamp >= ${since} AND Timestamp < ${upto} + INTERVAL 1 MINUTE AND ParentSpanId != ''
    )
  GROUP BY Minute, Caller, Callee, CalleeKind
)`;
}
