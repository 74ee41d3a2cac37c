export { createAlertStore } from '../store.ts';
export { explainAnomaly } from '../explain.ts';
export { explainMetric } from '../explain-metric.ts';
