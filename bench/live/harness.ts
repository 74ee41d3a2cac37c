/**
 * Runs scenarios through the production path on a fast-forwarded clock: OTLP/protobuf into
 * the collector's HTTP receiver, ClickHouse (embedded chDB) and its rollups, the live
 * evaluator as `opsless start` builds it (its `now` injected), incidents, alerts and the
 * notifications it emits (`onAlert`, which `opsless start` turns into webhooks).
 */
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { createAlertStore } from '../../alerts/live/index.ts';
import { loadConfig, type Config } from '../../cli/index.ts';
import { createCollector } from '../../collector/live/index.ts';
import { engineModels } from '../../detector/index.ts';
import { createDetectorLoop } from '../../detector/live/index.ts';
import { SERVICE_EDGES_TABLE, serviceEdgesSelect } from '../../storage/index.ts';
import { openStorage } from '../../storage/live/index.ts';
import type { PlannedLog } from './logs.ts';
import { createResources, encodeLogs, encodePoints, encodeSpans, send } from './otlp.ts';
import type { Scenario } from './scenario-model.ts';
import type { AlertEvent } from './score.ts';
import type { PlannedPoint, PlannedSpan } from './planned-telemetry.ts';
import { createTraffic } from './traffic.ts';

export interface ScenarioRun {
  events: AlertEvent[];
  spans: number;
  points: number;
  logs: number;
  seconds: number;
}

export interface Harness {
  run(scenario: Scenario): Promise<ScenarioRun>;
  close(): Promise<void>;
}

/** From a span's end (or a point's time) to its arrival: an exporter's batching, ms. */
const EXPORT_DELAY_MS = 2_000;

/** History is sent in requests of this many steps. */
const HISTORY_STEPS_PER_REQUEST = 20;

/**
 * Opens embedded chDB (in memory) with the schema; each scenario gets a collector of its
 * own on it (emptied tables and a collector that remembers no log pattern of the scenario
 * before: a restarted collector would read its patterns back from the tables).
 */
export async function createHarness(): Promise<Harness> {
  const config = loadConfig({
    OPSLESS_DATA_DIR: ':memory:',
    OPSLESS_FLUSH_INTERVAL_MS: '20',
    OPSLESS_RETENTION_DAYS: '0',
  });
  const storage = await openStorage({ dataDir: config.dataDir, retentionDays: 0 });
  return {
    run: (scenario) => runScenario({ scenario, client: storage.client, config }),
    close: () => storage.close(),
  };
}

/** The collector as `opsless collector` builds it, its OTLP/HTTP receiver on a free port. */
async function startCollector(
  client: ClickHouseClient,
  config: Config,
): Promise<{ url: string; close(): Promise<void> }> {
  const collector = createCollector({
    registry: new Registry(),
    client,
    limits: config.ingest,
    logPatterns: config.logPatterns,
    logger: pino({ level: 'silent' }),
  });
  await collector.restore();
  const server = collector.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await collector.close();
    },
  };
}

async function runScenario(context: {
  scenario: Scenario;
  client: ClickHouseClient;
  config: Config;
}): Promise<ScenarioRun> {
  const { scenario, client, config } = context;
  const started = performance.now();
  await emptyTables(client);
  const collector = await startCollector(client, config);
  try {
    return await runOnCollector({ scenario, client, config, otlp: collector.url, started });
  } finally {
    await collector.close();
  }
}

async function runOnCollector(context: {
  scenario: Scenario;
  client: ClickHouseClient;
  config: Config;
  otlp: string;
  started: number;
}): Promise<ScenarioRun> {
  const { scenario, client, config, otlp, started } = context;
  const resources = createResources();
  const traffic = createTraffic(scenario);
  const counts = { spans: 0, points: 0, logs: 0 };
  const deliver = async (spans: PlannedSpan[], points: PlannedPoint[], logs: PlannedLog[]) => {
    counts.spans += spans.length;
    counts.points += points.length;
    counts.logs += logs.length;
    // Traces, metrics and logs come from different exporters, so they travel side by side.
    await Promise.all([
      spans.length > 0 ? send(`${otlp}/v1/traces`, encodeSpans(spans, resources)) : undefined,
      points.length > 0 ? send(`${otlp}/v1/metrics`, encodePoints(points, resources)) : undefined,
      logs.length > 0 ? send(`${otlp}/v1/logs`, encodeLogs(logs, resources)) : undefined,
    ]);
  };

  // History: everything arrives before the detector starts, as after a backfill.
  for (let from = 0; from < scenario.historySteps; from += HISTORY_STEPS_PER_REQUEST) {
    const spans: PlannedSpan[] = [];
    const points: PlannedPoint[] = [];
    const logs: PlannedLog[] = [];
    const to = Math.min(scenario.historySteps, from + HISTORY_STEPS_PER_REQUEST);
    for (let step = from; step < to; step++) {
      const telemetry = traffic.step(step);
      for (const span of telemetry.spans) spans.push(span);
      for (const point of telemetry.points) points.push(point);
      for (const log of telemetry.logs) logs.push(log);
    }
    await deliver(spans, points, logs);
  }
  await refreshServiceMap(
    client,
    scenario.startMs + scenario.historySteps * scenario.stepMs,
    (scenario.historySteps * scenario.stepMs) / 60_000,
  );

  const stepMs = scenario.stepMs;
  const settleMs = config.detect.settleMs;
  let nowMs = scenario.startMs + scenario.historySteps * stepMs + settleMs + 50;
  let evaluatedStep = scenario.historySteps - 1;
  const events: AlertEvent[] = [];
  const loop = createDetectorLoop({
    client,
    alerts: createAlertStore(client),
    models: engineModels(),
    stepMs,
    lookbackMs: config.detect.lookbackMs,
    settleMs,
    watchedMetrics: config.detect.watchedMetrics,
    shard: { index: 0, count: 1 },
    logger: pino({ level: 'silent' }),
    now: () => nowMs,
    onAlert: async (type, alert) => {
      events.push({
        type,
        alertId: alert.id,
        service: alert.service,
        services: alert.services ?? [alert.service],
        signal: alert.signal,
        signals: alert.signals,
        rootCause: alert.rootCause?.[0]?.service ?? null,
        step: evaluatedStep,
        summary: alert.summary,
      });
    },
  });
  // Live data arrives as exporters send it: a span shortly after it ends, a point shortly
  // after it is taken, what a slow host holds back one step later. Each cycle, everything
  // that has arrived by then is stored first, the first seconds of the next step included.
  const pending: { spans: PlannedSpan[]; points: PlannedPoint[]; logs: PlannedLog[] } = {
    spans: [],
    points: [],
    logs: [],
  };
  const end = scenario.historySteps + scenario.liveSteps;
  const generate = (step: number) => {
    if (step >= end) return;
    const telemetry = traffic.step(step);
    for (const span of telemetry.spans) pending.spans.push(span);
    for (const point of telemetry.points) pending.points.push(point);
    for (const log of telemetry.logs) pending.logs.push(log);
  };
  const arrivedBy = <T>(items: T[], arrival: (item: T) => number, atMs: number): T[] => {
    const arrived = items.filter((item) => arrival(item) <= atMs);
    const waiting = items.filter((item) => arrival(item) > atMs);
    items.splice(0, items.length, ...waiting);
    return arrived;
  };
  const spanArrival = (span: PlannedSpan) =>
    span.startMs + span.durationMs + EXPORT_DELAY_MS + (span.late ? stepMs : 0);
  const pointArrival = (point: PlannedPoint) =>
    point.timeMs + EXPORT_DELAY_MS + (point.late ? stepMs : 0);
  const logArrival = (log: PlannedLog) => log.timeMs + EXPORT_DELAY_MS + (log.late ? stepMs : 0);
  const cycle = async () => {
    await deliver(
      arrivedBy(pending.spans, spanArrival, nowMs),
      arrivedBy(pending.points, pointArrival, nowMs),
      arrivedBy(pending.logs, logArrival, nowMs),
    );
    await refreshServiceMap(client, nowMs);
    await loop.evaluate();
  };
  try {
    generate(scenario.historySteps);
    await cycle(); // learns the history
    for (let step = scenario.historySteps; step < end; step++) {
      generate(step + 1);
      evaluatedStep = step;
      nowMs = scenario.startMs + (step + 1) * stepMs + settleMs + 50;
      await cycle();
    }
  } finally {
    await loop.close();
  }
  return { events, ...counts, seconds: (performance.now() - started) / 1000 };
}

/**
 * The service map's refreshable view runs on the wall clock, which is not the scenario's:
 * the harness does its refresh at the simulated `nowMs` instead (the closed minutes before it).
 */
async function refreshServiceMap(
  client: ClickHouseClient,
  nowMs: number,
  /** Minutes recomputed (default: as many as the view does). */
  minutes?: number,
): Promise<void> {
  const upto = `toStartOfMinute(toDateTime(${Math.floor(nowMs / 1000)}))`;
  const select = serviceEdgesSelect(upto, minutes === undefined ? undefined : Math.ceil(minutes));
  await client.command({ query: `INSERT INTO ${SERVICE_EDGES_TABLE} ${select}` });
}

/** A fresh start for each scenario: every table of the schema emptied (views stay). */
async function emptyTables(client: ClickHouseClient): Promise<void> {
  const result = await client.query({
    query: `SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree'`,
    format: 'JSONEachRow',
  });
  for (const { name } of await result.json<{ name: string }>()) {
    // Names come from the schema's own tables; checked anyway before they go into SQL.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
    await client.command({ query: `TRUNCATE TABLE ${name}` });
  }
}
