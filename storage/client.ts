import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection, type ChdbConnection } from 'chdb/connection';
import { quoteIdentifier } from './identifiers.ts';

/** The embedded engine's connection behind each embedded client, for its raw insert path. */
const embeddedConnections = new WeakMap<ClickHouseClient, ChdbConnection>();

export interface StorageOptions {
  /** ClickHouse server URL; when absent, the embedded chDB engine is used. */
  url?: string | undefined;
  user?: string;
  password?: string;
  database?: string;
  /** Data directory of the embedded engine, or `:memory:`. Ignored with `url`. */
  dataDir: string;
  /** Per-request timeout against a server, ms (default 30 000). */
  requestTimeoutMs?: number;
}

/**
 * Returns a `@clickhouse/client` client on either a ClickHouse server (`url`) or
 * the embedded chDB engine in `dataDir`. Callers cannot tell the two apart.
 * chDB holds one engine per process, so one embedded client serves all roles.
 */
export function createStorageClient(options: StorageOptions): ClickHouseClient {
  const database = options.database ?? 'default';
  if (options.url) {
    return createClient({
      url: options.url,
      username: options.user ?? 'default',
      password: options.password ?? '',
      database,
      request_timeout: options.requestTimeoutMs ?? 30_000,
      max_open_connections: 16,
      // Level 1 compresses telemetry rows about 14:1 at under half the CPU of the default level.
      compression: { request: { codec: 'gzip', level: 1 }, response: true },
      clickhouse_settings: { date_time_input_format: 'best_effort' },
      // Failures surface as errors the callers log once, with context; not twice.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }
  // The embedded engine keeps everything in its `default` database.
  if (options.dataDir !== ':memory:') mkdirSync(options.dataDir, { recursive: true });
  // chdb types its Connection against @clickhouse/client-common, which the client
  // bundles as its own copy: same contract, two declarations, hence the cast.
  const chdb = createChdbConnection({ path: options.dataDir });
  const connection = chdb as unknown as NonNullable<
    Parameters<typeof createClient>[0]
  >['connection'];
  const client = createClient({ connection });
  embeddedConnections.set(client, chdb);
  return client;
}

/**
 * Inserts JSONEachRow text into `table` (a name from the schema, never user input).
 * On the embedded engine the bytes go to chDB's raw insert, which parses them in
 * the engine without the query-string round trip; measured with bench/ingest.ts at
 * 10k spans/s, it takes a quarter off the JavaScript thread's share.
 */
export async function insertJsonEachRow(
  client: ClickHouseClient,
  table: string,
  body: string,
): Promise<void> {
  const embedded = embeddedConnections.get(client);
  if (embedded) {
    await embedded.chdb.rawInsert({ table, values: Buffer.from(body), format: 'JSONEachRow' });
    return;
  }
  const result = await client.exec({
    query: `INSERT INTO ${table} FORMAT JSONEachRow`,
    values: Readable.from([body], { objectMode: false }),
  });
  result.stream.resume();
}

/**
 * Creates `database` on a server when it is not `default`, through a short-lived
 * client bound to `default` (a client bound to a missing database cannot create it).
 */
export async function ensureDatabase(options: StorageOptions, cluster?: string): Promise<void> {
  const database = options.database ?? 'default';
  if (!options.url || database === 'default') return;
  const bootstrap = createStorageClient({ ...options, database: 'default' });
  try {
    const onCluster = cluster ? ` ON CLUSTER ${quoteIdentifier(cluster)}` : '';
    await bootstrap.command({
      query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}${onCluster}`,
    });
  } finally {
    await bootstrap.close();
  }
}
