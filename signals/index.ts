export {
  isSignalName,
  metricBadDirection,
  movesBadWay,
  SIGNAL_INFO,
  SIGNALS,
  signalInfo,
  type BadDirection,
  type SignalInfo,
  type SignalName,
} from './definitions.ts';
export type { SeriesQuery, StepValues } from './series.ts';
export { BELOW_MEDIAN_LEVELS } from './series.ts';
export type { MetricPoint, MetricSeriesQuery } from './metrics.ts';
export {
  aggregationsOf,
  METRIC_AGGREGATIONS,
  quantileOf,
  type MetricAggregation,
  type MetricKind,
  type MetricShape,
} from './metric-kinds.ts';
export type { FoundMetric, MetricDescription } from './metric-catalog.ts';
export type { MetricChart, MetricChartQuery } from './metric-chart.ts';
export type { ChartPoint } from './metric-steps.ts';
export {
  bucketQuantile,
  exponentialQuantile,
  summaryQuantile,
  type ObservedRange,
  type QuantileReading,
} from './quantiles.ts';
