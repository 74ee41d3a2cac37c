/**
 * Runs scenarios through the production path on a fast-forwarded clock: OTLP/protobuf into
 * the collector's HTTP receiver, ClickHouse (embedded chDB) and its rollups, the live
 * evaluator as `opsless start` builds it (its `now` injected), incidents, alerts and the
 * notifications it emits (`onAlert`, which `opsless start` turns into webhooks).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import { createAlertStore } from '../../alerts/live/index.ts';
import { loadConfig, type Config, type RunningOpsless } from '../../cli/index.ts';
import { startOpsless } from '../../cli/live/index.ts';
import { engineModels } from '../../detector/index.ts';
import { createDetectorLoop } from '../../detector/live/index.ts';
import { createStorageClient } from '../../storage/live/index.ts';
import { createResources, encodePoints, encodeSpans, send } from './otlp.ts';
import type { Scenario } from './scenarios.ts';
import type { AlertEvent } from './score.ts';
import { createTraffic, type PlannedPoint, type PlannedSpan } from './traffic.ts';

export interface ScenarioRun {
  events: AlertEvent[];
  spans: number;
  points: number;
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

/** Starts the collector role on embedded chDB (in memory) and a client on the same engine. */
export async function createHarness(): Promise<Harness> {
  const config = loadConfig({
    OPSLESS_DATA_DIR: ':memory:',
    OPSLESS_OTLP_HTTP_PORT: '0',
    OPSLESS_OTLP_GRPC_PORT: '0',
    OPSLESS_FLUSH_INTERVAL_MS: '20',
    OPSLESS_RETENTION_DAYS: '0',
  });
  const logger = pino({ level: 'silent' });
  const opsless: RunningOpsless = await startOpsless(config, logger, {
    collector: true,
    api: false,
    detector: null,
  });
  const client = createStorageClient({ dataDir: config.dataDir });
  const otlp = `http://127.0.0.1:${opsless.otlpHttpPort}`;
  return {
    run: (scenario) => runScenario({ scenario, client, config, otlp }),
    async close() {
      await opsless.close();
      await client.close();
    },
  };
}

async function runScenario(context: {
  scenario: Scenario;
  client: ClickHouseClient;
  config: Config;
  otlp: string;
}): Promise<ScenarioRun> {
  const { scenario, client, config, otlp } = context;
  const started = performance.now();
  await emptyTables(client);
  const resources = createResources();
  const traffic = createTraffic(scenario);
  const counts = { spans: 0, points: 0 };
  const deliver = async (spans: PlannedSpan[], points: PlannedPoint[]) => {
    counts.spans += spans.length;
    counts.points += points.length;
    // Traces and metrics come from different exporters, so they travel side by side.
    await Promise.all([
      spans.length > 0 ? send(`${otlp}/v1/traces`, encodeSpans(spans, resources)) : undefined,
      points.length > 0 ? send(`${otlp}/v1/metrics`, encodePoints(points, resources)) : undefined,
    ]);
  };

  // History: everything arrives before the detector starts, as after a backfill.
  for (let from = 0; from < scenario.historySteps; from += HISTORY_STEPS_PER_REQUEST) {
    const spans: PlannedSpan[] = [];
    const points: PlannedPoint[] = [];
    const to = Math.min(scenario.historySteps, from + HISTORY_STEPS_PER_REQUEST);
    for (let step = from; step < to; step++) {
      const telemetry = traffic.step(step);
      for (const span of telemetry.spans) spans.push(span);
      for (const point of telemetry.points) points.push(point);
    }
    await deliver(spans, points);
  }

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
        signal: alert.signal,
        signals: alert.signals,
        step: evaluatedStep,
      });
    },
  });
  // Live data arrives as exporters send it: a span shortly after it ends, a point shortly
  // after it is taken, what a slow host holds back one step later. Each cycle, everything
  // that has arrived by then is stored first, the first seconds of the next step included.
  const pending: { spans: PlannedSpan[]; points: PlannedPoint[] } = { spans: [], points: [] };
  const end = scenario.historySteps + scenario.liveSteps;
  const generate = (step: number) => {
    if (step >= end) return;
    const telemetry = traffic.step(step);
    for (const span of telemetry.spans) pending.spans.push(span);
    for (const point of telemetry.points) pending.points.push(point);
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
  const cycle = async () => {
    await deliver(
      arrivedBy(pending.spans, spanArrival, nowMs),
      arrivedBy(pending.points, pointArrival, nowMs),
    );
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
