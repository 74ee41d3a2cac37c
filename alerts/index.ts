export { Alert, AlertList, AlertQuery, AlertStatus, AlertTransition, Severity } from './schema.ts';
export {
  createAlertStore,
  type AlertFilter,
  type AlertStore,
  type TransitionResult,
} from './store.ts';
export {
  explainAnomaly,
  explanationText,
  type Contributor,
  type Explanation,
  type ExplainFocus,
  type ExplainOptions,
} from './explain.ts';
export { explainMetric, type MetricExplanation } from './explain-metric.ts';
