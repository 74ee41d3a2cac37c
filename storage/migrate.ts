import type { ClickHouseClient } from '@clickhouse/client';
import { migrations, RETENTION_TABLES, type Migration } from './schema.ts';
import { engine, onCluster, type SchemaOptions } from './table-options.ts';

const MIGRATIONS_TABLE = 'opsless_schema_migrations';

/**
 * Applies every migration not yet recorded, in version order, and records each.
 * Statements are idempotent (`IF NOT EXISTS`), so processes migrating at once, or
 * a crash between a statement and its record, leave a correct schema behind.
 * Returns the versions applied by this call.
 */
export async function migrate(client: ClickHouseClient, options: SchemaOptions): Promise<number[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}${onCluster(options)} (
  version UInt32,
  name String,
  applied_at DateTime64(3) DEFAULT now64(3)
) ENGINE = ${engine(options, 'ReplacingMergeTree')} ORDER BY version`,
  });
  const applied = new Set(await appliedVersions(client));
  const done: number[] = [];
  for (const migration of migrations(options)) {
    if (applied.has(migration.version)) continue;
    await apply(client, migration);
    done.push(migration.version);
  }
  await applyRetention(client, options);
  return done;
}

async function appliedVersions(client: ClickHouseClient): Promise<number[]> {
  const result = await client.query({
    query: `SELECT DISTINCT version FROM ${MIGRATIONS_TABLE}`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number }>();
  return rows.map((row) => Number(row.version));
}

async function apply(client: ClickHouseClient, migration: Migration): Promise<void> {
  for (const statement of migration.statements) await client.command({ query: statement });
  await client.insert({
    table: MIGRATIONS_TABLE,
    values: [{ version: migration.version, name: migration.name }],
    format: 'JSONEachRow',
  });
}

/**
 * Brings each table's TTL in line with `retentionDays`, so changing the setting
 * takes effect at the next start. Old parts are not rewritten
 * (`materialize_ttl_after_modify = 0`): whole parts drop as they age out.
 */
async function applyRetention(client: ClickHouseClient, options: SchemaOptions): Promise<void> {
  for (const { table, timeExpression } of RETENTION_TABLES) {
    const result = await client.query({
      query:
        'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
      query_params: { table },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ engine_full: string }>();
    if (!row) continue;
    const match = /TTL .*toIntervalDay\((\d+)\)/.exec(row.engine_full);
    const current = match ? Number(match[1]) : 0;
    if (current === options.retentionDays) continue;
    const change =
      options.retentionDays > 0
        ? `MODIFY TTL ${timeExpression} + toIntervalDay(${options.retentionDays})`
        : 'REMOVE TTL';
    await client.command({
      query: `ALTER TABLE ${table}${onCluster(options)} ${change}`,
      clickhouse_settings: { materialize_ttl_after_modify: 0 },
    });
  }
}
