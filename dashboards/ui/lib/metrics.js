import { apiRange } from './time-range.js';
import { useApi } from './use-api.js';

/** @typedef {import('./time-range.js').TimeRange} TimeRange */

/**
 * What a metric is first charted as: the API's first aggregation for its kind (a
 * counter's rate, a distribution's p95 …).
 * @param {import('../api-types').MetricInfo} metric
 */
export function defaultAggregation(metric) {
  return metric.aggregations[0] ?? 'avg';
}

/**
 * The unit of a metric's chart: a rate is per second of the unit sent.
 * @param {string} unit  UCUM as sent ('' when none)
 * @param {string} agg
 */
export function chartUnit(unit, agg) {
  if (agg !== 'rate') return unit;
  return unit === '' || unit === '1' ? '/s' : `${unit}/s`;
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
