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
export {
  busiestOperations,
  readErrorRatios,
  readSeries,
  readServiceSeries,
  readServicesSeries,
  type SeriesQuery,
  type StepValues,
} from './series.ts';
export {
  DEFAULT_WATCHED_METRICS,
  METRIC_SIGNAL_PREFIX,
  readMetricSeries,
  type MetricPoint,
  type MetricSeriesQuery,
} from './metrics.ts';
export { readRecentValue } from './recent.ts';
export {
  aggregationsOf,
  METRIC_AGGREGATIONS,
  quantileOf,
  type MetricAggregation,
  type MetricKind,
  type MetricShape,
} from './metric-kinds.ts';
export {
  findMetric,
  listMetrics,
  MAX_CATALOG_METRICS,
  type FoundMetric,
  type MetricDescription,
} from './metric-catalog.ts';
export {
  ChartTooLargeError,
  MAX_SERIES_STEPS,
  readMetricChart,
  type MetricChart,
  type MetricChartQuery,
} from './metric-chart.ts';
export type { ChartPoint } from './metric-steps.ts';
export {
  bucketQuantile,
  exponentialQuantile,
  summaryQuantile,
  type ObservedRange,
  type QuantileReading,
} from './quantiles.ts';
export { readMetricUnit } from './units.ts';
export { INSTANCE_ATTRIBUTE, MAX_INSTANCES, readInstanceMetricSeries } from './instances.ts';
