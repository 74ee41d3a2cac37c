import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApi } from '../api/index.ts';
import { bindGrpc, createCollector } from '../collector/index.ts';
import { openStorage } from '../storage/index.ts';
import type { Config } from './config.ts';

export interface RunningOpsless {
  otlpHttpPort: number;
  otlpGrpcPort: number;
  apiPort: number;
  /** Stops accepting, flushes acknowledged data, closes storage; idempotent. */
  close(): Promise<void>;
}

/** Runs every role in this process: storage, collector and API. */
export async function startOpsless(config: Config, logger: Logger): Promise<RunningOpsless> {
  let ready = false;
  const storage = await openStorage({
    url: config.clickhouse.url,
    user: config.clickhouse.user,
    password: config.clickhouse.password,
    database: config.clickhouse.database,
    dataDir: config.dataDir,
    cluster: config.clickhouse.cluster,
    retentionDays: config.retentionDays,
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opsless_process_' });
  const collector = createCollector({
    registry,
    client: storage.client,
    limits: config.ingest,
    ingestKey: config.ingestKey,
    logger,
  });
  const api = createApi({
    registry,
    client: storage.client,
    apiKey: config.apiKey,
    isReady: () => ready,
    logger,
  });

  const otlpServer = await listen(collector.httpServer, config.host, config.otlpHttpPort);
  const otlpGrpcPort = await bindGrpc(collector.grpcServer, config.host, config.otlpGrpcPort);
  const apiServer = serve({
    fetch: api.fetch,
    hostname: config.host,
    port: config.apiPort,
  }) as Server;
  const apiPort = await new Promise<number>((resolve, reject) => {
    apiServer.once('error', reject);
    apiServer.once('listening', () => resolve((apiServer.address() as AddressInfo).port));
  });
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    otlpHttpPort: (otlpServer.address() as AddressInfo).port,
    otlpGrpcPort,
    apiPort,
    close: () =>
      (closing ??= (async () => {
        ready = false;
        await Promise.all([
          closeServer(otlpServer),
          closeServer(apiServer),
          new Promise<void>((resolve) => collector.grpcServer.tryShutdown(() => resolve())),
        ]);
        await collector.close();
        await storage.close();
      })()),
  };
}

function listen(server: Server, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
