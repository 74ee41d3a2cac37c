export {
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
  DEFAULT_HEADROOM,
  predictiveReplicas,
  type PredictiveInput,
  type PredictiveRecommendation,
} from './forecast.ts';
export {
  createScaler,
  type Scaler,
  type ScalerInput,
  type ScalerOptions,
  type ScalerState,
  type ScalingDecision,
} from './scaler.ts';
