/**
 * `ExportMetricsServiceRequest` (protobuf) to rows of the five `otel_metrics_*`
 * tables, one row per data point, in one pass over the bytes.
 */

import type { AttributeMap, MetricRowBase } from '../../storage/index.ts';
import { serviceNameOf } from './attribute-text.ts';
import { emptyScope, readResourceInto, readScopeInto } from './common-protobuf.ts';
import {
  createRejections,
  decodeFailure,
  decodeSuccess,
  reject,
  type Rejections,
} from './decode-result.ts';
import {
  readExpHistogramPoint,
  readHistogramPoint,
  readNumberPoint,
  readSummaryPoint,
} from './metric-points-protobuf.ts';
import {
  createMetricRows,
  fillMetricColumns,
  fillResourceColumns,
  fillScopeColumns,
  type MetricRows,
  type MetricsDecodeResult,
} from './metric-rows.ts';
import { ProtobufReader } from './protobuf-reader.ts';

interface MetricsDecoding {
  reader: ProtobufReader;
  rows: MetricRows;
  /** Every row in creation order, so enclosing messages can fill in their columns. */
  allRows: MetricRowBase[];
  rejections: Rejections;
  /** Indexes for rejection messages. */
  resourceIndex: number;
  scopeIndex: number;
  metricIndex: number;
}

/** Decodes an OTLP/protobuf metrics export request into rows per metrics table; never throws. */
export function decodeMetricsProtobuf(bytes: Uint8Array): MetricsDecodeResult {
  const reader = new ProtobufReader(bytes);
  const decoding: MetricsDecoding = {
    reader,
    rows: createMetricRows(),
    allRows: [],
    rejections: createRejections(),
    resourceIndex: 0,
    scopeIndex: 0,
    metricIndex: 0,
  };
  try {
    const end = bytes.length;
    while (reader.pos < end) {
      const tag = reader.readTag();
      if (tag === 10) {
        readResourceMetrics(decoding, reader.lengthEnd(end));
        decoding.resourceIndex++;
      } else reader.skip(tag, end);
    }
  } catch (error) {
    return decodeFailure(error);
  }
  return decodeSuccess(decoding.rows, decoding.rejections, 'data point');
}

/** `ResourceMetrics{resource=1, scope_metrics=2, schema_url=3}` */
function readResourceMetrics(decoding: MetricsDecoding, end: number): void {
  const { reader, allRows } = decoding;
  const firstRow = allRows.length;
  const attributes: AttributeMap = {};
  let schemaUrl = '';
  decoding.scopeIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readResourceInto(reader, reader.lengthEnd(end), attributes);
    else if (tag === 18) {
      readScopeMetrics(decoding, reader.lengthEnd(end));
      decoding.scopeIndex++;
    } else if (tag === 26) schemaUrl = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ResourceMetrics');
  fillResourceColumns(allRows, firstRow, attributes, serviceNameOf(attributes), schemaUrl);
}

/** `ScopeMetrics{scope=1, metrics=2, schema_url=3}` */
function readScopeMetrics(decoding: MetricsDecoding, end: number): void {
  const { reader, allRows } = decoding;
  const firstRow = allRows.length;
  const scope = emptyScope();
  let schemaUrl = '';
  decoding.metricIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readScopeInto(reader, reader.lengthEnd(end), scope);
    else if (tag === 18) {
      readMetric(decoding, reader.lengthEnd(end));
      decoding.metricIndex++;
    } else if (tag === 26) schemaUrl = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ScopeMetrics');
  fillScopeColumns(allRows, firstRow, scope, schemaUrl);
}

/** `Metric{name=1, description=2, unit=3, gauge=5 | sum=7 | histogram=9 | exponential_histogram=10 | summary=11}` */
function readMetric(decoding: MetricsDecoding, end: number): void {
  const { reader, allRows } = decoding;
  const firstRow = allRows.length;
  const metric = { name: '', description: '', unit: '' };
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 10:
        metric.name = reader.string(end);
        break;
      case 18:
        metric.description = reader.string(end);
        break;
      case 26:
        metric.unit = reader.string(end);
        break;
      case 42:
      case 58:
      case 74:
      case 82:
      case 90:
        readData(decoding, tag >>> 3, reader.lengthEnd(end));
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'Metric');
  fillMetricColumns(allRows, firstRow, metric);
}

/** Adds a decoded row to its table's list; returns the rejection reason of a point that is none. */
function keep<Row extends MetricRowBase>(
  decoding: MetricsDecoding,
  list: Row[],
  row: Row | string,
): string {
  if (typeof row === 'string') return row;
  list.push(row);
  decoding.allRows.push(row);
  return '';
}

const DATA_MESSAGE_NAMES: Record<number, string> = {
  5: 'Gauge',
  7: 'Sum',
  9: 'Histogram',
  10: 'ExponentialHistogram',
  11: 'Summary',
};

/**
 * `Gauge`, `Sum`, `Histogram`, `ExponentialHistogram` or `Summary` by the field
 * number `kind`: `data_points=1`, and for the cumulative kinds
 * `aggregation_temporality=2` (and `is_monotonic=3` on Sum), applied to the
 * message's rows once it ends.
 */
function readData(decoding: MetricsDecoding, kind: number, end: number): void {
  const { reader, rows } = decoding;
  const firstSum = rows.sum.length;
  const firstHistogram = rows.histogram.length;
  const firstExpHistogram = rows.expHistogram.length;
  let temporality = 0;
  let monotonic = false;
  let pointIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) {
      const pointEnd = reader.lengthEnd(end);
      const problem =
        kind === 5
          ? keep(decoding, rows.gauge, readNumberPoint(reader, pointEnd, false))
          : kind === 7
            ? keep(decoding, rows.sum, readNumberPoint(reader, pointEnd, true))
            : kind === 9
              ? keep(decoding, rows.histogram, readHistogramPoint(reader, pointEnd))
              : kind === 10
                ? keep(decoding, rows.expHistogram, readExpHistogramPoint(reader, pointEnd))
                : keep(decoding, rows.summary, readSummaryPoint(reader, pointEnd));
      if (problem !== '') {
        const { resourceIndex, scopeIndex, metricIndex } = decoding;
        reject(
          decoding.rejections,
          `resourceMetrics[${resourceIndex}].scopeMetrics[${scopeIndex}].metrics[${metricIndex}].dataPoints[${pointIndex}]: ${problem}`,
        );
      }
      pointIndex++;
    } else if (tag === 16 && kind !== 5 && kind !== 11) temporality = reader.varint32() | 0;
    else if (tag === 24 && kind === 7) {
      reader.varint64();
      monotonic = (reader.low | reader.high) !== 0;
    } else reader.skip(tag, end);
  }
  reader.expectEnd(end, DATA_MESSAGE_NAMES[kind]!);
  for (let i = firstSum; i < rows.sum.length; i++) {
    rows.sum[i]!.AggregationTemporality = temporality;
    rows.sum[i]!.IsMonotonic = monotonic;
  }
  for (let i = firstHistogram; i < rows.histogram.length; i++) {
    rows.histogram[i]!.AggregationTemporality = temporality;
  }
  for (let i = firstExpHistogram; i < rows.expHistogram.length; i++) {
    rows.expHistogram[i]!.AggregationTemporality = temporality;
  }
}
