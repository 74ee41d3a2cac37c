import {
  createDetector,
  restoreDetector,
  type Detector,
  type DetectorState,
  type ForecastPoint,
} from '../detector/index.ts';
import {
  CONFIDENT,
  createCapacityEstimator,
  type CapacityEstimate,
  type CapacityEstimator,
  type CapacitySample,
} from './capacity.ts';
import { createForecastErrors, type ForecastErrors } from './envelope.ts';
import { predictiveReplicas } from './forecast.ts';
import { createHpa, type HpaState, type MetricReading } from './hpa.ts';
import { durationMs, metricKey, type ScalingPolicy } from './policy.ts';

/**
 * One service's scaler: the reactive HPA plus, when the policy enables it, a forecaster
 * per target metric (the detector engine, which learns each total online) and the
 * predictive count. Pure: time and readings come in, a decision goes out.
 */

export interface ScalingDecision {
  current: number;
  reactive: number;
  /** Null when predictive scaling is off or no forecast exists yet. */
  predictive: number | null;
  /** What to run: max(reactive, predictive) in forecastAndScale mode, else reactive. */
  final: number;
  reasons: string[];
  /** Each target's forecast over the lookahead, by metricKey (empty when off). */
  forecast: Record<string, ForecastPoint[]>;
  /** What one replica carries per target, as learned (used when confident). */
  capacity: Record<string, CapacityEstimate>;
}

export interface ScalerInput {
  nowMs: number;
  currentReplicas: number;
  /** Readings by metricKey, as for the HPA. */
  metrics: Readonly<Record<string, MetricReading | undefined>>;
  /** Whether `final` will be applied (default true); see HpaInput.apply. */
  apply?: boolean;
}

export interface ScalerState {
  version: 1;
  hpa: HpaState;
  forecasters: Record<string, DetectorState>;
  /** Each target's latest one-step forecast errors, oldest first (absent in older states). */
  errors?: Record<string, number[]>;
  /** Each target's capacity samples, oldest first (absent in older states). */
  capacity?: Record<string, CapacitySample[]>;
}

export interface Scaler {
  /**
   * Teaches a target's forecaster one step of its service-wide total (requests per second,
   * queue length, or CPU % summed over replicas). Steps should be regular, e.g. the
   * detector step; the forecast is in the same steps.
   */
  observe(key: string, timestampMs: number, total: number): void;
  /**
   * Teaches a target what one replica carries: a step's load per replica with its latency
   * and error ratio (capacity.ts). Meaningful for request-rate targets.
   */
  observeCapacity(key: string, sample: CapacitySample): void;
  recommend(input: ScalerInput): ScalingDecision;
  toJSON(): ScalerState;
}

export interface ScalerOptions {
  policy: ScalingPolicy;
  state?: ScalerState;
  /** See DEFAULT_RISK_PER_REPLICA. */
  riskPerReplica?: number;
  /**
   * Makes the forecaster of a target without a saved one (default: the detector engine, whose
   * seasonal baseline forecasts). Another forecaster measures what a different forecast buys
   * (bench/scaling.ts --level-oracle); its `expected` values are the ones the errors are of.
   */
  createForecaster?: (key: string) => Detector;
}

/** A scaler for one service; `state` from toJSON() resumes it. */
export function createScaler(options: ScalerOptions): Scaler {
  const { policy } = options;
  if (options.state && options.state.version !== 1) {
    throw new Error(
      `scaler state version ${String(options.state.version)} is not supported (expected 1)`,
    );
  }
  const hpa = createHpa(policy, options.state?.hpa);
  const forecasters = new Map<string, Detector>();
  const errors: Record<string, ForecastErrors> = {};
  const capacity: Record<string, CapacityEstimator> = {};
  const cached = new Map<string, ForecastPoint[]>();
  for (const target of policy.metrics) {
    const key = metricKey(target);
    const stored = options.state?.forecasters[key];
    forecasters.set(
      key,
      stored ? restoreDetector(stored) : (options.createForecaster?.(key) ?? createDetector()),
    );
    errors[key] = createForecastErrors(options.state?.errors?.[key]);
    capacity[key] = createCapacityEstimator({}, options.state?.capacity?.[key]);
  }
  const lookaheadMs = durationMs(policy.predictive.lookahead);

  const forecastOf = (key: string, detector: Detector): ForecastPoint[] => {
    let points = cached.get(key);
    if (points === undefined) {
      // Two points give the forecaster's step, and so how many steps the lookahead spans.
      const first = detector.forecast(2);
      const stepMs = first.length === 2 ? first[1]!.timestampMs - first[0]!.timestampMs : 0;
      points = stepMs > 0 ? detector.forecast(Math.ceil(lookaheadMs / stepMs)) : [];
      cached.set(key, points);
    }
    return points;
  };

  return {
    observe(key, timestampMs, total) {
      const detector = forecasters.get(key);
      if (!detector) throw new Error(`no metric target "${key}" in this policy`);
      // Until the detector knows its step it has no forecast, so no error to learn from.
      const forecasting = detector.forecast(1).length > 0;
      const verdict = detector.update(timestampMs, total);
      if (forecasting) errors[key]!.add(total - verdict.expected);
      cached.delete(key);
    },
    observeCapacity(key, sample) {
      const estimator = capacity[key];
      if (!estimator) throw new Error(`no metric target "${key}" in this policy`);
      estimator.add(sample);
    },
    recommend(input) {
      const reactive = hpa.recommend({ ...input, apply: false, dryRun: true });
      const reasons = reactive.reasons.map((reason) => `reactive ${reason}`);
      const forecast: Record<string, ForecastPoint[]> = {};
      const estimates: Record<string, CapacityEstimate> = {};
      const learned: Record<string, number> = {};
      for (const [key, estimator] of Object.entries(capacity)) {
        const estimate = estimator.estimate();
        estimates[key] = estimate;
        if (estimate.perReplica !== null && estimate.confidence >= CONFIDENT)
          learned[key] = estimate.perReplica;
      }
      // The metrics' own proposal, before stabilisation: the floor the forecast builds on. The
      // stabilised count would feed the forecast's earlier counts back into it (a ratchet).
      const proposals = Object.values(reactive.proposals).filter((p): p is number => p !== null);
      const rawReactive = proposals.length > 0 ? Math.max(...proposals) : reactive.desired;
      let predictive: number | null = null;
      if (policy.predictive.enabled) {
        for (const [key, detector] of forecasters) forecast[key] = forecastOf(key, detector);
        const predicted = predictiveReplicas({
          policy,
          nowMs: input.nowMs,
          forecasts: forecast,
          errors,
          floor: rawReactive,
          learnedCapacity: learned,
          ...(options.riskPerReplica === undefined
            ? {}
            : { riskPerReplica: options.riskPerReplica }),
        });
        predictive = predicted.replicas;
        reasons.push(...predicted.reasons.map((reason) => `predictive ${reason}`));
      }
      // The predictive count joins the HPA's proposals, so its replicas obey the same
      // scale-up limits and leave only through the scale-down stabilisation window.
      const ahead =
        predictive !== null &&
        predictive > rawReactive &&
        policy.predictive.mode === 'forecastAndScale';
      const decided = hpa.recommend({
        ...input,
        apply: false,
        ...(ahead && predictive !== null
          ? {
              extraProposal: {
                replicas: predictive,
                why: `scale out ahead of the forecast to ${predictive}`,
              },
            }
          : {}),
      });
      const final = decided.desired;
      if (ahead && final !== reactive.desired) {
        const own = new Set(reactive.reasons);
        reasons.push(...decided.reasons.filter((reason) => !own.has(reason)));
      }
      if (input.apply !== false) hpa.recordScale(input.nowMs, input.currentReplicas, final);
      return {
        current: input.currentReplicas,
        reactive: reactive.desired,
        predictive,
        final,
        reasons,
        forecast,
        capacity: estimates,
      };
    },
    toJSON: () => ({
      version: 1,
      hpa: hpa.toJSON(),
      forecasters: Object.fromEntries(
        [...forecasters].map(([key, detector]) => [key, detector.toJSON()]),
      ),
      errors: Object.fromEntries(
        Object.entries(errors).map(([key, window]) => [key, window.toJSON()]),
      ),
      capacity: Object.fromEntries(
        Object.entries(capacity).map(([key, estimator]) => [key, estimator.toJSON()]),
      ),
    }),
  };
}
