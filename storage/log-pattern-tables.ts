import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

export const LOG_PATTERNS_TABLE = 'opsless_log_patterns';
export const LOG_PATTERN_COUNTS_TABLE = 'opsless_log_pattern_counts';

/**
 * The severity level of a SeverityNumber, as OpenTelemetry's ranges name them
 * (1–4 TRACE … 21–24 FATAL; 0 is UNSPECIFIED).
 */
export const SEVERITY_LEVEL_SQL = `multiIf(SeverityNumber = 0, 'UNSPECIFIED', SeverityNumber <= 4, 'TRACE', SeverityNumber <= 8, 'DEBUG', SeverityNumber <= 12, 'INFO', SeverityNumber <= 16, 'WARN', SeverityNumber <= 20, 'ERROR', 'FATAL')`;

/**
 * Log patterns (templates mined from log bodies by the collector), a `PatternId` on every
 * stored log row, and per-minute counts of each pattern by severity level kept by a
 * materialized view. A pattern merged into a more general one keeps its row with
 * `MergedInto` set, so rows stored under its id still resolve.
 */
export function logPatternStatements(options: SchemaOptions): string[] {
  const cluster = onCluster(options);
  return [
    `ALTER TABLE otel_logs${cluster} ADD COLUMN IF NOT EXISTS PatternId LowCardinality(String) DEFAULT '' CODEC(ZSTD(1))`,
    `ALTER TABLE otel_logs${cluster} ADD INDEX IF NOT EXISTS idx_pattern_id PatternId TYPE bloom_filter(0.01) GRANULARITY 1`,
    `CREATE TABLE IF NOT EXISTS ${LOG_PATTERNS_TABLE}${cluster} (
  ServiceName LowCardinality(String),
  PatternId String,
  Template String,
  Sample String,
  SampleSeverity LowCardinality(String),
  FirstSeen DateTime64(9),
  MergedInto String,
  Version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'Version')}
ORDER BY (ServiceName, PatternId)`,
    `CREATE TABLE IF NOT EXISTS ${LOG_PATTERN_COUNTS_TABLE}${cluster} (
  ServiceName LowCardinality(String),
  PatternId String,
  Minute DateTime CODEC(Delta(4), ZSTD(1)),
  Severity LowCardinality(String),
  Count UInt64,
  LastSeen SimpleAggregateFunction(max, DateTime64(9))
) ENGINE = ${engine(options, 'SummingMergeTree')}
PARTITION BY toDate(Minute)
ORDER BY (ServiceName, Minute, PatternId, Severity)${ttlClause(options, 'Minute')}
SETTINGS ttl_only_drop_parts = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${LOG_PATTERN_COUNTS_TABLE}_mv${cluster}
TO ${LOG_PATTERN_COUNTS_TABLE}
AS SELECT
  ServiceName,
  PatternId,
  toStartOfMinute(TimestampTime) AS Minute,
  ${SEVERITY_LEVEL_SQL} AS Severity,
  count() AS Count,
  max(Timestamp) AS LastSeen
FROM otel_logs
WHERE PatternId != ''
GROUP BY ServiceName, PatternId, Minute, Severity`,
  ];
}

/** One row of {@link LOG_PATTERNS_TABLE}, as inserted with JSONEachRow. */
export interface LogPatternRow {
  ServiceName: string;
  PatternId: string;
  Template: string;
  Sample: string;
  SampleSeverity: string;
  /** Nanoseconds since the epoch, as decimal text. */
  FirstSeen: string;
  MergedInto: string;
  Version: string;
}
