import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Alert } from '../alerts/index.ts';
import { createAlertStore } from '../alerts/live/index.ts';
import type { DemoControl } from '../api/index.ts';
import { createApi } from '../api/live/index.ts';
import { bindGrpc, createCollector } from '../collector/live/index.ts';
import { engineModels } from '../detector/index.ts';
import { createDetectorLoop } from '../detector/live/index.ts';
import type { AlertmanagerPusher, EventType, HookEvent } from '../hooks/index.ts';
import {
  createAlertmanagerPusher,
  createDeliveryWorker,
  createWebhookStore,
  enqueue,
  parseAllowList,
} from '../hooks/live/index.ts';
import { readRecentValue } from '../signals/live/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { loadRules } from '../remediation/index.ts';
import { createRemediationLoop, createRemediationStore } from '../remediation/live/index.ts';
import {
  applyPolicies,
  createScalingLoop,
  createScalingStore,
  readPolicyFile,
} from '../scaling/live/index.ts';
import type { Config } from './config.ts';
import {
  checkDataDir,
  checkHost,
  dataDirInUse,
  listenFailure,
  withDeadline,
} from './startup-errors.ts';

/** Longest wait for storage to open and migrate before the start is given up, ms. */
const STORAGE_OPEN_TIMEOUT_MS = 120_000;

/** Which roles this process runs; `opsless start` runs them all. */
export interface Roles {
  collector: boolean;
  api: boolean;
  /** The detector and the share of services it evaluates (index of count). */
  detector: { index: number; count: number } | null;
}

export const ALL_ROLES: Roles = {
  collector: true,
  api: true,
  detector: { index: 0, count: 1 },
};

export interface RunningOpsless {
  /** Ports of the roles that run (null for a role this process does not run). */
  otlpHttpPort: number | null;
  otlpGrpcPort: number | null;
  apiPort: number | null;
  /** Stops accepting, flushes acknowledged data, closes storage; idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The detector and scaler begin once this resolves (the demo sends history first). */
  holdDetector?: Promise<void>;
  /** The demo's story, steered through the API's `/v1/demo` (only `opsless demo`). */
  demo?: DemoControl;
}

/**
 * Runs the given roles (default: all) in this process, on one storage. When a part fails
 * to start (a port in use, say), what was opened before it is closed and the error thrown.
 */
export async function startOpsless(
  config: Config,
  logger: Logger,
  roles: Roles = ALL_ROLES,
  options: StartOptions = {},
): Promise<RunningOpsless> {
  // A policy file is validated in full before anything is opened.
  const filePolicies =
    config.scalingPoliciesFile === undefined
      ? []
      : await readPolicyFile(config.scalingPoliciesFile);
  if (roles.collector || roles.api) await checkHost(config.host);
  const embedded = config.clickhouse.url === undefined;
  if (embedded && config.dataDir !== ':memory:') checkDataDir(config.dataDir);
  // Never silent: a folder or server that does not answer ends the start with a reason.
  const storage = await withDeadline(
    openStorage({
      url: config.clickhouse.url,
      user: config.clickhouse.user,
      password: config.clickhouse.password,
      database: config.clickhouse.database,
      dataDir: config.dataDir,
      cluster: config.clickhouse.cluster,
      retentionDays: config.retentionDays,
    }).catch((error: unknown) => {
      throw embedded && (error as { code?: string }).code === 'CHDB_CONNECTION'
        ? dataDirInUse(config.dataDir)
        : error;
    }),
    STORAGE_OPEN_TIMEOUT_MS,
    embedded
      ? `OPSLESS_DATA_DIR: opening the embedded database in "${config.dataDir}"`
      : 'CLICKHOUSE_URL: connecting to ClickHouse and applying the migrations',
  );
  const closers: Array<() => Promise<void>> = [];
  try {
    return await startRoles({ config, logger, roles, options, storage, closers, filePolicies });
  } catch (error) {
    // A later part failed to start: release what the earlier ones opened, storage last.
    for (const close of closers) await close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw error;
  }
}

/** What startRoles needs: the parsed configuration, the open storage, the closers so far. */
interface StartContext {
  config: Config;
  logger: Logger;
  roles: Roles;
  options: StartOptions;
  storage: Storage;
  /** Each part that opens something adds how to close it, in the order to close. */
  closers: Array<() => Promise<void>>;
  filePolicies: Awaited<ReturnType<typeof readPolicyFile>>;
}

/** Starts the roles on open storage; a part registers its closer as soon as it is open. */
async function startRoles(context: StartContext): Promise<RunningOpsless> {
  const { config, logger, roles, options, storage, closers, filePolicies } = context;
  let ready = false;
  let closing: Promise<void> | undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opsless_process_' });

  let otlpHttpPort: number | null = null;
  let otlpGrpcPort: number | null = null;
  if (roles.collector) {
    ({ httpPort: otlpHttpPort, grpcPort: otlpGrpcPort } = await startCollector(context, registry));
  }

  let apiPort: number | null = null;
  /** Where links in alerts point: OPSLESS_PUBLIC_URL, or this process's API address. */
  const publicUrl = () => config.publicUrl ?? localUrl(config.host, apiPort ?? config.apiPort);
  const webhookAllow = parseAllowList(config.webhookAllow);
  const webhooks = createWebhookStore(storage.client);
  const alertStore = createAlertStore(storage.client);
  let alertmanager: AlertmanagerPusher | undefined; // once the API address is known
  /** Puts an event in the outbox of every subscription that wants it. */
  const publish = async (type: EventType, data: HookEvent['data']): Promise<void> => {
    await enqueue(
      storage.client,
      await webhooks.all(),
      { type, timestamp: new Date().toISOString(), data },
      Date.now(),
    );
  };
  /** An alert event: to subscribers, and to Alertmanager at once (the re-send covers a failure). */
  const notify = async (type: EventType, alert: Alert): Promise<void> => {
    await publish(type, alert);
    await alertmanager?.push([alert]);
  };

  if (roles.api) {
    const api = createApi({
      registry,
      client: storage.client,
      apiKey: config.apiKey,
      maxBodyBytes: config.apiMaxBodyBytes,
      allowedHosts: [
        config.host,
        ...(config.publicUrl === undefined ? [] : [new URL(config.publicUrl).hostname]),
        ...config.allowedHosts,
      ],
      webhookAllow,
      remediationDisabled: config.remediation.disabled,
      info: {
        otlpHttpEndpoint: otlpHttpPort === null ? null : localUrl(config.host, otlpHttpPort),
        otlpGrpcEndpoint: otlpGrpcPort === null ? null : localUrl(config.host, otlpGrpcPort),
      },
      stepMs: config.detect.stepMs,
      demo: options.demo,
      isReady: () => ready,
      logger,
      onAlertTransition: (alert, to) =>
        notify(to === 'acknowledged' ? 'anomaly.acknowledged' : 'anomaly.resolved', alert),
    });
    const apiServer = serve({
      fetch: api.fetch,
      hostname: config.host,
      port: config.apiPort,
    }) as Server;
    closers.push(() => closeServer(apiServer));
    apiPort = await new Promise<number>((resolve, reject) => {
      apiServer.once('error', (error) =>
        reject(
          listenFailure(error, {
            variable: 'OPSLESS_API_PORT',
            host: config.host,
            port: config.apiPort,
          }),
        ),
      );
      apiServer.once('listening', () => resolve((apiServer.address() as AddressInfo).port));
    });
  }

  if (config.alertmanager) {
    alertmanager = createAlertmanagerPusher({
      url: config.alertmanager.url,
      intervalMs: config.alertmanager.resendMs,
      alerts: alertStore,
      publicUrl: publicUrl(),
      logger,
    });
  }

  const scalingStore = createScalingStore(storage.client);
  if (filePolicies.length > 0) {
    // An unchanged policy keeps what its scaler learned.
    const policies = filePolicies;
    const changed = await applyPolicies(scalingStore, policies, Date.now());
    logger.info(
      { file: config.scalingPoliciesFile, policies: policies.length, changed },
      'scaling policies loaded',
    );
  }

  if (config.remediation.rules.length > 0) {
    // Validated with the configuration; a rule stored exactly so is not written again.
    const loaded = await loadRules(
      createRemediationStore(storage.client),
      config.remediation.rules,
      Date.now(),
    );
    logger.info({ file: config.remediation.rulesFile, ...loaded }, 'remediation rules loaded');
  }

  if (roles.detector) {
    const scaling = createScalingLoop({
      client: storage.client,
      store: scalingStore,
      stepMs: config.detect.stepMs,
      lookbackMs: config.detect.lookbackMs,
      settleMs: config.detect.settleMs,
      shard: roles.detector,
      publish,
      allow: webhookAllow,
      logger,
    });
    closers.unshift(() => scaling.close());
    const loop = createDetectorLoop({
      client: storage.client,
      alerts: alertStore,
      models: engineModels(),
      stepMs: config.detect.stepMs,
      lookbackMs: config.detect.lookbackMs,
      settleMs: config.detect.settleMs,
      watchedMetrics: config.detect.watchedMetrics,
      shard: roles.detector,
      registry,
      logger,
      now: Date.now,
      onAlert: notify,
    });
    // Learn from the history already stored at once, then at every step.
    const begin = () => {
      if (closing) return; // stopped while held
      loop.evaluate().catch((error: unknown) => {
        logger.error({ err: error }, 'first evaluation failed');
      });
      loop.start();
      scaling.start();
    };
    if (options.holdDetector) void options.holdDetector.then(begin, begin);
    else begin();
    // Stopped first: it reads what the collector flushes, and nothing should wait on it.
    closers.unshift(() => loop.close());
    // One process delivers webhooks: the first detector shard (outbox rows are not locked).
    if (roles.detector.index === 0) {
      const deliveries = createDeliveryWorker({
        client: storage.client,
        store: webhooks,
        logger,
        allow: webhookAllow,
        retryScheduleMs: config.webhookRetryScheduleMs,
        publicUrl: publicUrl(),
      });
      deliveries.start();
      closers.unshift(() => deliveries.close());
      // … and runs the remediation runbooks (their state is in ClickHouse, as the outbox's).
      const remediation = createRemediationLoop({
        client: storage.client,
        alerts: alertStore,
        publish,
        notify,
        logger,
        allow: webhookAllow,
        killSwitchEnv: config.remediation.disabled,
        maxActionsPerHourGlobal: config.remediation.maxActionsPerHour,
        intervalMs: config.remediation.intervalMs,
        // A runbook's scale step goes through the service's scaling actuator.
        scale: (service, change, reason) => scaling.scale(service, change, reason),
        // Verification reads the alert's signal over the last settled steps.
        signalNow: (alert, nowMs) =>
          readRecentValue(storage.client, {
            service: alert.service,
            signal: alert.signal,
            operation: alert.operation,
            nowMs: nowMs - config.detect.settleMs,
            stepMs: config.detect.stepMs,
          }),
      });
      remediation.start();
      closers.unshift(() => remediation.close());
      // … and re-sends firing alerts to Alertmanager.
      if (alertmanager) {
        const pusher = alertmanager;
        pusher.start();
        closers.unshift(() => pusher.close());
      }
    }
  }
  ready = true;

  return {
    otlpHttpPort,
    otlpGrpcPort,
    apiPort,
    close: () =>
      (closing ??= (async () => {
        ready = false;
        for (const close of closers) await close();
        await storage.close();
      })()),
  };
}

/**
 * The collector role: restores its log patterns, then listens for OTLP over HTTP and gRPC;
 * its closer is registered before it listens, so a port in use still closes it.
 */
async function startCollector(
  context: Pick<StartContext, 'config' | 'logger' | 'storage' | 'closers'>,
  registry: Registry,
): Promise<{ httpPort: number; grpcPort: number }> {
  const { config, logger, storage, closers } = context;
  const collector = createCollector({
    registry,
    client: storage.client,
    limits: config.ingest,
    ingestKey: config.ingestKey,
    logPatterns: config.logPatterns,
    logger,
  });
  await collector.restore();
  closers.push(async () => {
    await Promise.all([
      closeServer(collector.httpServer),
      new Promise<void>((resolve) => collector.grpcServer.tryShutdown(() => resolve())),
    ]);
    await collector.close();
  });
  const otlpServer = await listen(collector.httpServer, config.host, config.otlpHttpPort).catch(
    (error: unknown) => {
      throw listenFailure(error, {
        variable: 'OPSLESS_OTLP_HTTP_PORT',
        host: config.host,
        port: config.otlpHttpPort,
      });
    },
  );
  const httpPort = (otlpServer.address() as AddressInfo).port;
  const grpcPort = await bindGrpc(collector.grpcServer, config.host, config.otlpGrpcPort).catch(
    (error: unknown) => {
      throw listenFailure(error, {
        variable: 'OPSLESS_OTLP_GRPC_PORT',
        host: config.host,
        port: config.otlpGrpcPort,
      });
    },
  );
  return { httpPort, grpcPort };
}

/** http://host:port of a port listening on `host`, as a client on this machine reaches it. */
export function localUrl(host: string, port: number): string {
  const reachable = ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
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
