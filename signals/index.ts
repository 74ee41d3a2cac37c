export {
  isSignalName,
  SIGNAL_INFO,
  SIGNALS,
  signalInfo,
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
  bucketQuantile,
  DEFAULT_WATCHED_METRICS,
  METRIC_SIGNAL_PREFIX,
  readMetricSeries,
  type MetricPoint,
  type MetricSeriesQuery,
} from './metrics.ts';
export { readRecentValue } from './recent.ts';
export { readMetricUnit } from './units.ts';
export { INSTANCE_ATTRIBUTE, MAX_INSTANCES, readInstanceMetricSeries } from './instances.ts';
