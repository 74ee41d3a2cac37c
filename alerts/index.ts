export {
  Alert,
  AlertList,
  AlertQuery,
  AlertStatus,
  AlertTransition,
  RootCauseCandidate,
  Severity,
} from './schema.ts';
export type { AlertFilter, AlertStore, TransitionResult } from './store.ts';
export type { Contributor, Explanation, ExplainFocus, ExplainOptions } from './explain.ts';
export { explanationText } from './explanation-text.ts';
export type { MetricExplanation } from './explain-metric.ts';
