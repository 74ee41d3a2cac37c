/**
 * `ExportMetricsServiceRequest` in OTLP/JSON to rows of the five `otel_metrics_*`
 * tables, the same rows the protobuf decoder produces.
 */

import type { MetricRowBase } from '../../storage/index.ts';
import { serviceNameOf } from './attribute-text.ts';
import { resourceAttributesAt, scopeAt } from './common-json.ts';
import {
  createRejections,
  decodeFailure,
  decodeSuccess,
  reject,
  type Rejections,
} from './decode-result.ts';
import {
  arrayAt,
  boolAt,
  objectAt,
  objectIn,
  parseJsonRequest,
  rethrowWithin,
  stringAt,
  type JsonObject,
} from './json-reading.ts';
import { AGGREGATION_TEMPORALITY_NAMES, enumAt } from './enum-json.ts';
import {
  expHistogramPointJson,
  gaugePointJson,
  histogramPointJson,
  sumPointJson,
  summaryPointJson,
} from './metric-points-json.ts';
import {
  createMetricRows,
  fillMetricColumns,
  fillResourceColumns,
  fillScopeColumns,
  type MetricRows,
  type MetricsDecodeResult,
} from './metric-rows.ts';

/** Decodes an OTLP/JSON metrics export request into rows per metrics table; never throws. */
export function decodeMetricsJson(body: Uint8Array | string): MetricsDecodeResult {
  const rows = createMetricRows();
  const allRows: MetricRowBase[] = [];
  const rejections = createRejections();
  try {
    const request = parseJsonRequest(body);
    const resourceMetrics = arrayAt(request, 'resourceMetrics');
    for (let r = 0; r < resourceMetrics.length; r++) {
      const path = `resourceMetrics[${r}]`;
      try {
        const resource = objectIn(resourceMetrics, r);
        const firstRow = allRows.length;
        const attributes = resourceAttributesAt(resource);
        const scopeMetrics = arrayAt(resource, 'scopeMetrics');
        for (let s = 0; s < scopeMetrics.length; s++) {
          try {
            readScopeMetrics(
              objectIn(scopeMetrics, s),
              rows,
              allRows,
              rejections,
              `${path}.scopeMetrics[${s}]`,
            );
          } catch (error) {
            rethrowWithin(error, `scopeMetrics[${s}]`);
          }
        }
        fillResourceColumns(
          allRows,
          firstRow,
          attributes,
          serviceNameOf(attributes),
          stringAt(resource, 'schemaUrl'),
        );
      } catch (error) {
        rethrowWithin(error, path);
      }
    }
  } catch (error) {
    return decodeFailure(error);
  }
  return decodeSuccess(rows, rejections, 'data point');
}

function readScopeMetrics(
  scopeMetrics: JsonObject,
  rows: MetricRows,
  allRows: MetricRowBase[],
  rejections: Rejections,
  path: string,
): void {
  const firstRow = allRows.length;
  const scope = scopeAt(scopeMetrics);
  const metrics = arrayAt(scopeMetrics, 'metrics');
  for (let m = 0; m < metrics.length; m++) {
    try {
      const metric = objectIn(metrics, m);
      const firstMetricRow = allRows.length;
      readMetricData(metric, rows, allRows, rejections, `${path}.metrics[${m}]`);
      fillMetricColumns(allRows, firstMetricRow, {
        name: stringAt(metric, 'name'),
        description: stringAt(metric, 'description'),
        unit: stringAt(metric, 'unit'),
      });
    } catch (error) {
      rethrowWithin(error, `metrics[${m}]`);
    }
  }
  fillScopeColumns(allRows, firstRow, scope, stringAt(scopeMetrics, 'schemaUrl'));
}

/** The metric's one data field: gauge, sum, histogram, exponentialHistogram or summary. */
function readMetricData(
  metric: JsonObject,
  rows: MetricRows,
  allRows: MetricRowBase[],
  rejections: Rejections,
  path: string,
): void {
  const gauge = objectAt(metric, 'gauge');
  const sum = objectAt(metric, 'sum');
  const histogram = objectAt(metric, 'histogram');
  const expHistogram = objectAt(metric, 'exponentialHistogram');
  const summary = objectAt(metric, 'summary');
  const context = { allRows, rejections, path };
  if (gauge) within('gauge', () => keepAll(context, gauge, rows.gauge, gaugePointJson));
  if (sum) {
    within('sum', () => {
      const temporality = enumAt(sum, 'aggregationTemporality', AGGREGATION_TEMPORALITY_NAMES);
      const monotonic = boolAt(sum, 'isMonotonic');
      const first = rows.sum.length;
      keepAll(context, sum, rows.sum, sumPointJson);
      for (let i = first; i < rows.sum.length; i++) {
        rows.sum[i]!.AggregationTemporality = temporality;
        rows.sum[i]!.IsMonotonic = monotonic;
      }
    });
  }
  if (histogram) {
    within('histogram', () => {
      const temporality = enumAt(
        histogram,
        'aggregationTemporality',
        AGGREGATION_TEMPORALITY_NAMES,
      );
      const first = rows.histogram.length;
      keepAll(context, histogram, rows.histogram, histogramPointJson);
      for (let i = first; i < rows.histogram.length; i++)
        rows.histogram[i]!.AggregationTemporality = temporality;
    });
  }
  if (expHistogram) {
    within('exponentialHistogram', () => {
      const temporality = enumAt(
        expHistogram,
        'aggregationTemporality',
        AGGREGATION_TEMPORALITY_NAMES,
      );
      const first = rows.expHistogram.length;
      keepAll(context, expHistogram, rows.expHistogram, expHistogramPointJson);
      for (let i = first; i < rows.expHistogram.length; i++) {
        rows.expHistogram[i]!.AggregationTemporality = temporality;
      }
    });
  }
  if (summary) within('summary', () => keepAll(context, summary, rows.summary, summaryPointJson));
}

function within(key: string, read: () => void): void {
  try {
    read();
  } catch (error) {
    rethrowWithin(error, key);
  }
}

/** Decodes `data.dataPoints` into `list`, counting rejected points. */
function keepAll<Row extends MetricRowBase>(
  context: { allRows: MetricRowBase[]; rejections: Rejections; path: string },
  data: JsonObject,
  list: Row[],
  readPoint: (point: JsonObject) => Row | string,
): void {
  const points = arrayAt(data, 'dataPoints');
  for (let i = 0; i < points.length; i++) {
    let row: Row | string;
    try {
      row = readPoint(objectIn(points, i));
    } catch (error) {
      rethrowWithin(error, `dataPoints[${i}]`);
    }
    if (typeof row === 'string') {
      reject(context.rejections, `${context.path}.dataPoints[${i}]: ${row}`);
    } else {
      list.push(row);
      context.allRows.push(row);
    }
  }
}
