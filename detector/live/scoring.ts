/**
 * Scoring of a service's series: each new complete step of its span signals, of its
 * busiest operations and of its watched metrics (per service and per instance) goes
 * through its model, and what the step means for incidents is judged.
 */
import type { MetricPoint, StepValues } from '../../signals/index.ts';
import type { BadDirection } from '../../signals/index.ts';
import { movesBadWay, SIGNALS, signalInfo } from '../../signals/index.ts';
import {
  INSTANCE_ATTRIBUTE,
  METRIC_SIGNAL_PREFIX,
  type UsualTraffic,
} from '../../signals/live/index.ts';
import type { Verdict } from '../types.ts';
import type { EvaluatorOptions } from './evaluator-options.ts';
import type { Anomaly, Observation } from './incidents.ts';
import type { ScoreRow, StoredState } from './state-store.ts';
import { judgeSpanAlarm, RATIO_POOL_STEPS, type StepSample } from './volume.ts';

export const SERVICE_LEVEL = '';

/** How far back from now the scores of steps learned from history are kept. */
export const SCORED_HISTORY_MS = 86_400_000;

export function seriesKey(service: string, signal: string, operation: string): string {
  return `${service}\u0000${signal}\u0000${operation}`;
}

/** Exclusive ends of a service's complete steps, ms: of its span signals and of its metrics. */
export interface CompleteEnds {
  spans: number;
  metrics: number;
}

/** The rollup and watched-metric series a chunk of services needs, in one read of each. */
export interface ChunkSeries {
  red: Map<string, Map<string, StepValues[]>>;
  metrics: Map<string, Map<string, MetricPoint[]>>;
  /** Per-instance series of the watched gauges: service → metric → instance → points. */
  instances: Map<string, Map<string, Map<string, MetricPoint[]>>>;
  /** Usual error ratio and requests per step, by service and operation, over the day before the last steps. */
  usualTraffic: Map<string, Map<string, UsualTraffic>>;
}

/** What scoring a service's series produces. */
export interface ServiceScores {
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
export function scoreService(
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
  const stepMs = options.stepMs;
  for (const operation of [SERVICE_LEVEL, ...operations]) {
    const steps = series.get(operation) ?? [];
    const samples = new Map(steps.map((step) => [step.timeMs, sampleOf(step)]));
    const usual = chunk.usualTraffic.get(service)?.get(operation);
    const judgeFor =
      (signal: string) =>
      (timeMs: number, alarm: boolean | null, verdict: Verdict, value: number) =>
        judgeSpanAlarm({
          signal,
          alarm,
          upper: verdict.upper,
          expected: verdict.expected,
          value,
          recent: Array.from({ length: RATIO_POOL_STEPS }, (_, back) =>
            samples.get(timeMs - (RATIO_POOL_STEPS - 1 - back) * stepMs),
          ),
          baselineRatio: usual?.errorRatio ?? 0,
          usualPerStep: usual?.requestsPerStep,
          stepSeconds: stepMs / 1000,
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
    ...(step.belowMedian ? { belowMedian: step.belowMedian } : {}),
  };
}

/** The `operation` of an instance's series of a metric (in states, scores and alerts). */
function instanceOperation(instance: string): string {
  return `${INSTANCE_ATTRIBUTE}=${instance}`;
}

/** Series of an instance not seen for this long are forgotten (it was replaced or scaled in). */
const RETIRED_INSTANCE_MS = 3_600_000;

/** Steps back the point before a metric's step is looked for (see confirmMetricAlarm). */
const METRIC_LOOKBACK_STEPS = 10;

/**
 * A metric alarms on two steps: out of its band now (`alarm`, as stepAlarm says: not null),
 * the step before (`previous`, the last the series fed, if within METRIC_LOOKBACK_STEPS)
 * out of the same band on the same side, and one of the two scoring high (`alarm` true, or
 * `previousScoredHigh`). One point out of its band is more often noise than a fault (a
 * request more or less on an instance of ten requests a step moves its CPU by a tenth, and
 * such noise is heavier-tailed than the band assumes); a fault lasts, and alerts a step
 * later. The step before only halfway out (1.5 deviations, 1 step in 15 by chance) let
 * single spikes through: a lone queue reading of 22 where 8 ± 3 was usual, after a 13. The
 * second step need not score high itself: the engine scores new extremes, and a level held
 * is not a new one.
 */
export function confirmMetricAlarm(
  alarm: boolean | null,
  value: number,
  verdict: Pick<Verdict, 'expected' | 'lower' | 'upper'>,
  previous: { value: number | undefined; scoredHigh: boolean },
): boolean | null {
  if (alarm === null) return null;
  if (previous.value === undefined || !(alarm || previous.scoredHigh)) return false;
  return value > verdict.expected ? previous.value > verdict.upper : previous.value < verdict.lower;
}

/** Steps in a row a metric must score high inside its band before that alarms. */
export const SUSTAINED_HIGH_STEPS = 5;

export function isRetired(
  entry: { operation: string; lastStepMs: number },
  nowMs: number,
): boolean {
  return (
    entry.operation.startsWith(`${INSTANCE_ATTRIBUTE}=`) &&
    entry.lastStepMs < nowMs - RETIRED_INSTANCE_MS
  );
}

export function metricSignal(metric: string): string {
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
  const stepMs = options.stepMs;
  const key = seriesKey(service, signal, operation);
  const cached = options.cache?.series.get(key);
  const model =
    cached?.model ?? (entry ? options.models.restore(entry.state) : options.models.create());
  const from = cached?.lastStepMs ?? entry?.lastStepMs ?? series.firstMs;
  for (let timeMs = from; timeMs < endMs; timeMs += stepMs) {
    const observed = values.get(timeMs);
    if (observed === undefined && !series.missingIsZero) continue;
    const value = observed ?? 0;
    // What the step before was, for a metric's two-step alarm (confirmMetricAlarm).
    const previousScoredHigh = (model.highRun?.() ?? 0) > 0;
    const previous = model.lastStep?.();
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
    const bad = signalInfo(signal).bad;
    const rawAlarm = stepAlarm(verdict, value, options.models.threshold, bad);
    let engineAlarm = rawAlarm;
    const metric = signal.startsWith(METRIC_SIGNAL_PREFIX);
    if (metric) {
      engineAlarm = confirmMetricAlarm(engineAlarm, value, verdict, {
        value:
          previous && previous.timeMs >= timeMs - METRIC_LOOKBACK_STEPS * stepMs
            ? previous.value
            : undefined,
        scoredHigh: previousScoredHigh,
      });
    }
    // A span signal out of its band whose step before scored high is the same fault held:
    // the engine scores new extremes, so a lasting drop or rise scores high once. Its judge
    // (volume: counts, pooled percentiles and ratios) decides, as it does for a high score;
    // it may need a second step to be sure (a route of 11 requests a step getting 1).
    if (engineAlarm === false && !metric && series.judge && previousScoredHigh) {
      engineAlarm = true;
    }
    // A metric that keeps scoring high inside its band is climbing with its band (a leak,
    // a backlog): that is not the odd new extreme the band rule is for.
    if (
      engineAlarm === null &&
      metric &&
      movesBadWay(bad, value, verdict.expected) &&
      (model.highRun?.() ?? 0) >= SUSTAINED_HIGH_STEPS
    ) {
      engineAlarm = true;
    }
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
    // Out of its band, is the value surely so for the step's volume? (The judge alone says;
    // it has said it already when the engine alarmed.)
    const credible =
      rawAlarm === null ||
      !series.judge ||
      (engineAlarm === true ? alarm : series.judge(timeMs, true, verdict, value)) === true;
    observations.push({
      signal,
      operation: operation === SERVICE_LEVEL ? null : operation,
      observed: value,
      ...(credible === true ? {} : { credible: false }),
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

/**
 * What a scored step means for incidents: null when the value is inside its band (or
 * outside it on the side that is good news, see BadDirection), else whether it is an alarm
 * (score at or above `threshold`; an alarm can open an incident, any value outside the
 * band keeps one open). An alert shows the value beside its band, so a value inside it
 * never alarms: the engine also scores new extremes of a series (its best evidence on the
 * NAB corpus), which a growing or noisy service sets within its band now and then. The
 * engine scores both ways (NAB's labels do); which way is bad is the signal's to say.
 */
export function stepAlarm(
  verdict: Pick<Verdict, 'score' | 'lower' | 'upper'>,
  value: number,
  threshold: number,
  bad: BadDirection = 'both',
): boolean | null {
  if (value >= verdict.lower && value <= verdict.upper) return null;
  if (!movesBadWay(bad, value, value > verdict.upper ? verdict.upper : verdict.lower)) return null;
  return verdict.score >= threshold;
}
