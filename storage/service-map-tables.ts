import { ENTRY_SPAN_SQL, ERROR_SPAN_SQL } from './semconv.ts';
import { onCluster, type SchemaOptions } from './table-options.ts';
import {
  LATENCY_BUCKET_COUNT,
  latencyBucketSql,
  trimmedBucketsSql,
  serviceEdgesGrainStatements,
} from './service-map-grains.ts';

export const SERVICE_EDGES_TABLE = 'opsless_service_edges_1m';

/** Closed minutes the refresh recomputes each time, so a late span or a missed refresh heals. */
export const RECOMPUTED_MINUTES = 3;
/** How far before a child span its parent may have started. */
export const PARENT_LEAD_MINUTES = 5;

/**
 * The callee a client or producer span names when nothing instrumented answered it, as the
 * semantic conventions name it: `peer.service`, else the server address, else the system.
 */
export const EXTERNAL_CALLEE_SQL = `multiIf(
  SpanAttributes['peer.service'] != '', SpanAttributes['peer.service'],
  SpanAttributes['server.address'] != '', SpanAttributes['server.address'],
  SpanAttributes['net.peer.name'] != '', SpanAttributes['net.peer.name'],
  SpanAttributes['db.system'] != '', SpanAttributes['db.system'],
  SpanAttributes['messaging.system'] != '', SpanAttributes['messaging.system'],
  '')`;

export const EXTERNAL_KIND_SQL = `multiIf(
  SpanAttributes['db.system'] != '', 'database',
  SpanAttributes['messaging.system'] != '', 'queue',
  'external')`;

/**
 * Migration 16: latency as counts in fixed log-scale buckets instead of t-digest states
 * (summing arrays is what makes a day of 1,000 services readable in well under a second),
 * each service's own requests as a row from the service to itself (so the map reads one
 * rollup, not the 10-second RED buckets), and 10-minute and hourly rollups beside the minute
 * one.
 * Minutes rolled up before this migration keep their requests and errors, not their latency.
 */
export function serviceMapBucketStatements(options: SchemaOptions): string[] {
  const cluster = onCluster(options);
  return [
    `DROP VIEW IF EXISTS ${SERVICE_EDGES_TABLE}_mv${cluster}`,
    `ALTER TABLE ${SERVICE_EDGES_TABLE}${cluster} DROP COLUMN IF EXISTS Latency`,
    `ALTER TABLE ${SERVICE_EDGES_TABLE}${cluster}
ADD COLUMN IF NOT EXISTS LatencyBuckets Array(UInt32) CODEC(ZSTD(1)) AFTER Errors`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${SERVICE_EDGES_TABLE}_mv${cluster}
REFRESH EVERY 1 MINUTE OFFSET 5 SECOND APPEND
TO ${SERVICE_EDGES_TABLE}
AS ${serviceEdgesSelect()}`,
    ...serviceEdgesGrainStatements(options, SERVICE_EDGES_TABLE),
  ];
}

/**
 * Calls between services per minute: a span whose parent is in another service is a call
 * from the parent's service to its own (latency and errors as the callee answered); a
 * client or producer span that no instrumented service answered is a call to what its
 * attributes name (a database, a queue, an external API); a service's entry spans are a
 * row from the service to itself (its requests, whoever sent them). Kept by a refreshable
 * materialized view that recomputes the last closed minutes every minute: the two sides of
 * a call arrive in different inserts, so a plain insert-time view cannot join them.
 * Recomputed rows replace the earlier ones (ReplacingMergeTree on Version): read with FINAL.
 */
export function serviceEdgesSelect(
  upto = 'toStartOfMinute(now())',
  minutes = RECOMPUTED_MINUTES,
): string {
  const since = `${upto} - INTERVAL ${minutes} MINUTE`;
  const window = `Timestamp >= ${since} AND Timestamp < ${upto}`;
  return `SELECT Minute, Caller, Callee, any(Kind) AS CalleeKind,
  sum(Calls) AS Requests, sum(Failed) AS Errors,
  ${trimmedBucketsSql(`groupArrayInsertAt(0, ${LATENCY_BUCKET_COUNT})(toUInt32(Calls), Bucket)`)}
    AS LatencyBuckets,
  toUnixTimestamp64Micro(now64(6)) AS Version
FROM (
  SELECT Minute, Caller, Callee, any(CalleeKind) AS Kind, ${latencyBucketSql('Duration')} AS Bucket,
    count() AS Calls, countIf(IsError) AS Failed
  FROM (
    SELECT
      toStartOfMinute(child.Timestamp) AS Minute,
      parent.ServiceName AS Caller,
      child.ServiceName AS Callee,
      'service' AS CalleeKind,
      child.Duration AS Duration,
      child.IsError AS IsError
    FROM (
      SELECT TraceId, ParentSpanId, ServiceName, Timestamp, Duration, ${ERROR_SPAN_SQL} AS IsError
      FROM otel_traces
      WHERE ${window} AND ParentSpanId != ''
    ) AS child
    INNER JOIN (
      SELECT TraceId, SpanId, ServiceName
      FROM otel_traces
      WHERE Timestamp >= ${since} - INTERVAL ${PARENT_LEAD_MINUTES} MINUTE AND Timestamp < ${upto}
    ) AS parent ON child.TraceId = parent.TraceId AND child.ParentSpanId = parent.SpanId
    WHERE parent.ServiceName != child.ServiceName
    UNION ALL
    SELECT toStartOfMinute(Timestamp), ServiceName, ${EXTERNAL_CALLEE_SQL} AS Named,
      ${EXTERNAL_KIND_SQL}, Duration, ${ERROR_SPAN_SQL}
    FROM otel_traces
    WHERE ${window}
      AND SpanKind IN ('Client', 'Producer')
      AND Named != '' AND Named != ServiceName
      AND (TraceId, SpanId) NOT IN (
        SELECT TraceId, ParentSpanId FROM otel_traces
        WHERE Timestamp >= ${since} AND Timestamp < ${upto} + INTERVAL 1 MINUTE AND ParentSpanId != ''
      )
    UNION ALL
    SELECT toStartOfMinute(Timestamp), ServiceName, ServiceName, 'service', Duration, ${ERROR_SPAN_SQL}
    FROM otel_traces
    WHERE ${window} AND ${ENTRY_SPAN_SQL}
  )
  GROUP BY Minute, Caller, Callee, Bucket
)
GROUP BY Minute, Caller, Callee`;
}
