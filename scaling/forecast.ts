import type { ForecastPoint } from '../detector/index.ts';
import { envelopeReplicas, MIN_ERRORS, type ForecastErrors } from './envelope.ts';
import { durationMs, metricKey, type ScalingPolicy } from './policy.ts';

/**
 * Predictive recommendation, after AWS predictive scaling: from each target metric's
 * forecast (the detector's seasonal baseline, learned from the past only), the replicas
 * the service will need by the time a replica started now is ready, so that capacity is in
 * place `startupDelay` before a forecast rise. It only ever scales out: the final count is
 * max(reactive, predictive), and scale-in is left to the reactive HPA.
 *
 * Forecasts are of service-wide totals (requests per second, queue length, CPU % summed
 * over replicas). Once a metric has enough recent forecast errors, a forecast step gets the
 * count its noise envelope makes worth running above the reactive count (envelope.ts):
 * demand noise, not the forecast level, is what outruns capacity during a start-up. Until
 * then a step needs ceil(expected / target per replica).
 */

/**
 * The chance of demand outrunning capacity in a forecast step that each replica run ahead
 * of demand must take away, for steps up to the start-up delay long. A longer step pays for
 * the replica over the whole step, while an outrun lasts only until the reactive HPA's new
 * replicas are ready, so it asks step / startupDelay times as much. Chosen with
 * bench/scaling.ts (one value for all 18 traces, tuned on them) before forecast replicas
 * obeyed the HPA's rate limits and scale-down window: then -51.5% under-provisioned minutes
 * for +9.6% replica-hours. Since, with the same value: -53.5% for +10.8% when a replica
 * carries what the policy assumes, -53.9% for +8.0% when it carries 20% more, -58.1% for
 * +16.6% when 20% less (docs/benchmarks.md); the halves of the 18 traces agree within 4 points.
 */
export const DEFAULT_RISK_PER_REPLICA = 0.019;

export interface PredictiveInput {
  policy: ScalingPolicy;
  nowMs: number;
  /** Forecast of each target's total by metricKey, points in time order one step apart. */
  forecasts: Readonly<Record<string, readonly ForecastPoint[] | undefined>>;
  /** Each target's recent one-step forecast errors by metricKey (none: the forecast alone). */
  errors?: Readonly<Record<string, ForecastErrors | undefined>>;
  /** Replicas that run anyway, the reactive count (default minReplicas). */
  floor?: number;
  /** See DEFAULT_RISK_PER_REPLICA. */
  riskPerReplica?: number;
  /**
   * What one replica carries per target, learned from telemetry (capacity.ts), by metricKey;
   * without it, target / predictive.targetShareOfCapacity is assumed.
   */
  learnedCapacity?: Readonly<Record<string, number | undefined>>;
}

export interface PredictiveRecommendation {
  /** Replicas the forecast calls for within the start-up delay; null without any forecast. */
  replicas: number | null;
  /** Per metric: replicas its forecast calls for (null without a forecast). */
  proposals: Record<string, number | null>;
  reasons: string[];
}

/** The predictive replica count, clamped to [minReplicas, maxReplicas]. */
export function predictiveReplicas(input: PredictiveInput): PredictiveRecommendation {
  const { policy, nowMs } = input;
  const riskPerReplica = input.riskPerReplica ?? DEFAULT_RISK_PER_REPLICA;
  const floor = Math.min(policy.maxReplicas, Math.max(policy.minReplicas, input.floor ?? 0));
  const startupMs = durationMs(policy.predictive.startupDelay);
  const horizonMs = Math.min(startupMs, durationMs(policy.predictive.lookahead));
  const proposals: Record<string, number | null> = {};
  const reasons: string[] = [];
  let replicas: number | null = null;
  for (const target of policy.metrics) {
    const key = metricKey(target);
    const errors = input.errors?.[key];
    const envelope = errors !== undefined && errors.size >= MIN_ERRORS ? errors : null;
    let needed: number | null = null;
    let why = '';
    const steps = stepsWithin(input.forecasts[key] ?? [], nowMs, nowMs + horizonMs);
    const learned = input.learnedCapacity?.[key];
    const capacityPerReplica =
      learned !== undefined && learned > 0
        ? learned
        : target.target / policy.predictive.targetShareOfCapacity;
    // The load per replica the policy aims at, on the capacity believed.
    const aimed = capacityPerReplica * policy.predictive.targetShareOfCapacity;
    for (const { point, stepMs } of steps) {
      let count = Math.ceil(Math.max(0, point.expected) / aimed);
      let detail = '';
      if (envelope) {
        const worth = envelopeReplicas({
          expected: point.expected,
          errors: envelope,
          capacityPerReplica,
          floor,
          maxReplicas: policy.maxReplicas,
          riskPerReplica: riskPerReplica * Math.max(1, stepMs / Math.max(startupMs, 1)),
        });
        count = worth.replicas;
        detail = `, ${(worth.risk * 100).toFixed(1)}% chance recent noise outruns it`;
      }
      if (needed === null || count > needed) {
        needed = count;
        why = `forecast ${point.expected.toPrecision(4)} at ${new Date(point.timestampMs).toISOString()}, ${learned !== undefined ? `learned capacity ${capacityPerReplica.toPrecision(4)}` : `target ${target.target}`} per replica → ${count}${detail}`;
      }
    }
    proposals[key] = needed;
    if (needed === null) {
      reasons.push(`${key}: no forecast yet`);
      continue;
    }
    reasons.push(`${key}: ${why}`);
    replicas = Math.max(replicas ?? 0, needed);
  }
  if (replicas === null) return { replicas, proposals, reasons };
  const clamped = Math.min(policy.maxReplicas, Math.max(policy.minReplicas, replicas));
  if (clamped !== replicas)
    reasons.push(`clamped to [${policy.minReplicas}, ${policy.maxReplicas}]`);
  return { replicas: clamped, proposals, reasons };
}

/** The forecast steps that overlap [fromMs, toMs]: a point stands for its step, up to the next. */
function stepsWithin(
  points: readonly ForecastPoint[],
  fromMs: number,
  toMs: number,
): Array<{ point: ForecastPoint; stepMs: number }> {
  const within: Array<{ point: ForecastPoint; stepMs: number }> = [];
  for (let index = 0; index < points.length; index++) {
    const point = points[index]!;
    const next = points[index + 1];
    const stepMs = next
      ? next.timestampMs - point.timestampMs
      : index > 0
        ? point.timestampMs - points[index - 1]!.timestampMs
        : 0;
    if (point.timestampMs > toMs) break;
    // A lone point has no step: it stands for its instant.
    if (stepMs > 0 ? point.timestampMs + stepMs <= fromMs : point.timestampMs < fromMs) continue;
    within.push({ point, stepMs });
  }
  return within;
}
