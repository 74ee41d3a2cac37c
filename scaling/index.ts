export {
  TARGET_SHARE_OF_CAPACITY,
  durationMs,
  METRIC_TYPES,
  metricKey,
  parseScalingPolicy,
  ScalingPolicy,
  type Behavior,
  type HpaScalingPolicy,
  type MetricTarget,
  type MetricType,
  type PolicyParse,
  type ScalingPolicyInput,
  type ScalingRules,
} from './policy.ts';
export {
  createHpa,
  type Hpa,
  type HpaInput,
  type HpaRecommendation,
  type HpaState,
  type MetricReading,
} from './hpa.ts';
export {
  DEFAULT_RISK_PER_REPLICA,
  predictiveReplicas,
  type PredictiveInput,
  type PredictiveRecommendation,
} from './forecast.ts';
export {
  createForecastErrors,
  envelopeReplicas,
  ERROR_WINDOW,
  MIN_ERRORS,
  type EnvelopeCount,
  type EnvelopeInput,
  type ForecastErrors,
} from './envelope.ts';
export {
  createScaler,
  type Scaler,
  type ScalerInput,
  type ScalerOptions,
  type ScalerState,
  type ScalingDecision,
} from './scaler.ts';
export {
  CONFIDENT,
  createCapacityEstimator,
  type CapacityEstimate,
  type CapacityEstimator,
  type CapacityOptions,
  type CapacitySample,
} from './capacity.ts';
export type { ScaleRequest, ScalingLoop, ScalingLoopOptions } from './live/loop.ts';
export type { LatestDecision, ScalingStore, StoredPolicy } from './live/store.ts';
