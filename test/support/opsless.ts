import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import { loadConfig, type Config, type Roles, type RunningOpsless } from '../../cli/index.ts';
import { ALL_ROLES, startOpsless } from '../../cli/live/index.ts';
import { createStorageClient } from '../../storage/live/index.ts';

export interface TestOpsless extends RunningOpsless {
  otlpUrl: string;
  /** host:port of the OTLP/gRPC receiver. */
  grpcUrl: string;
  apiUrl: string;
  config: Config;
  /** A second client on the same in-process engine, to read what was stored. */
  clickhouse: ClickHouseClient;
  stop(): Promise<void>;
}

/**
 * Starts every role (or `roles`) in this process on free ports and in-memory chDB,
 * configured through the same environment parsing `opsless start` uses; `options` as
 * `startOpsless` takes them (a demo story, say).
 */
export async function startTestOpsless(
  env: Record<string, string> = {},
  roles: Roles = ALL_ROLES,
  options: Parameters<typeof startOpsless>[3] = {},
): Promise<TestOpsless> {
  const config = loadConfig({
    OPSLESS_DATA_DIR: ':memory:',
    OPSLESS_OTLP_HTTP_PORT: '0',
    OPSLESS_OTLP_GRPC_PORT: '0',
    OPSLESS_API_PORT: '0',
    OPSLESS_FLUSH_INTERVAL_MS: '20',
    OPSLESS_RETENTION_DAYS: '0',
    ...env,
  });
  const running = await startOpsless(
    config,
    pino({ level: process.env.OPSLESS_TEST_LOG ?? 'silent' }),
    roles,
    options,
  );
  const clickhouse = createStorageClient({ dataDir: config.dataDir });
  return {
    ...running,
    config,
    clickhouse,
    otlpUrl: `http://127.0.0.1:${running.otlpHttpPort}`,
    grpcUrl: `http://127.0.0.1:${running.otlpGrpcPort}`,
    apiUrl: `http://127.0.0.1:${running.apiPort}`,
    async stop() {
      await running.close();
      await clickhouse.close();
    },
  };
}

/** Runs a query and returns its rows. */
export async function rows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}
