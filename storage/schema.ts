import { quoteIdentifier } from './client.ts';

export interface SchemaOptions {
  /** Cluster name: renders `ON CLUSTER` and Replicated engines. */
  cluster?: string | undefined;
  /** Rows older than this many days are dropped; 0 keeps data forever. */
  retentionDays: number;
}

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const ATTRIBUTE_MAP = 'Map(LowCardinality(String), String)';

/** `ON CLUSTER x` or nothing. */
export function onCluster(options: SchemaOptions): string {
  return options.cluster ? ` ON CLUSTER ${quoteIdentifier(options.cluster)}` : '';
}

/**
 * The table engine: `MergeTree` family as named, made Replicated in cluster mode.
 * The replica path uses the server's macros, as the Collector's exporter does.
 */
export function engine(options: SchemaOptions, family: string): string {
  if (!options.cluster) return `${family}()`;
  return `Replicated${family}('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')`;
}

/** `TTL <column> + toIntervalDay(n)` or nothing when retention is off. */
export function ttlClause(options: SchemaOptions, timeExpression: string): string {
  return options.retentionDays > 0
    ? `\nTTL ${timeExpression} + toIntervalDay(${options.retentionDays})`
    : '';
}

function tracesTable(options: SchemaOptions): string {
  // Codecs and skip indexes follow the Collector's exporter: Delta suits the sorted
  // timestamps, the bloom filters make trace-id and attribute look-ups skip granules.
  return `CREATE TABLE IF NOT EXISTS otel_traces${onCluster(options)} (
  Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  TraceId String CODEC(ZSTD(1)),
  SpanId String CODEC(ZSTD(1)),
  ParentSpanId String CODEC(ZSTD(1)),
  TraceState String CODEC(ZSTD(1)),
  SpanName LowCardinality(String) CODEC(ZSTD(1)),
  SpanKind LowCardinality(String) CODEC(ZSTD(1)),
  ServiceName LowCardinality(String) CODEC(ZSTD(1)),
  ResourceAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  ScopeName String CODEC(ZSTD(1)),
  ScopeVersion String CODEC(ZSTD(1)),
  SpanAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  Duration UInt64 CODEC(ZSTD(1)),
  StatusCode LowCardinality(String) CODEC(ZSTD(1)),
  StatusMessage String CODEC(ZSTD(1)),
  Events Nested (
    Timestamp DateTime64(9),
    Name LowCardinality(String),
    Attributes ${ATTRIBUTE_MAP}
  ) CODEC(ZSTD(1)),
  Links Nested (
    TraceId String,
    SpanId String,
    TraceState String,
    Attributes ${ATTRIBUTE_MAP}
  ) CODEC(ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = ${engine(options, 'MergeTree')}
PARTITION BY toDate(Timestamp)
PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)${ttlClause(options, 'toDateTime(Timestamp)')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

function traceIdTable(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS otel_traces_trace_id_ts${onCluster(options)} (
  TraceId String CODEC(ZSTD(1)),
  Start SimpleAggregateFunction(min, DateTime) CODEC(Delta(4), ZSTD(1)),
  End SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = ${engine(options, 'AggregatingMergeTree')}
PARTITION BY toStartOfWeek(Start)
ORDER BY (TraceId)${ttlClause(options, 'Start')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

function traceIdView(options: SchemaOptions): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv${onCluster(options)}
TO otel_traces_trace_id_ts
AS SELECT
  TraceId,
  min(toDateTime(Timestamp)) AS Start,
  max(toDateTime(Timestamp)) AS End
FROM otel_traces
WHERE TraceId != ''
GROUP BY TraceId`;
}

/** The ordered list of schema migrations for these options. Versions never change meaning. */
export function migrations(options: SchemaOptions): Migration[] {
  return [
    {
      version: 1,
      name: 'exporter-compatible traces tables',
      statements: [tracesTable(options), traceIdTable(options), traceIdView(options)],
    },
  ];
}

/** The tables whose TTL follows `retentionDays`, with the time expression the TTL uses. */
export const RETENTION_TABLES: ReadonlyArray<{ table: string; timeExpression: string }> = [
  { table: 'otel_traces', timeExpression: 'toDateTime(Timestamp)' },
  { table: 'otel_traces_trace_id_ts', timeExpression: 'Start' },
];
