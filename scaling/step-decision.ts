import type { MetricReading } from './hpa.ts';
import { metricKey, type ScalingPolicy } from './policy.ts';
import type { Scaler, ScalingDecision } from './scaler.ts';

/**
 * One service's decision for one detector step, apart from reading its telemetry and
 * sending the outcome: the current replicas, what the scaler learns from the steps it has
 * not seen, and the count it recommends. Pure: readings and time come in.
 */

/** One step of one target: the service-wide total, and the replicas it was measured over. */
export interface StepReading {
  total: number;
  /** For `cpu`: instances that reported; the per-replica value is total / replicas. */
  replicas?: number;
  /** For `request`: the step's median latency (ms) and error ratio, what capacity is learned from. */
  latencyMs?: number;
  errorRatio?: number;
}

/** One service's readings: metricKey → step start (ms) → reading. */
export type ServiceReadings = ReadonlyMap<string, ReadonlyMap<number, StepReading>>;

export interface CurrentReplicasInput {
  /** The count an actuator or the API last reported, if any. */
  reported: { replicas: number; reportedAt: string } | undefined;
  /** Instances seen sending telemetry in the last step (undefined: none). */
  seen: number | undefined;
  nowMs: number;
  /** How long a reported count is trusted, ms. */
  reportedTtlMs: number;
}

/** The replicas a service runs: the reported count while fresh, else the instances seen. */
export function currentReplicas(input: CurrentReplicasInput): {
  current: number;
  source: 'reported' | 'observed';
} {
  const { reported } = input;
  const fresh =
    reported !== undefined && input.nowMs - Date.parse(reported.reportedAt) <= input.reportedTtlMs;
  return fresh
    ? { current: reported.replicas, source: 'reported' }
    : { current: input.seen ?? 0, source: 'observed' };
}

export interface StepLearning {
  scaler: Scaler;
  policy: ScalingPolicy;
  /** The service's readings (undefined: none at all). */
  readings: ServiceReadings | undefined;
  /** Start of the last step the scaler has learned; the steps after it are taught. */
  learnedStepMs: number;
  /** End of the last step to teach (a step boundary), ms. */
  endMs: number;
  stepMs: number;
}

/** Teaches the scaler each target's total for every step after `learnedStepMs` until `endMs`, in order. */
export function learnSteps(input: StepLearning): void {
  const { scaler, policy, readings, stepMs } = input;
  for (let t = input.learnedStepMs + stepMs; t < input.endMs; t += stepMs) {
    for (const target of policy.metrics) {
      const key = metricKey(target);
      const reading = readings?.get(key)?.get(t);
      if (reading !== undefined) scaler.observe(key, t, reading.total);
    }
  }
}

export interface StepDecisionInput {
  scaler: Scaler;
  policy: ScalingPolicy;
  readings: ServiceReadings | undefined;
  /** End of the step decided (a step boundary), ms. */
  endMs: number;
  stepMs: number;
  currentReplicas: number;
  /** Whether the decision will be applied (false for a dry run: it feeds no rate limit). */
  apply: boolean;
}

/**
 * The replica count at `endMs` for the step ending then (learnSteps first): the scaler
 * learns what a replica carried in that step, then recommends from its readings.
 */
export function decideStep(input: StepDecisionInput): ScalingDecision {
  const { scaler, policy, readings, endMs } = input;
  const lastStepMs = endMs - input.stepMs;
  const current = input.currentReplicas;
  // The last step teaches what a replica carries: its load per replica, latency and errors.
  const served = readings?.get('request')?.get(lastStepMs);
  if (
    current > 0 &&
    served?.latencyMs !== undefined &&
    served.errorRatio !== undefined &&
    policy.metrics.some((target) => metricKey(target) === 'request')
  ) {
    scaler.observeCapacity('request', {
      loadPerReplica: served.total / current,
      latency: served.latencyMs,
      errorRatio: served.errorRatio,
    });
  }
  return scaler.recommend({
    nowMs: endMs,
    currentReplicas: current,
    metrics: stepMetrics(policy, readings, lastStepMs),
    apply: input.apply,
  });
}

/** The HPA's reading of each target in one step: per replica when measured over replicas. */
export function stepMetrics(
  policy: ScalingPolicy,
  readings: ServiceReadings | undefined,
  stepStartMs: number,
): Record<string, MetricReading | undefined> {
  const metrics: Record<string, MetricReading | undefined> = {};
  for (const target of policy.metrics) {
    const key = metricKey(target);
    const reading = readings?.get(key)?.get(stepStartMs);
    metrics[key] =
      reading === undefined
        ? undefined
        : reading.replicas !== undefined && reading.replicas > 0
          ? { perReplica: reading.total / reading.replicas, replicas: reading.replicas }
          : { total: reading.total };
  }
  return metrics;
}
