import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { explainAnomaly, explainMetric, type Alert, type AlertStore } from '../../alerts/index.ts';
import {
  busiestOperations,
  METRIC_SIGNAL_PREFIX,
  readErrorRatios,
  INSTANCE_ATTRIBUTE,
  readInstanceMetricSeries,
  readMetricSeries,
  readMetricUnit,
  readServicesSeries,
  signalInfo,
  SIGNALS,
  type MetricPoint,
  type StepValues,
} from '../../signals/index.ts';
import { RED_TABLE } from '../../storage/index.ts';
import type { SeriesModel, SeriesModels } from './models.ts';
import type { Verdict } from '../types.ts';
import {
  advanceIncident,
  initialIncidentState,
  headlineFault,
  type Anomaly,
  type IncidentAction,
  type Observation,
  type IncidentPolicy,
  type IncidentState,
  type OpenIncident,
} from './incidents.ts';
import { alertSummary } from './alert-text.ts';
import {
  completeMetricEnd,
  completeSpanEnd,
  readWatermarks,
  type CompletionRule,
} from './watermarks.ts';
import { judgeSpanAlarm, RATIO_POOL_STEPS, type StepSample } from './volume.ts';
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
  /**
   * How far one service's spans may trail the other services' before its silence is
   * believed, ms. A step is complete once data past its end has arrived (see watermarks.ts).
   */
  settleMs: number;
  /** A step is complete this long after its end whatever has arrived, ms (default 5 min). */
  maxWaitMs?: number;
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
  /** How far the least advanced service's complete span steps end behind now, ms. */
  lagMs: number;
}

/** Default of EvaluatorOptions.maxWaitMs. */
export const DEFAULT_MAX_WAIT_MS = 5 * 60_000;

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
/** The usual error ratio of a series is that of this long before its last steps. */
const ERROR_BASELINE_MS = 86_400_000;
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
  const stepMs = options.stepSeconds * 1000;
  const rule: CompletionRule = {
    nowMs,
    stepMs,
    settleMs: options.settleMs,
    maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
  };
  const marks = await readWatermarks(
    options.client,
    services,
    nowMs - rule.maxWaitMs - WATERMARK_WINDOW_MS,
  );
  const ends = new Map(
    services.map((service) => [
      service,
      {
        spans: completeSpanEnd(marks, service, rule),
        metrics: completeMetricEnd(marks, service, rule),
      },
    ]),
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
      await evaluateChunk(options, chunk, { operations, ends, rule }, report);
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

/** Exclusive ends of a service's complete steps, ms: of its span signals and of its metrics. */
interface CompleteEnds {
  spans: number;
  metrics: number;
}

/** What a cycle knows of every service before it evaluates them chunk by chunk. */
interface CycleContext {
  operations: Map<string, string[]>;
  ends: Map<string, CompleteEnds>;
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
  let endMs = -Infinity; // of this chunk's steps read
  for (const service of services) {
    endMs = Math.max(endMs, endsOf(service).spans, endsOf(service).metrics);
  }
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
  const scores: ScoreRow[] = [];
  const states: StoredState[] = [];
  for (const service of services) {
    const ends = endsOf(service);
    const out = scoreService(options, service, operations.get(service) ?? [], byKey, ends, series);
    const serviceEndMs = Math.max(ends.spans, ends.metrics);
    report.steps += out.steps;
    const incidentKey = seriesKey(service, INCIDENT_SIGNAL, SERVICE_LEVEL);
    let incident =
      cache?.incidents.get(service) ??
      (byKey.get(incidentKey)?.state as IncidentState | undefined) ??
      initialIncidentState();
    // Only recent steps may open alerts: history learned at first start describes the
    // past, not an incident to page anyone about now.
    const liveFromMs = serviceEndMs - Math.max(2 * stepMs, rule.maxWaitMs);
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

/** The rollup and watched-metric series a chunk of services needs, in one read of each. */
interface ChunkSeries {
  red: Map<string, Map<string, StepValues[]>>;
  metrics: Map<string, Map<string, MetricPoint[]>>;
  /** Per-instance series of the watched gauges: service → metric → instance → points. */
  instances: Map<string, Map<string, Map<string, MetricPoint[]>>>;
  /** The usual error ratio by series key (signal ''), over the day before the last steps. */
  errorRatios: Map<string, number>;
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
  // Error ratios are judged over the last steps pooled: read those before the new ones too.
  const redNeeded = redStartMs < endMs;
  redStartMs -= RATIO_POOL_STEPS * stepMs;
  const metricQuery = {
    services,
    metrics,
    fromMs: metricStartMs,
    toMs: endMs,
    stepSeconds: options.stepSeconds,
  };
  const metricsNeeded = metrics.length > 0 && metricStartMs < endMs;
  const [red, metricSeries, instances, errorRatios] = await Promise.all([
    redNeeded
      ? readServicesSeries(options.client, {
          operations: new Map(services.map((service) => [service, operations.get(service) ?? []])),
          fromMs: redStartMs,
          toMs: endMs,
          stepSeconds: options.stepSeconds,
        })
      : new Map<string, Map<string, StepValues[]>>(),
    metricsNeeded
      ? readMetricSeries(options.client, metricQuery)
      : new Map<string, Map<string, MetricPoint[]>>(),
    metricsNeeded
      ? readInstanceMetricSeries(options.client, metricQuery)
      : new Map<string, Map<string, Map<string, MetricPoint[]>>>(),
    readErrorRatios(options.client, {
      services,
      fromMs: endMs - ERROR_BASELINE_MS,
      toMs: endMs - RATIO_POOL_STEPS * stepMs,
    }),
  ]);
  return { red, metrics: metricSeries, instances, errorRatios };
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
  /** Steps fed to models (scores are kept for the recent ones only). */
  steps: number;
  scores: ScoreRow[];
  anomaliesByStep: Map<number, Anomaly[]>;
  /** Every value fed at each step: an open incident follows and resolves on these. */
  observationsByStep: Map<number, Observation[]>;
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
  ends: CompleteEnds,
  chunk: ChunkSeries,
): ServiceScores {
  const stored = (signal: string, operation: string) =>
    byKey.get(seriesKey(service, signal, operation));
  const series = chunk.red.get(service) ?? new Map<string, StepValues[]>();
  const metricSeries = chunk.metrics.get(service) ?? new Map<string, MetricPoint[]>();
  const out: ServiceScores = {
    states: [],
    steps: 0,
    scores: [],
    anomaliesByStep: new Map(),
    observationsByStep: new Map(),
  };
  const stepMs = options.stepSeconds * 1000;
  for (const operation of [SERVICE_LEVEL, ...operations]) {
    const steps = series.get(operation) ?? [];
    const samples = new Map(steps.map((step) => [step.timeMs, sampleOf(step)]));
    const baselineRatio = chunk.errorRatios.get(seriesKey(service, '', operation)) ?? 0;
    const judgeFor =
      (signal: string) =>
      (timeMs: number, alarm: boolean | null, verdict: Verdict, value: number) =>
        judgeSpanAlarm({
          signal,
          alarm,
          upper: verdict.upper,
          value,
          recent: Array.from({ length: RATIO_POOL_STEPS }, (_, back) =>
            samples.get(timeMs - (RATIO_POOL_STEPS - 1 - back) * stepMs),
          ),
          baselineRatio,
        });
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
        firstMs: steps[0]?.timeMs ?? ends.spans,
        missingIsZero: signal === 'request_rate',
        endMs: ends.spans,
        judge: judgeFor(signal),
      });
    }
  }
  for (const metric of options.watchedMetrics ?? []) {
    const points = metricSeries.get(metric) ?? [];
    const signal = metricSignal(metric);
    const instances = chunk.instances.get(service)?.get(metric);
    feedSeries(options, out, {
      service,
      signal,
      operation: SERVICE_LEVEL,
      entry: stored(signal, SERVICE_LEVEL),
      values: new Map(points.map((point) => [point.timeMs, point.value])),
      firstMs: points[0]?.timeMs ?? ends.metrics,
      missingIsZero: false,
      endMs: ends.metrics,
      // Where instances report the metric, they alarm: the service's mean of them moves
      // when one restarts (its memory starts afresh) though nothing is wrong.
      ...(instances && instances.size > 0
        ? { judge: (_timeMs: number, alarm: boolean | null) => (alarm === true ? false : alarm) }
        : {}),
    });
    // Each instance is a series of its own: a new one (a restart) learns before it alarms.
    for (const [instance, instancePoints] of instances ?? []) {
      const operation = instanceOperation(instance);
      feedSeries(options, out, {
        service,
        signal,
        operation,
        entry: stored(signal, operation),
        values: new Map(instancePoints.map((point) => [point.timeMs, point.value])),
        firstMs: instancePoints[0]?.timeMs ?? ends.metrics,
        missingIsZero: false,
        endMs: ends.metrics,
      });
    }
  }
  return out;
}

function sampleOf(step: StepValues): StepSample {
  return {
    requests: step.requests,
    errorRatio: step.values.error_ratio,
    p50: step.values.latency_p50,
    p95: step.values.latency_p95,
    p99: step.values.latency_p99,
  };
}

/** The `operation` of an instance's series of a metric (in states, scores and alerts). */
function instanceOperation(instance: string): string {
  return `${INSTANCE_ATTRIBUTE}=${instance}`;
}

/** Series of an instance not seen for this long are forgotten (it was replaced or scaled in). */
const RETIRED_INSTANCE_MS = 3_600_000;

function isRetired(entry: { operation: string; lastStepMs: number }, nowMs: number): boolean {
  return (
    entry.operation.startsWith(`${INSTANCE_ATTRIBUTE}=`) &&
    entry.lastStepMs < nowMs - RETIRED_INSTANCE_MS
  );
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
    /** Judges the engine's alarm with what the step's volume can tell (see volume.ts). */
    judge?: (
      timeMs: number,
      alarm: boolean | null,
      verdict: Verdict,
      value: number,
    ) => boolean | null;
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
    const engineAlarm = stepAlarm(verdict, value, options.models.threshold);
    const alarm = series.judge ? series.judge(timeMs, engineAlarm, verdict, value) : engineAlarm;
    if (alarm === true && !model.learning()) model.rest?.();
    if (alarm !== null && !model.learning()) {
      anomalies.push({
        signal,
        operation: operation === SERVICE_LEVEL ? null : operation,
        score: verdict.score,
        observed: value,
        expected: verdict.expected,
        lower: verdict.lower,
        upper: verdict.upper,
        alarm,
      });
    }
    const observations = out.observationsByStep.get(timeMs) ?? [];
    observations.push({
      signal,
      operation: operation === SERVICE_LEVEL ? null : operation,
      observed: value,
    });
    out.observationsByStep.set(timeMs, observations);
    // Steps without an anomaly still advance incidents (toward resolution).
    out.anomaliesByStep.set(timeMs, anomalies);
  }
  const lastStepMs = Math.max(from, endMs);
  options.cache?.series.set(key, { model, lastStepMs, service, signal, operation });
  if (options.checkpoint ?? true) {
    out.states.push({ service, signal, operation, lastStepMs, state: model.state() });
  }
}

/** A metric alert's instances are compared with this many steps before it opened. */
const METRIC_BASELINE_STEPS = 10;

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
    const window = { service, fromMs: incident.openedAtMs - stepMs, toMs: atMs };
    // A metric is explained by its instances, spans by what is over-represented in them.
    const explanation = signal.startsWith(METRIC_SIGNAL_PREFIX)
      ? await explainMetric(options.client, {
          ...window,
          metric: signal.slice(METRIC_SIGNAL_PREFIX.length),
          // Just before: the hour before may hold a restart's warm-up, which is not news.
          baselineMs: METRIC_BASELINE_STEPS * stepMs,
        })
      : await explainAnomaly(options.client, {
          ...window,
          // A drop in traffic is explained by what went missing, not by what remained.
          focus:
            signal === 'request_rate' && first.observed < first.expected ? 'missing' : info.focus,
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
      summary: await summaryOf(options, service, incident),
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
    const fault = headlineFault(incident);
    const alert: Alert = {
      ...existing,
      ...(fault
        ? { observed: fault.current, summary: await summaryOf(options, service, incident) }
        : {}),
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
  const fault = headlineFault(incident);
  const alert: Alert = {
    ...existing,
    // The alert follows the incident: its figures and text are those of now.
    ...(fault
      ? { observed: fault.current, summary: await summaryOf(options, service, incident) }
      : {}),
    status: reopened ? 'open' : existing.status,
    signals: incident.signals,
    // Never lower: a failed remediation may have escalated the alert to critical.
    severity: higherSeverity(existing.severity, incident.severity),
    score: Math.max(existing.score, incident.peakScore),
    updatedAt: now,
    ...(reopened ? { resolvedAt: null, resolvedBy: null } : {}),
  };
  await options.alerts.save(alert);
  if (reopened) await options.onAlert?.('anomaly.opened', alert);
  else if (action.kind === 'update' && action.notify) {
    await options.onAlert?.('anomaly.updated', alert);
  }
  return reopened ? 'opened' : 'updated';
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

function higherSeverity(a: Alert['severity'], b: Alert['severity']): Alert['severity'] {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** The alert's summary as its incident stands (see alertSummary). */
async function summaryOf(
  options: EvaluatorOptions,
  service: string,
  incident: OpenIncident,
): Promise<string> {
  const first = incident.first;
  const fault = headlineFault(incident) ?? {
    signal: first.signal,
    current: first.observed,
    expected: first.expected,
    peak: first.observed,
  };
  const metricUnit = first.signal.startsWith(METRIC_SIGNAL_PREFIX)
    ? await readMetricUnit(options.client, {
        service,
        metric: first.signal.slice(METRIC_SIGNAL_PREFIX.length),
      })
    : '';
  return alertSummary({
    service,
    subject: first.operation,
    fault,
    openedAtMs: incident.openedAtMs,
    metricUnit,
  });
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
