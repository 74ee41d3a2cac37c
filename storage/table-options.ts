import { quoteIdentifier } from './identifiers.ts';

/** What every table's DDL is rendered for. */
export interface SchemaOptions {
  /** Cluster name: renders `ON CLUSTER` and Replicated engines. */
  cluster?: string | undefined;
  /** Rows older than this many days are dropped; 0 keeps data forever. */
  retentionDays: number;
}

/** `ON CLUSTER x` or nothing. */
export function onCluster(options: SchemaOptions): string {
  return options.cluster ? ` ON CLUSTER ${quoteIdentifier(options.cluster)}` : '';
}

/**
 * The table engine: `MergeTree` family as named, made Replicated in cluster mode.
 * The replica path uses the server's macros, as the Collector's exporter does.
 */
export function engine(options: SchemaOptions, family: string, ...parameters: string[]): string {
  if (!options.cluster) return `${family}(${parameters.join(', ')})`;
  const replication = ["'/clickhouse/tables/{shard}/{database}/{table}'", "'{replica}'"];
  return `Replicated${family}(${[...replication, ...parameters].join(', ')})`;
}

/** `TTL <column> + toIntervalDay(n)` or nothing when retention is off. */
export function ttlClause(options: SchemaOptions, timeExpression: string): string {
  return options.retentionDays > 0
    ? `\nTTL ${timeExpression} + toIntervalDay(${options.retentionDays})`
    : '';
}
