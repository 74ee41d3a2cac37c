import type { ForecastPoint } from '../detector/index.ts';
import { durationMs, metricKey, type ScalingPolicy } from './policy.ts';

/**
 * Predictive recommendation, after AWS predictive scaling: from each target metric's
 * forecast (the detector's seasonal baseline, learned from the past only), the replicas
 * the service will need by the time a replica started now is ready, so that capacity is in
 * place `startupDelay` before a forecast rise. It only ever scales out: the final count is
 * max(reactive, predictive), and scale-in is left to the reactive HPA.
 *
 * Forecasts are of service-wide totals (requests per second, queue length, CPU % summed
 * over replicas), so the replicas a point needs are ceil(value / target per replica).
 */

/**
 * Where in the band the predictive count aims: 0 is the expected value, 1 the upper edge of
 * the band (3 sigma). The expected value, chosen with bench/scaling.ts: on its 18 traces
 * it cut under-provisioned minutes by 27% for 8% more replica-hours, while 0.1 of the band
 * cost 22% more replica-hours (for -48%) and the upper edge far more; the noise of 5-minute
 * demand, which no forecast foresees, makes every step of headroom expensive.
 */
export const DEFAULT_HEADROOM = 0;

export interface PredictiveInput {
  policy: ScalingPolicy;
  nowMs: number;
  /** Forecast of each target's total by metricKey, points in time order one step apart. */
  forecasts: Readonly<Record<string, readonly ForecastPoint[] | undefined>>;
  /** Fraction of the band above the expected value to provision for (default DEFAULT_HEADROOM). */
  headroom?: number;
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
  const headroom = input.headroom ?? DEFAULT_HEADROOM;
  const horizonMs = Math.min(
    durationMs(policy.predictive.startupDelay),
    durationMs(policy.predictive.lookahead),
  );
  const proposals: Record<string, number | null> = {};
  const reasons: string[] = [];
  let replicas: number | null = null;
  for (const target of policy.metrics) {
    const key = metricKey(target);
    const peak = peakWithin(input.forecasts[key] ?? [], nowMs, nowMs + horizonMs, headroom);
    if (peak === null) {
      proposals[key] = null;
      reasons.push(`${key}: no forecast yet`);
      continue;
    }
    const needed = Math.ceil(Math.max(0, peak.value) / target.target);
    proposals[key] = needed;
    reasons.push(
      `${key}: forecast ${peak.value.toPrecision(4)} at ${new Date(peak.timestampMs).toISOString()}, target ${target.target} per replica → ${needed}`,
    );
    replicas = Math.max(replicas ?? 0, needed);
  }
  if (replicas === null) return { replicas, proposals, reasons };
  const clamped = Math.min(policy.maxReplicas, Math.max(policy.minReplicas, replicas));
  if (clamped !== replicas)
    reasons.push(`clamped to [${policy.minReplicas}, ${policy.maxReplicas}]`);
  return { replicas: clamped, proposals, reasons };
}

/**
 * The highest provisioning value among the forecast steps that overlap [fromMs, toMs]: a
 * point stands for its step, from its timestamp to the next point's.
 */
function peakWithin(
  points: readonly ForecastPoint[],
  fromMs: number,
  toMs: number,
  headroom: number,
): { value: number; timestampMs: number } | null {
  let peak: { value: number; timestampMs: number } | null = null;
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
    const value = point.expected + headroom * (point.upper - point.expected);
    if (peak === null || value > peak.value) peak = { value, timestampMs: point.timestampMs };
  }
  return peak;
}
