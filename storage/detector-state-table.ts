import { engine, onCluster, type SchemaOptions } from './table-options.ts';

export const DETECTOR_STATE_TABLE = 'opsless_detector_state';

/**
 * The detector's learned state, one row per series (service, signal, operation)
 * and one for each service's incident state: written after each evaluation so that
 * a restart, or another detector process taking over the shard, resumes without
 * relearning. The newest write of a series wins.
 */
export function detectorStateTableStatement(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${DETECTOR_STATE_TABLE}${onCluster(options)} (
  Service LowCardinality(String),
  Signal LowCardinality(String),
  Operation LowCardinality(String),
  UpdatedAt DateTime64(3, 'UTC'),
  LastStep DateTime,
  State String CODEC(ZSTD(3))
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'UpdatedAt')}
ORDER BY (Service, Signal, Operation)`;
}
