/**
 * Building `otel_metrics_*` rows, shared by the protobuf and JSON decoders so both
 * produce rows of the same shape. A data point's row is created with its own
 * columns; the metric, scope and resource columns are filled in when those
 * messages end, since on the wire they may follow the data points.
 */

import type {
  AttributeMap,
  ExemplarColumns,
  ExpHistogramRow,
  GaugeRow,
  HistogramRow,
  MetricRowBase,
  SumRow,
  SummaryRow,
} from '../../storage/index.ts';
import type { DecodeFailure, DecodeSuccess } from './decode-result.ts';

/** Rows for each metrics table from one request. */
export interface MetricRows {
  gauge: GaugeRow[];
  sum: SumRow[];
  histogram: HistogramRow[];
  expHistogram: ExpHistogramRow[];
  summary: SummaryRow[];
}

/** The result of decoding a metrics request; `rejected` counts data points. */
export type MetricsDecodeResult = DecodeSuccess<MetricRows> | DecodeFailure;

/** Empty row lists. */
export function createMetricRows(): MetricRows {
  return { gauge: [], sum: [], histogram: [], expHistogram: [], summary: [] };
}

/** The columns a data point carries itself. */
export interface PointColumns {
  attributes: AttributeMap;
  startTimeUnix: string;
  timeUnix: string;
  flags: number;
}

/** Empty exemplar columns. */
export function createExemplarColumns(): ExemplarColumns {
  return {
    'Exemplars.FilteredAttributes': [],
    'Exemplars.TimeUnix': [],
    'Exemplars.Value': [],
    'Exemplars.SpanId': [],
    'Exemplars.TraceId': [],
  };
}

const NOT_YET_KNOWN: AttributeMap = Object.freeze({});

function base(point: PointColumns): MetricRowBase {
  return {
    ResourceAttributes: NOT_YET_KNOWN,
    ResourceSchemaUrl: '',
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: NOT_YET_KNOWN,
    ScopeDroppedAttrCount: 0,
    ScopeSchemaUrl: '',
    ServiceName: '',
    MetricName: '',
    MetricDescription: '',
    MetricUnit: '',
    Attributes: point.attributes,
    StartTimeUnix: point.startTimeUnix,
    TimeUnix: point.timeUnix,
    Flags: point.flags,
  };
}

/** A gauge row. */
export function gaugeRow(point: PointColumns, exemplars: ExemplarColumns, value: number): GaugeRow {
  return Object.assign(base(point), exemplars, { Value: value });
}

/** A sum row; temporality and monotonicity are set when the `Sum` message ends. */
export function sumRow(point: PointColumns, exemplars: ExemplarColumns, value: number): SumRow {
  return Object.assign(base(point), exemplars, {
    Value: value,
    AggregationTemporality: 0,
    IsMonotonic: false,
  });
}

/** The values of a histogram data point. */
export type HistogramValues = Pick<
  HistogramRow,
  'Count' | 'Sum' | 'BucketCounts' | 'ExplicitBounds' | 'Min' | 'Max'
>;

/** A histogram row; temporality is set when the `Histogram` message ends. */
export function histogramRow(
  point: PointColumns,
  exemplars: ExemplarColumns,
  values: HistogramValues,
): HistogramRow {
  return Object.assign(base(point), exemplars, values, { AggregationTemporality: 0 });
}

/** The values of an exponential histogram data point. */
export type ExpHistogramValues = Omit<
  ExpHistogramRow,
  keyof MetricRowBase | keyof ExemplarColumns | 'AggregationTemporality'
>;

/** An exponential histogram row; temporality is set when its message ends. */
export function expHistogramRow(
  point: PointColumns,
  exemplars: ExemplarColumns,
  values: ExpHistogramValues,
): ExpHistogramRow {
  return Object.assign(base(point), exemplars, values, { AggregationTemporality: 0 });
}

/** A summary row. */
export function summaryRow(
  point: PointColumns,
  count: number,
  sum: number,
  quantiles: number[],
  values: number[],
): SummaryRow {
  return Object.assign(base(point), {
    Count: count,
    Sum: sum,
    'ValueAtQuantiles.Quantile': quantiles,
    'ValueAtQuantiles.Value': values,
  });
}

/** A metric's own columns. */
export interface MetricColumns {
  name: string;
  description: string;
  unit: string;
}

/** Sets the metric columns of `rows[from..]`. */
export function fillMetricColumns(
  rows: MetricRowBase[],
  from: number,
  metric: MetricColumns,
): void {
  for (let i = from; i < rows.length; i++) {
    const row = rows[i]!;
    row.MetricName = metric.name;
    row.MetricDescription = metric.description;
    row.MetricUnit = metric.unit;
  }
}

/** Sets the scope columns of `rows[from..]`. */
export function fillScopeColumns(
  rows: MetricRowBase[],
  from: number,
  scope: {
    name: string;
    version: string;
    attributes: AttributeMap;
    droppedAttributesCount: number;
  },
  schemaUrl: string,
): void {
  for (let i = from; i < rows.length; i++) {
    const row = rows[i]!;
    row.ScopeName = scope.name;
    row.ScopeVersion = scope.version;
    row.ScopeAttributes = scope.attributes;
    row.ScopeDroppedAttrCount = scope.droppedAttributesCount;
    row.ScopeSchemaUrl = schemaUrl;
  }
}

/** Sets the resource columns of `rows[from..]`. */
export function fillResourceColumns(
  rows: MetricRowBase[],
  from: number,
  attributes: AttributeMap,
  serviceName: string,
  schemaUrl: string,
): void {
  for (let i = from; i < rows.length; i++) {
    const row = rows[i]!;
    row.ResourceAttributes = attributes;
    row.ServiceName = serviceName;
    row.ResourceSchemaUrl = schemaUrl;
  }
}
