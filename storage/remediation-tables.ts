import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

export const REMEDIATION_RULES_TABLE = 'opsless_remediation_rules';
export const REMEDIATION_RUNS_TABLE = 'opsless_remediation_runs';
export const REMEDIATION_SETTINGS_TABLE = 'opsless_remediation_settings';

/**
 * Remediation runbooks: the rules, the audit log of runs, and settings such as the kill
 * switch. Each is a ReplacingMergeTree by version, read with FINAL: every change writes
 * the row again. A rule's `definition` is its validated JSON (the schema lives in
 * remediation/); `secret` signs its webhook steps. A deleted rule stays as a tombstone so
 * that its runs keep a name. A run's `steps` is the JSON list of its steps and their
 * results; runs go with the telemetry retention.
 */
export function remediationTableStatements(options: SchemaOptions): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${REMEDIATION_RULES_TABLE}${onCluster(options)} (
  id String,
  definition String,
  secret String,
  deleted Bool,
  createdAt DateTime64(3, 'UTC'),
  updatedAt DateTime64(3, 'UTC'),
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${REMEDIATION_RUNS_TABLE}${onCluster(options)} (
  id String,
  ruleId String,
  alertId String,
  service LowCardinality(String),
  signal LowCardinality(String),
  mode LowCardinality(String),
  status LowCardinality(String),
  reason String,
  steps String CODEC(ZSTD(3)),
  createdAt DateTime64(3, 'UTC'),
  startedAt Nullable(DateTime64(3, 'UTC')),
  verifyUntil Nullable(DateTime64(3, 'UTC')),
  finishedAt Nullable(DateTime64(3, 'UTC')),
  approvedBy Nullable(String),
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY id${ttlClause(options, 'toDateTime(createdAt)')}`,
    `CREATE TABLE IF NOT EXISTS ${REMEDIATION_SETTINGS_TABLE}${onCluster(options)} (
  key String,
  value String,
  updatedBy String,
  updatedAt DateTime64(3, 'UTC'),
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY key`,
  ];
}
