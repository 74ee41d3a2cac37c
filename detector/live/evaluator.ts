import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SIGNALS, type MetricPoint, type StepValues } from '../../signals/index.ts';
import {
  busiestOperations,
  readUsualTraffic,
  readInstanceMetricSeries,
  readMetricSeries,
  readServicesSeries,
} from '../../signals/live/index.ts';
import {
  alignDown,
  LOG_PATTERN_COUNTS_TABLE,
  METRIC_TABLES,
  RED_TABLE,
} from '../../storage/index.ts';
import {
  advanceIncident,
  initialIncidentState,
  type Anomaly,
  type IncidentState,
  type Observation,
} from './incidents.ts';
import { applyAction } from './alert-actions.ts';
import type { EvaluatorOptions, ModelCache } from './evaluator-options.ts';
import {
  isRetired,
  metricSignal,
  scoreService,
  seriesKey,
  SERVICE_LEVEL,
  type ChunkSeries,
  type CompleteEnds,
} from './scoring.ts';
import {
  completeLogEnd,
  completeMetricEnd,
  completeSpanEnd,
  readWatermarks,
  type CompletionRule,
} from './watermarks.ts';
import { RATIO_POOL_STEPS } from './volume.ts';
import { addLogVerdicts, readServiceLogs } from './log-signals.ts';
import {
  INCIDENT_SIGNAL,
  loadStates,
  saveScores,
  saveStates,
  type ScoreRow,
  type StoredState,
} from './state-store.ts';

export { stepAlarm } from './scoring.ts';
export type { EvaluatorOptions, ModelCache } from './evaluator-options.ts';

export interface EvaluationReport {
  services: number;
  steps: number;
  alertsOpened: number;
  alertsResolved: number;
  /** How far the least advanced service's complete span steps end behind now, ms. */
  lagMs: number;
}

/** Default of EvaluatorOptions.maxWaitMs. */
export const DEFAULT_MAX_WAIT_MS = 5 * 60_000;

export function createModelCache(): ModelCache {
  return { series: new Map(), incidents: new Map() };
}

/** Writes every cached model's state (a checkpoint); a restart resumes from there. */
export async function checkpointModels(
  client: ClickHouseClient,
  cache: ModelCache,
  nowMs: number,
): Promise<void> {
  const states: StoredState[] = [];
  for (const entry of cache.series.values()) {
    states.push({
      service: entry.service,
      signal: entry.signal,
      operation: entry.operation,
      lastStepMs: entry.lastStepMs,
      state: entry.model.state(),
    });
    if (states.length >= CHECKPOINT_BATCH) await saveStates(client, states.splice(0), nowMs);
  }
  await saveStates(client, states, nowMs);
}

/** States written per insert when checkpointing. */
const CHECKPOINT_BATCH = 500;

/** A series' usual error ratio and request count are those of this long before its last steps. */
const USUAL_TRAFFIC_MS = 86_400_000;
/** The busiest operations are those of the last day. */
const OPERATIONS_WINDOW_MS = 86_400_000;

/** One evaluation cycle over every service of this shard; see EvaluatorOptions. */
export async function evaluateOnce(options: EvaluatorOptions): Promise<EvaluationReport> {
  const nowMs = options.now();
  const services = await listServices(options, nowMs - options.lookbackMs);
  const report: EvaluationReport = {
    services: services.length,
    steps: 0,
    alertsOpened: 0,
    alertsResolved: 0,
    lagMs: 0,
  };
  const stepMs = options.stepMs;
  const rule: CompletionRule = {
    nowMs,
    stepMs,
    settleMs: options.settleMs,
    maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
  };
  const marks = await readWatermarks(options.client, {
    services,
    metrics: options.watchedMetrics ?? [],
    sinceMs: nowMs - rule.maxWaitMs - WATERMARK_WINDOW_MS,
  });
  const ends = new Map(
    services.map((service) => [
      service,
      {
        spans: completeSpanEnd(marks, service, rule),
        metrics: completeMetricEnd(marks, service, rule),
      },
    ]),
  );
  const logEnds = new Map(
    services.map((service) => [service, completeLogEnd(marks, service, rule)]),
  );
  for (const end of ends.values()) report.lagMs = Math.max(report.lagMs, nowMs - end.spans);
  const operations = await busiestOperations(
    options.client,
    services,
    nowMs - OPERATIONS_WINDOW_MS,
    OPERATIONS_PER_SERVICE,
  );
  // Services whose models are in memory need one new step each and go in large chunks;
  // the others may learn weeks of history and go in small ones, to bound memory.
  const known = services.filter((service) => options.cache?.incidents.has(service));
  const unknown = services.filter((service) => !options.cache?.incidents.has(service));
  for (const [group, size] of [
    [known, SERVICES_PER_CHUNK],
    [unknown, LEARNING_SERVICES_PER_CHUNK],
  ] as const) {
    for (let start = 0; start < group.length; start += size) {
      const chunk = group.slice(start, start + size);
      await evaluateChunk(options, chunk, { operations, ends, logEnds, rule }, report);
    }
  }
  // Instances that went away leave no state behind: what is kept stays bounded.
  for (const [key, entry] of options.cache?.series ?? []) {
    if (isRetired(entry, nowMs)) options.cache?.series.delete(key);
  }
  return report;
}

/**
 * Services evaluated together: their states are loaded, their series read and their
 * scores and states written in one query each, which is what makes a cycle over
 * thousands of services cheap.
 */
const SERVICES_PER_CHUNK = 100;
/** The same for services that may learn from history (about 2 GB less at two weeks). */
const LEARNING_SERVICES_PER_CHUNK = 10;

/** What a cycle knows of every service before it evaluates them chunk by chunk. */
interface CycleContext {
  operations: Map<string, string[]>;
  ends: Map<string, CompleteEnds>;
  /** Where each service's complete log steps end (see completeLogEnd). */
  logEnds: Map<string, number>;
  rule: CompletionRule;
}

/** Watermarks are looked for this far before the longest wait. */
const WATERMARK_WINDOW_MS = 3_600_000;

async function evaluateChunk(
  options: EvaluatorOptions,
  services: string[],
  context: CycleContext,
  report: EvaluationReport,
): Promise<void> {
  const { operations, rule } = context;
  const { nowMs, stepMs } = rule;
  const endsOf = (service: string): CompleteEnds =>
    context.ends.get(service) ?? { spans: nowMs - rule.maxWaitMs, metrics: nowMs - rule.maxWaitMs };
  // A service's steps end where the latest of its signals is complete: a service that
  // sends only logs (or only metrics) is followed on what it sends.
  const serviceEndOf = (service: string): number =>
    Math.max(
      endsOf(service).spans,
      endsOf(service).metrics,
      context.logEnds.get(service) ?? -Infinity,
    );
  let endMs = -Infinity; // of this chunk's steps read
  for (const service of services) endMs = Math.max(endMs, serviceEndOf(service));
  const cache = options.cache;
  // With a cache, only services this process has not seen yet are read from storage.
  const stored = await loadStates(
    options.client,
    cache ? services.filter((service) => !cache.incidents.has(service)) : services,
  );
  const byKey = new Map(
    stored
      .filter((entry) => !isRetired(entry, nowMs))
      .map((entry) => [seriesKey(entry.service, entry.signal, entry.operation), entry]),
  );
  const series = await readChunk(options, services, operations, byKey, endMs);
  const liveWindowMs = Math.max(2 * stepMs, rule.maxWaitMs);
  const logs = await readServiceLogs(options.client, {
    services,
    fromMs: alignDown(endMs - liveWindowMs, stepMs) - stepMs,
    toMs: endMs,
    stepMs,
  });
  const scores: ScoreRow[] = [];
  const states: StoredState[] = [];
  for (const service of services) {
    const ends = endsOf(service);
    const out = scoreService(options, service, operations.get(service) ?? [], byKey, ends, series);
    const serviceEndMs = serviceEndOf(service);
    report.steps += out.steps;
    const incidentKey = seriesKey(service, INCIDENT_SIGNAL, SERVICE_LEVEL);
    let incident =
      cache?.incidents.get(service) ??
      (byKey.get(incidentKey)?.state as IncidentState | undefined) ??
      initialIncidentState();
    // Only recent steps may open alerts: history learned at first start describes the
    // past, not an incident to page anyone about now.
    const liveFromMs = serviceEndMs - liveWindowMs;
    addLogVerdicts(out, logs.get(service), {
      afterMs: Math.max(incident.lastStepMs ?? -Infinity, liveFromMs - 1),
      endMs: serviceEndMs,
    });
    // Metric steps complete later than span steps: values of a step the incident has
    // passed already count with its next step.
    const late = { anomalies: [] as Anomaly[], observations: [] as Observation[] };
    const advance = async (timeMs: number, anomalies: Anomaly[], observations: Observation[]) => {
      const next = advanceIncident(
        incident,
        timeMs,
        [...late.anomalies, ...anomalies],
        randomUUID,
        options.policy,
        [...late.observations, ...observations],
      );
      late.anomalies = [];
      late.observations = [];
      incident = { ...next.state, lastStepMs: Math.max(timeMs, incident.lastStepMs ?? timeMs) };
      if (next.action) {
        const kind = await applyAction(options, service, next.action, timeMs + stepMs);
        if (kind === 'opened') report.alertsOpened++;
        if (kind === 'resolved') report.alertsResolved++;
      }
    };
    for (const [timeMs, anomalies] of [...out.anomaliesByStep].sort((a, b) => a[0] - b[0])) {
      if (timeMs < liveFromMs) continue;
      const observations = out.observationsByStep.get(timeMs) ?? [];
      if (timeMs <= (incident.lastStepMs ?? -Infinity)) {
        late.anomalies.push(...anomalies);
        late.observations.push(...observations);
        continue;
      }
      await advance(timeMs, anomalies, observations);
    }
    if (late.observations.length > 0) await advance(incident.lastStepMs!, [], []);
    cache?.incidents.set(service, incident);
    for (const row of out.scores) scores.push(row);
    for (const state of out.states) states.push(state);
    states.push({
      service,
      signal: INCIDENT_SIGNAL,
      operation: SERVICE_LEVEL,
      lastStepMs: serviceEndMs,
      state: incident,
    });
  }
  await saveScores(options.client, scores);
  await saveStates(options.client, states, nowMs);
}

async function readChunk(
  options: EvaluatorOptions,
  services: string[],
  operations: Map<string, string[]>,
  byKey: Map<string, StoredState>,
  endMs: number,
): Promise<ChunkSeries> {
  const stepMs = options.stepMs;
  const lookbackStartMs = alignDown(endMs - options.lookbackMs, stepMs);
  const lastStepOf = (service: string, signal: string, operation: string) => {
    const key = seriesKey(service, signal, operation);
    return (
      options.cache?.series.get(key)?.lastStepMs ?? byKey.get(key)?.lastStepMs ?? lookbackStartMs
    );
  };
  const metrics = options.watchedMetrics ?? [];
  let redStartMs = endMs;
  let metricStartMs = endMs;
  for (const service of services) {
    for (const operation of [SERVICE_LEVEL, ...(operations.get(service) ?? [])]) {
      for (const signal of SIGNALS) {
        redStartMs = Math.min(redStartMs, lastStepOf(service, signal, operation));
      }
    }
    for (const metric of metrics) {
      metricStartMs = Math.min(metricStartMs, lastStepOf(service, metricSignal(metric), ''));
    }
  }
  // Error ratios are judged over the last steps pooled: read those before the new ones too.
  const redNeeded = redStartMs < endMs;
  redStartMs -= RATIO_POOL_STEPS * stepMs;
  const metricQuery = {
    services,
    metrics,
    fromMs: metricStartMs,
    toMs: endMs,
    stepSeconds: options.stepMs / 1000,
  };
  const metricsNeeded = metrics.length > 0 && metricStartMs < endMs;
  const [red, metricSeries, instances, usualTraffic] = await Promise.all([
    redNeeded
      ? readServicesSeries(options.client, {
          operations: new Map(services.map((service) => [service, operations.get(service) ?? []])),
          fromMs: redStartMs,
          toMs: endMs,
          stepSeconds: options.stepMs / 1000,
        })
      : new Map<string, Map<string, StepValues[]>>(),
    metricsNeeded
      ? readMetricSeries(options.client, metricQuery)
      : new Map<string, Map<string, MetricPoint[]>>(),
    metricsNeeded
      ? readInstanceMetricSeries(options.client, metricQuery)
      : new Map<string, Map<string, Map<string, MetricPoint[]>>>(),
    readUsualTraffic(options.client, {
      services,
      fromMs: endMs - USUAL_TRAFFIC_MS,
      toMs: endMs - RATIO_POOL_STEPS * stepMs,
      stepMs,
    }),
  ]);
  return { red, metrics: metricSeries, instances, usualTraffic };
}

/**
 * The services of this shard with something to evaluate: requests in the rollup, watched
 * metrics or logs (a service that sends only metrics or only logs is evaluated on those).
 */
async function listServices(options: EvaluatorOptions, sinceMs: number): Promise<string[]> {
  const watched = options.watchedMetrics ?? [];
  const metricServices = WATCHED_METRIC_TABLES.map(
    (table) => `SELECT DISTINCT ServiceName AS service FROM ${table}
  WHERE MetricName IN {metrics:Array(String)} AND TimeUnix >= fromUnixTimestamp64Milli({since:Int64})`,
  );
  const result = await options.client.query({
    query: `SELECT DISTINCT service FROM (
  SELECT DISTINCT ServiceName AS service FROM ${RED_TABLE}
  WHERE Bucket >= toDateTime(intDiv({since:Int64}, 1000))
  UNION ALL
  SELECT DISTINCT ServiceName AS service FROM ${LOG_PATTERN_COUNTS_TABLE}
  WHERE Minute >= toStartOfMinute(toDateTime(intDiv({since:Int64}, 1000)))${
    watched.length === 0 ? '' : `\n  UNION ALL\n  ${metricServices.join('\n  UNION ALL\n  ')}`
  }
)
WHERE cityHash64(service) % {count:UInt32} = {index:UInt32}
ORDER BY service LIMIT 100000`,
    query_params: {
      since: sinceMs,
      count: options.shard.count,
      index: options.shard.index,
      metrics: watched,
    },
    format: 'JSONEachRow',
  });
  return (await result.json<{ service: string }>()).map((row) => row.service);
}

/** The tables watched metrics are read from (see readMetricSeries). */
const WATCHED_METRIC_TABLES = [
  METRIC_TABLES.gauge.table,
  METRIC_TABLES.sum.table,
  METRIC_TABLES.histogram.table,
];

/** Operations per service that get series of their own (the busiest, by requests). */
export const OPERATIONS_PER_SERVICE = 3;
