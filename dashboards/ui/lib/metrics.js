import { apiRange } from './time-range.js';
import { useApi } from './use-api.js';

/** @typedef {import('./time-range.js').TimeRange} TimeRange */

export const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'rate', 'p50', 'p95', 'p99'];

/**
 * What a metric is first charted as: quantiles of a distribution, the rate of a sum, the
 * mean of a gauge.
 * @param {string} type
 */
export function defaultAggregation(type) {
  const kind = type.toLowerCase();
  if (kind.includes('histogram') || kind.includes('summary')) return 'p95';
  if (kind.includes('sum') || kind.includes('counter')) return 'rate';
  return 'avg';
}

/**
 * The series of one metric of a service, as the explorer and the service page ask for it.
 * @param {{ name: string, service: string, agg: string, by?: string, range: TimeRange }} options
 */
export function useMetricSeries({ name, service, agg, by = '', range }) {
  return useApi(name ? `/v1/metrics/${encodeURIComponent(name)}/series` : null, {
    service,
    agg,
    by,
    ...apiRange(range),
  });
}
