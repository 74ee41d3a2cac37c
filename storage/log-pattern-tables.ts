import { SEVERITY_LEVEL_SQL } from './log-severity.ts';
import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

export const LOG_PATTERNS_TABLE = 'opsless_log_patterns';
export const LOG_PATTERN_COUNTS_TABLE = 'opsless_log_pattern_counts';

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
    patternCountsViewStatement(options),
  ];
}

/**
 * The view that counts each pattern's records per minute and level; the level from the
 * record's number or else its text, as the logs API reads it.
 */
function patternCountsViewStatement(options: SchemaOptions): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${LOG_PATTERN_COUNTS_TABLE}_mv${onCluster(options)}
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
GROUP BY ServiceName, PatternId, Minute, Severity`;
}

/**
 * Rebuilds the pattern-count view, whose first version read the level from the severity
 * number alone (records with only a text, such as `ERROR`, counted as UNSPECIFIED). Counts
 * stored before keep their level.
 */
export function patternCountsLevelFromTextStatements(options: SchemaOptions): string[] {
  return [
    `DROP VIEW IF EXISTS ${LOG_PATTERN_COUNTS_TABLE}_mv${onCluster(options)}`,
    patternCountsViewStatement(options),
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
