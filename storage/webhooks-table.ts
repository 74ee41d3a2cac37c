import { engine, onCluster, type SchemaOptions } from './table-options.ts';

export const WEBHOOKS_TABLE = 'opsless_webhooks';

/**
 * Webhook subscriptions, one row per change (ReplacingMergeTree by version; read with
 * FINAL). A deleted subscription stays as a tombstone so that its deliveries keep a
 * name. `secrets` holds the signing secrets, current first; during a rotation the
 * previous one signs too until `previousSecretUntil`.
 */
export function webhooksTableStatement(options: SchemaOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${WEBHOOKS_TABLE}${onCluster(options)} (
  id String,
  url String,
  events Array(LowCardinality(String)),
  services Array(String),
  minSeverity LowCardinality(String),
  description String,
  secrets Array(String),
  previousSecretUntil Nullable(DateTime64(3, 'UTC')),
  enabled Bool,
  disabledReason String,
  deleted Bool,
  createdAt DateTime64(3, 'UTC'),
  updatedAt DateTime64(3, 'UTC'),
  version UInt64
) ENGINE = ${engine(options, 'ReplacingMergeTree', 'version')}
ORDER BY id`;
}

/**
 * What a subscription receives (`webhook`, `alertmanager`, `pagerduty`) and, for
 * PagerDuty, the routing key its events carry.
 */
export function webhookKindColumnsStatement(options: SchemaOptions): string {
  return `ALTER TABLE ${WEBHOOKS_TABLE}${onCluster(options)}
  ADD COLUMN IF NOT EXISTS kind LowCardinality(String) DEFAULT 'webhook' AFTER id,
  ADD COLUMN IF NOT EXISTS routingKey String DEFAULT '' AFTER secrets`;
}
