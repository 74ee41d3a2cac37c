export {
  busiestOperations,
  readSeries,
  readServiceSeries,
  readServicesSeries,
  readUsualTraffic,
  type UsualTraffic,
} from '../series.ts';
export { DEFAULT_WATCHED_METRICS, METRIC_SIGNAL_PREFIX, readMetricSeries } from '../metrics.ts';
export { readRecentValue } from '../recent.ts';
export { findMetric, listMetrics, MAX_CATALOG_METRICS } from '../metric-catalog.ts';
export { ChartTooLargeError, MAX_SERIES_STEPS, readMetricChart } from '../metric-chart.ts';
export { readMetricUnit } from '../units.ts';
export { INSTANCE_ATTRIBUTE, MAX_INSTANCES, readInstanceMetricSeries } from '../instances.ts';
