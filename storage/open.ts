import type { ClickHouseClient } from '@clickhouse/client';
import { createStorageClient, ensureDatabase, type StorageOptions } from './client.ts';
import { migrate } from './migrate.ts';

export interface Storage {
  client: ClickHouseClient;
  /** True when running on the embedded chDB engine. */
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenStorageOptions extends StorageOptions {
  cluster?: string | undefined;
  retentionDays: number;
}

/** Connects (server or embedded), creates the database and applies migrations. */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  await ensureDatabase(options, options.cluster);
  const client = createStorageClient(options);
  try {
    await migrate(client, { cluster: options.cluster, retentionDays: options.retentionDays });
  } catch (error) {
    await client.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    client,
    embedded: !options.url,
    close: () => (closed ??= client.close()),
  };
}
