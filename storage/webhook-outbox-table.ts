import { engine, onCluster, ttlClause, type SchemaOptions } from './table-options.ts';

export const WEBHOOK_OUTBOX_TABLE = 'opsless_webhook_outbox';

/**
 * Webhook deliveries: one row per (event, endpoint), written before any attempt and
 * rewritten after each (ReplacingMergeTree by version; read with FINAL). `id` is the
 * `webhook-id` the receiver sees on every attempt; `status` is pending, delivered or
 * failed; a pending row is attempted once `dueAt` has passed. Rows go with the
 * telemetry retention.
 */
export function webhookOutboxTableStatement(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${WEBHOOK_OUTBOX_TABLE}${onCluster(options)} (
  webhookId String,
  id String,
  type LowCardinality(String),
  body String CODEC(ZSTD(3)),
  eventTime DateTime64(3, 'UTC'),
  status LowCardinality(String),
  attempts UInt32,
  dueAt DateTime64(3, 'UTC'),
  lastAttemptAt Nullable(DateTime64(3, 'UTC')),
  lastStatus Int32,
  lastError String,
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY (webhookId, eventTime, id)${ttlClause(options, 'toDateTime(eventTime)')}`;
}
