import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

export const SCORES_TABLE = 'opsless_scores';

/**
 * What the detector concluded for each series at each evaluated step: the observed
 * value, the expected value and band, and the anomaly score. Re-evaluating a step
 * replaces its row.
 */
export function scoresTableStatement(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${SCORES_TABLE}${onCluster(options)} (
  Service LowCardinality(String),
  Signal LowCardinality(String),
  Operation LowCardinality(String),
  Time DateTime CODEC(Delta(4), ZSTD(1)),
  Observed Float64,
  Expected Float64,
  Lower Float64,
  Upper Float64,
  Score Float32,
  Model LowCardinality(String)
) ENGINE = ${engine(options, 'ReplacingMergeTree')}
PARTITION BY toDate(Time)
ORDER BY (Service, Signal, Operation, Time)${ttlClause(options, 'Time')}
SETTINGS ttl_only_drop_parts = 1`;
}
