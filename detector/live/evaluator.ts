import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { explainAnomaly, type Alert, type AlertStore } from '../../alerts/index.ts';
import {
  busiestOperations,
  METRIC_SIGNAL_PREFIX,
  readMetricSeries,
  readServicesSeries,
  signalInfo,
  SIGNALS,
  type MetricPoint,
  type StepValues,
} from '../../signals/index.ts';
import { METRIC_TABLES, RED_TABLE } from '../../storage/index.ts';
import type { SeriesModel, SeriesModels } from './models.ts';
import type { Verdict } from '../types.ts';
import {
  advanceIncident,
  initialIncidentState,
  type Anomaly,
  type IncidentAction,
  type IncidentPolicy,
  type IncidentState,
} from './incidents.ts';
import {
  INCIDENT_SIGNAL,
  loadStates,
  saveScores,
  saveStates,
  type ScoreRow,
  type StoredState,
} from './state-store.ts';

export interface EvaluatorOptions {
  client: ClickHouseClient;
  alerts: AlertStore;
  models: SeriesModels;
  stepSeconds: number;
  /** History a new series learns from, ms (default 7 days). */
  lookbackMs: number;
  /** This process evaluates the services whose hash falls in its shard. */
  shard: { index: number; count: number };
  /** A step is complete this long after it ends (spans arrive late), ms. */
  settleMs: number;
  /** Metric names watched per service (their signals are `metric:<name>`). */
  watchedMetrics?: readonly string[];
  /**
   * Models kept in memory between cycles by a long-running detector. Without it every
   * cycle loads and stores every model; with it, models are read once and written only
   * when `checkpoint` is true (incident states are written every cycle regardless).
   */
  cache?: ModelCache;
  /** Write model states this cycle (default true). */
  checkpoint?: boolean;
  policy?: IncidentPolicy;
  logger: Logger;
  now: () => number;
  /** Told of every alert opened, updated or resolved, e.g. to notify subscribers. */
  onAlert?: (
    type: 'anomaly.opened' | 'anomaly.updated' | 'anomaly.resolved',
    alert: Alert,
  ) => Promise<void>;
}

export interface EvaluationReport {
  services: number;
  steps: number;
  alertsOpened: number;
  alertsResolved: number;
}

const SERVICE_LEVEL = '';

/** Models and incident states of the series this process evaluates, by series key. */
export interface ModelCache {
  series: Map<
    string,
    { model: SeriesModel; lastStepMs: number; service: string; signal: string; operation: string }
  >;
  incidents: Map<string, IncidentState>;
}

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

/** How far back from now the scores of steps learned from history are kept. */
const SCORED_HISTORY_MS = 86_400_000;

/** States written per insert when checkpointing. */
const CHECKPOINT_BATCH = 500;

function seriesKey(service: string, signal: string, operation: string): string {
  return `${service}\u0000${signal}\u0000${operation}`;
}
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
  };
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
      await evaluateChunk(options, group.slice(start, start + size), operations, nowMs, report);
    }
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

async function evaluateChunk(
  options: EvaluatorOptions,
  services: string[],
  operations: Map<string, string[]>,
  nowMs: number,
  report: EvaluationReport,
): Promise<void> {
  const stepMs = options.stepSeconds * 1000;
  const endMs = Math.floor((nowMs - options.settleMs) / stepMs) * stepMs; // exclusive end of complete steps
  const cache = options.cache;
  // With a cache, only services this process has not seen yet are read from storage.
  const stored = await loadStates(
    options.client,
    cache ? services.filter((service) => !cache.incidents.has(service)) : services,
  );
  const byKey = new Map(
    stored.map((entry) => [seriesKey(entry.service, entry.signal, entry.operation), entry]),
  );
  const series = await readChunk(options, services, operations, byKey, endMs);
  const scores: ScoreRow[] = [];
  const states: StoredState[] = [];
  for (const service of services) {
    const out = scoreService(options, service, operations.get(service) ?? [], byKey, endMs, series);
    report.steps += out.steps;
    const incidentKey = seriesKey(service, INCIDENT_SIGNAL, SERVICE_LEVEL);
    let incident =
      cache?.incidents.get(service) ??
      (byKey.get(incidentKey)?.state as IncidentState | undefined) ??
      initialIncidentState();
    // Only steps of the last two intervals may open alerts: history learned at first
    // start describes the past, not an incident to page anyone about now.
    const liveFromMs = endMs - 2 * stepMs;
    for (const [timeMs, anomalies] of [...out.anomaliesByStep].sort((a, b) => a[0] - b[0])) {
      if (timeMs < liveFromMs) continue;
      const next = advanceIncident(incident, timeMs, anomalies, randomUUID, options.policy);
      incident = next.state;
      if (next.action) {
        const kind = await applyAction(options, service, next.action, timeMs + stepMs);
        if (kind === 'opened') report.alertsOpened++;
        if (kind === 'resolved') report.alertsResolved++;
      }
    }
    cache?.incidents.set(service, incident);
    for (const row of out.scores) scores.push(row);
    for (const state of out.states) states.push(state);
    states.push({
      service,
      signal: INCIDENT_SIGNAL,
      operation: SERVICE_LEVEL,
      lastStepMs: endMs,
      state: incident,
    });
  }
  await saveScores(options.client, scores);
  await saveStates(options.client, states, nowMs);
}

/** The rollup and watched-metric series a chunk of services needs, in one read of each. */
interface ChunkSeries {
  red: Map<string, Map<string, StepValues[]>>;
  metrics: Map<string, Map<string, MetricPoint[]>>;
}

async function readChunk(
  options: EvaluatorOptions,
  services: string[],
  operations: Map<string, string[]>,
  byKey: Map<string, StoredState>,
  endMs: number,
): Promise<ChunkSeries> {
  const stepMs = options.stepSeconds * 1000;
  const lookbackStartMs = Math.floor((endMs - options.lookbackMs) / stepMs) * stepMs;
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
  const [red, metricSeries] = await Promise.all([
    redStartMs < endMs
      ? readServicesSeries(options.client, {
          operations: new Map(services.map((service) => [service, operations.get(service) ?? []])),
          fromMs: redStartMs,
          toMs: endMs,
          stepSeconds: options.stepSeconds,
        })
      : new Map<string, Map<string, StepValues[]>>(),
    metrics.length > 0 && metricStartMs < endMs
      ? readMetricSeries(options.client, {
          services,
          metrics,
          fromMs: metricStartMs,
          toMs: endMs,
          stepSeconds: options.stepSeconds,
        })
      : new Map<string, Map<string, MetricPoint[]>>(),
  ]);
  return { red, metrics: metricSeries };
}

/**
 * The services of this shard with something to evaluate: requests in the rollup, or
 * watched metrics (a service that sends only metrics is evaluated on those).
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
  WHERE Bucket >= toDateTime(intDiv({since:Int64}, 1000))${
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

/** What scoring a service's series produces. */
interface ServiceScores {
  states: StoredState[];
  /** Steps fed to models (scores are kept for the recent ones only). */
  steps: number;
  scores: ScoreRow[];
  anomaliesByStep: Map<number, Anomaly[]>;
}

/**
 * Feeds every new complete step of each signal of `service`, of its busiest operations
 * and of its watched metrics, to its model.
 */
function scoreService(
  options: EvaluatorOptions,
  service: string,
  operations: string[],
  byKey: Map<string, StoredState>,
  endMs: number,
  chunk: ChunkSeries,
): ServiceScores {
  const stored = (signal: string, operation: string) =>
    byKey.get(seriesKey(service, signal, operation));
  const series = chunk.red.get(service) ?? new Map<string, StepValues[]>();
  const metricSeries = chunk.metrics.get(service) ?? new Map<string, MetricPoint[]>();
  const out: ServiceScores = { states: [], steps: 0, scores: [], anomaliesByStep: new Map() };
  for (const operation of [SERVICE_LEVEL, ...operations]) {
    const steps = series.get(operation) ?? [];
    for (const signal of SIGNALS) {
      const values = new Map(steps.map((step) => [step.timeMs, step.values[signal]]));
      // A step without requests is a rate of zero (a traffic drop); it has no error
      // ratio or latency to learn from.
      feedSeries(options, out, {
        service,
        signal,
        operation,
        entry: stored(signal, operation),
        values,
        firstMs: steps[0]?.timeMs ?? endMs,
        missingIsZero: signal === 'request_rate',
        endMs,
      });
    }
  }
  for (const metric of options.watchedMetrics ?? []) {
    const points = metricSeries.get(metric) ?? [];
    const signal = metricSignal(metric);
    feedSeries(options, out, {
      service,
      signal,
      operation: SERVICE_LEVEL,
      entry: stored(signal, SERVICE_LEVEL),
      values: new Map(points.map((point) => [point.timeMs, point.value])),
      firstMs: points[0]?.timeMs ?? endMs,
      missingIsZero: false,
      endMs,
    });
  }
  return out;
}

function metricSignal(metric: string): string {
  return `${METRIC_SIGNAL_PREFIX}${metric}`;
}

/** Runs one series' new steps through its model, collecting scores, anomalies and state. */
function feedSeries(
  options: EvaluatorOptions,
  out: ServiceScores,
  series: {
    service: string;
    signal: string;
    operation: string;
    entry: StoredState | undefined;
    values: Map<number, number>;
    firstMs: number;
    missingIsZero: boolean;
    endMs: number;
  },
): void {
  const { service, signal, operation, entry, values, endMs } = series;
  const stepMs = options.stepSeconds * 1000;
  const key = seriesKey(service, signal, operation);
  const cached = options.cache?.series.get(key);
  const model =
    cached?.model ?? (entry ? options.models.restore(entry.state) : options.models.create());
  const from = cached?.lastStepMs ?? entry?.lastStepMs ?? series.firstMs;
  for (let timeMs = from; timeMs < endMs; timeMs += stepMs) {
    const observed = values.get(timeMs);
    if (observed === undefined && !series.missingIsZero) continue;
    const value = observed ?? 0;
    const verdict = model.update(timeMs, value);
    out.steps++;
    // Learning a long history keeps only its last day of scores: enough for charts of
    // the recent past, without writing a row per step of weeks.
    if (timeMs < endMs - SCORED_HISTORY_MS) continue;
    out.scores.push({
      service,
      signal,
      operation,
      timeMs,
      observed: value,
      ...verdict,
      model: verdict.models.join('+'),
    });
    const anomalies = out.anomaliesByStep.get(timeMs) ?? [];
    const alarm = stepAlarm(verdict, value, options.models.threshold);
    if (alarm !== null && !model.learning()) {
      anomalies.push({
        signal,
        operation: operation === SERVICE_LEVEL ? null : operation,
        score: verdict.score,
        observed: value,
        expected: verdict.expected,
        alarm,
      });
    }
    // Steps without an anomaly still advance incidents (toward resolution).
    out.anomaliesByStep.set(timeMs, anomalies);
  }
  const lastStepMs = Math.max(from, endMs);
  options.cache?.series.set(key, { model, lastStepMs, service, signal, operation });
  if (options.checkpoint ?? true) {
    out.states.push({ service, signal, operation, lastStepMs, state: model.state() });
  }
}

/** Writes what an incident decision means for its alert; returns what happened. */
async function applyAction(
  options: EvaluatorOptions,
  service: string,
  action: IncidentAction,
  atMs: number,
): Promise<'opened' | 'updated' | 'resolved' | 'none'> {
  const now = new Date(Math.max(atMs, options.now())).toISOString();
  const incident = action.incident;
  if (action.kind === 'open') {
    const first = incident.first;
    const signal = first.signal;
    const info = signalInfo(signal);
    const stepMs = options.stepSeconds * 1000;
    const explanation = await explainAnomaly(options.client, {
      service,
      // A drop in traffic is explained by what went missing, not by what remained.
      focus: signal === 'request_rate' && first.observed < first.expected ? 'missing' : info.focus,
      fromMs: incident.openedAtMs - stepMs,
      toMs: atMs,
    });
    const alert: Alert = {
      id: incident.alertId,
      service,
      signal,
      signals: incident.signals,
      operation: first.operation,
      severity: incident.severity,
      status: 'open',
      score: first.score,
      observed: first.observed,
      expected: first.expected,
      openedAt: new Date(incident.openedAtMs).toISOString(),
      updatedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      summary: `${service}${first.operation ? ` ${first.operation}` : ''}: ${signal} is ${format(first.observed)}${info.unit ? ` ${info.unit}` : ''}, expected about ${format(first.expected)}`,
      explanation,
    };
    await options.alerts.save(alert);
    await options.onAlert?.('anomaly.opened', alert);
    return 'opened';
  }
  const existing = await options.alerts.get(incident.alertId);
  if (!existing) return 'none';
  if (action.kind === 'resolve') {
    if (existing.status === 'resolved') return 'none'; // a person resolved it already
    const alert: Alert = {
      ...existing,
      status: 'resolved',
      updatedAt: now,
      resolvedAt: now,
      resolvedBy: 'opsless',
    };
    await options.alerts.save(alert);
    await options.onAlert?.('anomaly.resolved', alert);
    return 'resolved';
  }
  const reopened = action.kind === 'reopen';
  if (!reopened && existing.status === 'resolved') return 'none';
  const alert: Alert = {
    ...existing,
    status: reopened ? 'open' : existing.status,
    signals: incident.signals,
    // Never lower: a failed remediation may have escalated the alert to critical.
    severity: higherSeverity(existing.severity, incident.severity),
    score: Math.max(existing.score, incident.peakScore),
    updatedAt: now,
    ...(reopened ? { resolvedAt: null, resolvedBy: null } : {}),
  };
  await options.alerts.save(alert);
  await options.onAlert?.(reopened ? 'anomaly.opened' : 'anomaly.updated', alert);
  return reopened ? 'opened' : 'updated';
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

function higherSeverity(a: Alert['severity'], b: Alert['severity']): Alert['severity'] {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/**
 * What a scored step means for incidents: null when the value is inside its band, else
 * whether it is an alarm (score at or above `threshold`; an alarm can open an incident,
 * any value outside the band keeps one open). An alert shows the value beside its band,
 * so a value inside it never alarms: the engine also scores new extremes of a series
 * (its best evidence on the NAB corpus), which a growing or noisy service sets within
 * its band now and then.
 */
export function stepAlarm(
  verdict: Pick<Verdict, 'score' | 'lower' | 'upper'>,
  value: number,
  threshold: number,
): boolean | null {
  if (value >= verdict.lower && value <= verdict.upper) return null;
  return verdict.score >= threshold;
}
