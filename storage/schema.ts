import {
  alertIncidentColumnsStatement,
  alertPeakColumnStatement,
  alertsTableStatement,
} from './alerts-table.ts';
import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';
import { rollupStatements } from './rollups.ts';
import { SCORES_TABLE, scoresTableStatement } from './scores-table.ts';
import { detectorStateTableStatement } from './detector-state-table.ts';
import { WEBHOOK_OUTBOX_TABLE, webhookOutboxTableStatement } from './webhook-outbox-table.ts';
import { webhookKindColumnsStatement, webhooksTableStatement } from './webhooks-table.ts';
import { SCALING_DECISIONS_TABLE, scalingTableStatements } from './scaling-tables.ts';
import { REMEDIATION_RUNS_TABLE, remediationTableStatements } from './remediation-tables.ts';
import {
  LOG_PATTERN_COUNTS_TABLE,
  logPatternStatements,
  patternCountsLevelFromTextStatements,
} from './log-pattern-tables.ts';
import { SERVICE_EDGES_TABLE, serviceMapBucketStatements } from './service-map-tables.ts';
import { SERVICE_EDGES_GRAINS } from './service-map-grains.ts';
import { serviceMapV13Statements } from './service-map-v13.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const ATTRIBUTE_MAP = 'Map(LowCardinality(String), String)';

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

function logsTable(options: SchemaOptions): string {
  // The newest exporter generation's key (five-minute buckets first) plus the previous
  // generation's TimestampTime column, which Grafana's default log query still reads.
  return `CREATE TABLE IF NOT EXISTS otel_logs${onCluster(options)} (
  Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  TimestampTime DateTime DEFAULT toDateTime(Timestamp),
  TraceId String CODEC(ZSTD(1)),
  SpanId String CODEC(ZSTD(1)),
  TraceFlags UInt8,
  SeverityText LowCardinality(String) CODEC(ZSTD(1)),
  SeverityNumber UInt8,
  ServiceName LowCardinality(String) CODEC(ZSTD(1)),
  Body String CODEC(ZSTD(1)),
  ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
  ResourceAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
  ScopeName String CODEC(ZSTD(1)),
  ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
  ScopeAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  LogAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  EventName String CODEC(ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = ${engine(options, 'MergeTree')}
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (toStartOfFiveMinutes(Timestamp), ServiceName, TimestampTime)
ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, TimestampTime, Timestamp)${ttlClause(options, 'TimestampTime')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

const METRIC_COMMON_COLUMNS = `  ResourceAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  ResourceSchemaUrl String CODEC(ZSTD(1)),
  ScopeName String CODEC(ZSTD(1)),
  ScopeVersion String CODEC(ZSTD(1)),
  ScopeAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),
  ScopeSchemaUrl String CODEC(ZSTD(1)),
  ServiceName LowCardinality(String) CODEC(ZSTD(1)),
  MetricName LowCardinality(String) CODEC(ZSTD(1)),
  MetricDescription String CODEC(ZSTD(1)),
  MetricUnit String CODEC(ZSTD(1)),
  Attributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
  StartTimeUnix DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  TimeUnix DateTime64(9) CODEC(Delta(8), ZSTD(1)),`;

const EXEMPLAR_COLUMNS = `
  Exemplars Nested (
    FilteredAttributes ${ATTRIBUTE_MAP},
    TimeUnix DateTime64(9),
    Value Float64,
    SpanId String,
    TraceId String
  ) CODEC(ZSTD(1)),`;

const METRIC_INDEXES = `
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1`;

/** The five metric tables: shared columns, then each kind's own. */
export const METRIC_TABLES = {
  gauge: {
    table: 'otel_metrics_gauge',
    columns: `${EXEMPLAR_COLUMNS}
  Value Float64 CODEC(ZSTD(1)),`,
  },
  sum: {
    table: 'otel_metrics_sum',
    columns: `${EXEMPLAR_COLUMNS}
  Value Float64 CODEC(ZSTD(1)),
  AggregationTemporality Int32 CODEC(ZSTD(1)),
  IsMonotonic Bool CODEC(Delta(1), ZSTD(1)),`,
  },
  histogram: {
    table: 'otel_metrics_histogram',
    columns: `${EXEMPLAR_COLUMNS}
  Count UInt64 CODEC(Delta(8), ZSTD(1)),
  Sum Float64 CODEC(ZSTD(1)),
  BucketCounts Array(UInt64) CODEC(ZSTD(1)),
  ExplicitBounds Array(Float64) CODEC(ZSTD(1)),
  Min Float64 CODEC(ZSTD(1)),
  Max Float64 CODEC(ZSTD(1)),
  AggregationTemporality Int32 CODEC(ZSTD(1)),`,
  },
  expHistogram: {
    table: 'otel_metrics_exponential_histogram',
    columns: `${EXEMPLAR_COLUMNS}
  Count UInt64 CODEC(Delta(8), ZSTD(1)),
  Sum Float64 CODEC(ZSTD(1)),
  Scale Int32 CODEC(ZSTD(1)),
  ZeroCount UInt64 CODEC(ZSTD(1)),
  PositiveOffset Int32 CODEC(ZSTD(1)),
  PositiveBucketCounts Array(UInt64) CODEC(ZSTD(1)),
  NegativeOffset Int32 CODEC(ZSTD(1)),
  NegativeBucketCounts Array(UInt64) CODEC(ZSTD(1)),
  Min Float64 CODEC(ZSTD(1)),
  Max Float64 CODEC(ZSTD(1)),
  AggregationTemporality Int32 CODEC(ZSTD(1)),`,
  },
  summary: {
    table: 'otel_metrics_summary',
    columns: `
  Count UInt64 CODEC(Delta(8), ZSTD(1)),
  Sum Float64 CODEC(ZSTD(1)),
  ValueAtQuantiles Nested (
    Quantile Float64,
    Value Float64
  ) CODEC(ZSTD(1)),`,
  },
} as const;

function metricTable(options: SchemaOptions, table: string, columns: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table}${onCluster(options)} (
${METRIC_COMMON_COLUMNS}
  Flags UInt32 CODEC(ZSTD(1)),${columns}${METRIC_INDEXES}
) ENGINE = ${engine(options, 'MergeTree')}
PARTITION BY toDate(TimeUnix)
ORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)${ttlClause(options, 'toDateTime(TimeUnix)')}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

/** The ordered list of schema migrations for these options. Versions never change meaning. */
export function migrations(options: SchemaOptions): Migration[] {
  return [
    {
      version: 1,
      name: 'exporter-compatible traces tables',
      statements: [tracesTable(options), traceIdTable(options), traceIdView(options)],
    },
    {
      version: 2,
      name: 'exporter-compatible logs and metrics tables',
      statements: [
        logsTable(options),
        ...Object.values(METRIC_TABLES).map(({ table, columns }) =>
          metricTable(options, table, columns),
        ),
      ],
    },
    { version: 3, name: 'RED rollup of entry spans', statements: rollupStatements(options) },
    { version: 4, name: 'alerts', statements: [alertsTableStatement(options)] },
    { version: 5, name: 'detector scores', statements: [scoresTableStatement(options)] },
    { version: 6, name: 'detector state', statements: [detectorStateTableStatement(options)] },
    { version: 7, name: 'webhook subscriptions', statements: [webhooksTableStatement(options)] },
    { version: 8, name: 'webhook outbox', statements: [webhookOutboxTableStatement(options)] },
    {
      version: 9,
      name: 'webhook kinds (alertmanager, pagerduty)',
      statements: [webhookKindColumnsStatement(options)],
    },
    { version: 10, name: 'scaling', statements: scalingTableStatements(options) },
    {
      version: 11,
      name: 'remediation rules, runs and settings',
      statements: remediationTableStatements(options),
    },
    { version: 12, name: 'log patterns', statements: logPatternStatements(options) },
    { version: 13, name: 'service map', statements: serviceMapV13Statements(options) },
    {
      version: 14,
      name: 'alerts across services (services, root cause)',
      statements: [alertIncidentColumnsStatement(options)],
    },
    { version: 15, name: 'alert peaks', statements: [alertPeakColumnStatement(options)] },
    {
      version: 16,
      name: 'service map latency buckets, service rows, 10-minute and hourly rollups',
      statements: serviceMapBucketStatements(options),
    },
    {
      version: 17,
      name: 'log pattern counts: the level from the severity text when there is no number',
      statements: patternCountsLevelFromTextStatements(options),
    },
  ];
}

/** The tables whose TTL follows `retentionDays`, with the time expression the TTL uses. */
export const RETENTION_TABLES: ReadonlyArray<{ table: string; timeExpression: string }> = [
  { table: 'otel_traces', timeExpression: 'toDateTime(Timestamp)' },
  { table: 'otel_traces_trace_id_ts', timeExpression: 'Start' },
  { table: 'otel_logs', timeExpression: 'TimestampTime' },
  ...Object.values(METRIC_TABLES).map(({ table }) => ({
    table,
    timeExpression: 'toDateTime(TimeUnix)',
  })),
  { table: SCORES_TABLE, timeExpression: 'Time' },
  { table: WEBHOOK_OUTBOX_TABLE, timeExpression: 'toDateTime(eventTime)' },
  { table: SCALING_DECISIONS_TABLE, timeExpression: 'toDateTime(time)' },
  { table: REMEDIATION_RUNS_TABLE, timeExpression: 'toDateTime(createdAt)' },
  { table: LOG_PATTERN_COUNTS_TABLE, timeExpression: 'Minute' },
  { table: SERVICE_EDGES_TABLE, timeExpression: 'Minute' },
  ...SERVICE_EDGES_GRAINS.map(({ table }) => ({ table, timeExpression: 'Start' })),
];
