import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { explainAnomaly, type Alert, type AlertStore } from '../../alerts/index.ts';
import {
  busiestOperations,
  METRIC_SIGNAL_PREFIX,
  readMetricSeries,
  readServiceSeries,
  signalInfo,
  SIGNALS,
  type MetricPoint,
  type StepValues,
} from '../../signals/index.ts';
import { RED_TABLE } from '../../storage/index.ts';
import type { SeriesModel, SeriesModels } from './models.ts';
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

/** States written per insert when checkpointing. */
const CHECKPOINT_BATCH = 500;

function seriesKey(service: string, signal: string, operation: string): string {
  return `${service}\u0000${signal}\u0000${operation}`;
}
/** The busiest operations are those of the last day. */
const OPERATIONS_WINDOW_MS = 86_400_000;

/** One evaluation cycle over every service of this shard; see EvaluatorOptions. */
export async function evaluateOnce(options: EvaluatorOptions): Promise<EvaluationReport> {
  const stepMs = options.stepSeconds * 1000;
  const nowMs = options.now();
  const endMs = Math.floor((nowMs - options.settleMs) / stepMs) * stepMs; // exclusive end of complete steps
  const services = await listServices(options, nowMs - options.lookbackMs);
  const cache = options.cache;
  // With a cache, only services this process has not seen yet are read from storage.
  const stored = await loadStates(
    options.client,
    cache ? services.filter((service) => !cache.incidents.has(service)) : services,
  );
  const byKey = new Map(
    stored.map((entry) => [seriesKey(entry.service, entry.signal, entry.operation), entry]),
  );
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
  for (const service of services) {
    const { states, scores, anomaliesByStep } = await scoreService(
      options,
      service,
      operations.get(service) ?? [],
      byKey,
      endMs,
    );
    report.steps += scores.length;
    const incidentKey = seriesKey(service, INCIDENT_SIGNAL, SERVICE_LEVEL);
    let incident =
      cache?.incidents.get(service) ??
      (byKey.get(incidentKey)?.state as IncidentState | undefined) ??
      initialIncidentState();
    // Only steps of the last two intervals may open alerts: history learned at first
    // start describes the past, not an incident to page anyone about now.
    const liveFromMs = endMs - 2 * stepMs;
    for (const [timeMs, anomalies] of [...anomaliesByStep].sort((a, b) => a[0] - b[0])) {
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
    states.push({
      service,
      signal: INCIDENT_SIGNAL,
      operation: SERVICE_LEVEL,
      lastStepMs: endMs,
      state: incident,
    });
    await saveScores(options.client, scores);
    await saveStates(options.client, states, nowMs);
  }
  return report;
}

async function listServices(options: EvaluatorOptions, sinceMs: number): Promise<string[]> {
  const result = await options.client.query({
    query: `SELECT DISTINCT ServiceName AS service FROM ${RED_TABLE}
WHERE Bucket >= toDateTime(intDiv({since:Int64}, 1000))
  AND cityHash64(ServiceName) % {count:UInt32} = {index:UInt32}
ORDER BY service LIMIT 100000`,
    query_params: { since: sinceMs, count: options.shard.count, index: options.shard.index },
    format: 'JSONEachRow',
  });
  return (await result.json<{ service: string }>()).map((row) => row.service);
}

/** Operations per service that get series of their own (the busiest, by requests). */
export const OPERATIONS_PER_SERVICE = 3;

/** What scoring a service's series produces. */
interface ServiceScores {
  states: StoredState[];
  scores: ScoreRow[];
  anomaliesByStep: Map<number, Anomaly[]>;
}

/**
 * Feeds every new complete step of each signal of `service`, of its busiest operations
 * and of its watched metrics, to its model.
 */
async function scoreService(
  options: EvaluatorOptions,
  service: string,
  operations: string[],
  byKey: Map<string, StoredState>,
  endMs: number,
): Promise<ServiceScores> {
  const stepMs = options.stepSeconds * 1000;
  const lookbackStartMs = Math.floor((endMs - options.lookbackMs) / stepMs) * stepMs;
  const stored = (signal: string, operation: string) =>
    byKey.get(seriesKey(service, signal, operation));
  const lastStepOf = (signal: string, operation: string) =>
    options.cache?.series.get(seriesKey(service, signal, operation))?.lastStepMs ??
    stored(signal, operation)?.lastStepMs ??
    lookbackStartMs;
  const startOf = (steps: number[]) => Math.min(...steps);
  const scopes = [SERVICE_LEVEL, ...operations];
  const metrics = options.watchedMetrics ?? [];
  const redStartMs = startOf(scopes.flatMap((scope) => SIGNALS.map((s) => lastStepOf(s, scope))));
  const metricStartMs = startOf(metrics.map((metric) => lastStepOf(metricSignal(metric), '')));
  const [series, metricSeries] = await Promise.all([
    redStartMs < endMs
      ? readServiceSeries(options.client, {
          service,
          operations,
          fromMs: redStartMs,
          toMs: endMs,
          stepSeconds: options.stepSeconds,
        })
      : new Map<string, StepValues[]>(),
    metrics.length > 0 && metricStartMs < endMs
      ? readMetricSeries(options.client, {
          service,
          metrics,
          fromMs: metricStartMs,
          toMs: endMs,
          stepSeconds: options.stepSeconds,
        })
      : new Map<string, MetricPoint[]>(),
  ]);
  const out: ServiceScores = { states: [], scores: [], anomaliesByStep: new Map() };
  for (const operation of scopes) {
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
  for (const metric of metrics) {
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
    out.scores.push({
      service,
      signal,
      operation,
      timeMs,
      observed: value,
      ...verdict,
      model: verdict.models.join('+'),
    });
    const alarm = verdict.score >= options.models.threshold;
    const anomalies = out.anomaliesByStep.get(timeMs) ?? [];
    if ((alarm || value < verdict.lower || value > verdict.upper) && !model.learning()) {
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
      focus: info.focus,
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
    severity: incident.severity,
    score: Math.max(existing.score, incident.peakScore),
    updatedAt: now,
    ...(reopened ? { resolvedAt: null, resolvedBy: null } : {}),
  };
  await options.alerts.save(alert);
  await options.onAlert?.(reopened ? 'anomaly.opened' : 'anomaly.updated', alert);
  return reopened ? 'opened' : 'updated';
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
