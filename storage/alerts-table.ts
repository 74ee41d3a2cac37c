import { engine, onCluster, type SchemaOptions } from './table-options.ts';

export const ALERTS_TABLE = 'opsless_alerts';

/**
 * Alerts are rows of a ReplacingMergeTree keyed by id: every change writes the
 * whole alert again with a higher version and reads take the latest (FINAL).
 * ClickHouse has no cheap row update; an alert changes a handful of times.
 */
export function alertsTableStatement(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${ALERTS_TABLE}${onCluster(options)} (
  id String,
  service LowCardinality(String),
  signal LowCardinality(String),
  signals Array(LowCardinality(String)),
  operation Nullable(String),
  severity LowCardinality(String),
  status LowCardinality(String),
  score Float64,
  observed Float64,
  expected Float64,
  openedAt DateTime64(3, 'UTC'),
  updatedAt DateTime64(3, 'UTC'),
  acknowledgedAt Nullable(DateTime64(3, 'UTC')),
  acknowledgedBy Nullable(String),
  resolvedAt Nullable(DateTime64(3, 'UTC')),
  resolvedBy Nullable(String),
  summary String,
  explanation String,
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY id`;
}

/**
 * The services an incident spans (the alert's own first) and its ranked root-cause
 * candidates as JSON (empty before ranking or for alerts older than this column).
 */
export function alertIncidentColumnsStatement(options: SchemaOptions): string {
  return `ALTER TABLE ${ALERTS_TABLE}${onCluster(options)}
  ADD COLUMN IF NOT EXISTS services Array(LowCardinality(String)) DEFAULT [] AFTER explanation,
  ADD COLUMN IF NOT EXISTS rootCause String DEFAULT '' AFTER services`;
}

/**
 * The headline signal's farthest value from expected while open (older alerts: the value
 * they were last written with).
 */
export function alertPeakColumnStatement(options: SchemaOptions): string {
  return `ALTER TABLE ${ALERTS_TABLE}${onCluster(options)}
  ADD COLUMN IF NOT EXISTS peak Float64 DEFAULT observed AFTER expected`;
}
