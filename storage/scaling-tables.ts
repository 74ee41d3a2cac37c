import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

export const SCALING_POLICIES_TABLE = 'opsless_scaling_policies';
export const SCALING_STATE_TABLE = 'opsless_scaling_state';
export const SCALING_DECISIONS_TABLE = 'opsless_scaling_decisions';

/**
 * Scaling: a policy per service (its actuator's signing secret beside it; a deleted policy
 * is a tombstone), each service's state (the scaler's learned state, the newest decision
 * for the API, the replica count last reported by an actuator or a user), and the audit
 * log of decisions that changed the desired count, with what the actuator made of them.
 */
export function scalingTableStatements(options: SchemaOptions): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${SCALING_POLICIES_TABLE}${onCluster(options)} (
  service String,
  policy String,
  secret String,
  deleted Bool,
  createdAt DateTime64(3, 'UTC'),
  updatedAt DateTime64(3, 'UTC'),
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY service`,
    `CREATE TABLE IF NOT EXISTS ${SCALING_STATE_TABLE}${onCluster(options)} (
  service String,
  kind LowCardinality(String),
  value String CODEC(ZSTD(3)),
  updatedAt DateTime64(3, 'UTC'),
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY (service, kind)`,
    `CREATE TABLE IF NOT EXISTS ${SCALING_DECISIONS_TABLE}${onCluster(options)} (
  service LowCardinality(String),
  time DateTime64(3, 'UTC'),
  current UInt32,
  reactive UInt32,
  predictive Nullable(UInt32),
  final UInt32,
  previous UInt32,
  reasons Array(String),
  source LowCardinality(String),
  dryRun Bool,
  outcome LowCardinality(String),
  detail String
) ENGINE = ${engine(options, 'MergeTree')}
ORDER BY (service, time)${ttlClause(options, 'toDateTime(time)')}`,
  ];
}
