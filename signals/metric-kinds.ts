/** What each kind of metric can be charted as, and how by default. */

export const METRIC_AGGREGATIONS = [
  'avg',
  'sum',
  'min',
  'max',
  'rate',
  'p50',
  'p95',
  'p99',
] as const;
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];

/** The kinds of OTLP metric, by the table they are stored in. */
export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** A metric as stored: its kind and, for sums, whether it only grows (a counter). */
export interface MetricShape {
  type: MetricKind;
  monotonic: boolean;
}

/**
 * The aggregations that mean something for a metric, its default first:
 * a counter's rate, an up-down counter's or gauge's level, a histogram's p95.
 */
export function aggregationsOf(shape: MetricShape): MetricAggregation[] {
  switch (shape.type) {
    case 'gauge':
      return ['avg', 'sum', 'min', 'max', 'p50', 'p95', 'p99'];
    case 'sum':
      return shape.monotonic ? ['rate', 'sum', 'avg', 'min', 'max'] : ['sum', 'avg', 'min', 'max'];
    case 'histogram':
    case 'exponential_histogram':
      return ['p95', 'p50', 'p99', 'avg', 'sum', 'rate', 'min', 'max'];
    case 'summary':
      return ['p95', 'p50', 'p99'];
  }
}

/** The quantile an aggregation names, or null. */
export function quantileOf(agg: MetricAggregation): number | null {
  return agg === 'p50' ? 0.5 : agg === 'p95' ? 0.95 : agg === 'p99' ? 0.99 : null;
}
