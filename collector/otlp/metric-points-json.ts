/**
 * OTLP/JSON metric data points into rows; each reader returns the row, or why
 * the point is rejected (an exemplar with malformed ids).
 */

import type {
  ExemplarColumns,
  ExpHistogramRow,
  GaugeRow,
  HistogramRow,
  SumRow,
  SummaryRow,
} from '../../storage/index.ts';
import { attributesAt } from './common-json.ts';
import { hexIdProblem } from './ids.ts';
import {
  createExemplarColumns,
  expHistogramRow,
  gaugeRow,
  histogramRow,
  sumRow,
  summaryRow,
  type PointColumns,
} from './metric-rows.ts';
import {
  arrayAt,
  doubleArrayAt,
  doubleAt,
  has,
  int32At,
  int64At,
  timeAt,
  objectAt,
  objectIn,
  rethrowWithin,
  stringAt,
  uint64ArrayAt,
  type JsonObject,
} from './json-reading.ts';
import { DATA_POINT_FLAG_NAMES, enumAt } from './enum-json.ts';

function pointColumns(point: JsonObject): PointColumns {
  return {
    attributes: attributesAt(point, 'attributes'),
    startTimeUnix: timeAt(point, 'startTimeUnixNano'),
    timeUnix: timeAt(point, 'timeUnixNano'),
    flags: enumAt(point, 'flags', DATA_POINT_FLAG_NAMES, false),
  };
}

/** `asDouble` or `asInt` (an int64, as a double like the Float64 column). */
function numberValue(object: JsonObject): number {
  return has(object, 'asInt')
    ? Number(int64At(object, 'asInt', true))
    : doubleAt(object, 'asDouble');
}

/** The `exemplars` list into columns; returns why an exemplar's ids are invalid, or ''. */
function readExemplars(point: JsonObject, exemplars: ExemplarColumns): string {
  const items = arrayAt(point, 'exemplars');
  let problem = '';
  for (let i = 0; i < items.length; i++) {
    try {
      const exemplar = objectIn(items, i);
      const traceId = stringAt(exemplar, 'traceId');
      const spanId = stringAt(exemplar, 'spanId');
      problem ||=
        hexIdProblem('exemplar trace_id', traceId, 16, true) ||
        hexIdProblem('exemplar span_id', spanId, 8, true);
      exemplars['Exemplars.FilteredAttributes'].push(attributesAt(exemplar, 'filteredAttributes'));
      exemplars['Exemplars.TimeUnix'].push(timeAt(exemplar, 'timeUnixNano'));
      exemplars['Exemplars.Value'].push(numberValue(exemplar));
      exemplars['Exemplars.SpanId'].push(spanId.toLowerCase());
      exemplars['Exemplars.TraceId'].push(traceId.toLowerCase());
    } catch (error) {
      rethrowWithin(error, `exemplars[${i}]`);
    }
  }
  return problem;
}

/** `NumberDataPoint` as a gauge row. */
export function gaugePointJson(point: JsonObject): GaugeRow | string {
  const exemplars = createExemplarColumns();
  const problem = readExemplars(point, exemplars);
  const row = gaugeRow(pointColumns(point), exemplars, numberValue(point));
  return problem || row;
}

/** `NumberDataPoint` as a sum row; temporality and monotonicity are set by the caller. */
export function sumPointJson(point: JsonObject): SumRow | string {
  const exemplars = createExemplarColumns();
  const problem = readExemplars(point, exemplars);
  const row = sumRow(pointColumns(point), exemplars, numberValue(point));
  return problem || row;
}

/** `HistogramDataPoint`; absent `sum`, `min` and `max` read as 0. */
export function histogramPointJson(point: JsonObject): HistogramRow | string {
  const exemplars = createExemplarColumns();
  const problem = readExemplars(point, exemplars);
  const row = histogramRow(pointColumns(point), exemplars, {
    Count: Number(int64At(point, 'count', false)),
    Sum: doubleAt(point, 'sum'),
    BucketCounts: uint64ArrayAt(point, 'bucketCounts'),
    ExplicitBounds: doubleArrayAt(point, 'explicitBounds'),
    Min: doubleAt(point, 'min'),
    Max: doubleAt(point, 'max'),
  });
  return problem || row;
}

function buckets(point: JsonObject, key: string): { offset: number; counts: number[] } {
  const value = objectAt(point, key);
  if (value === undefined) return { offset: 0, counts: [] };
  try {
    return { offset: int32At(value, 'offset', true), counts: uint64ArrayAt(value, 'bucketCounts') };
  } catch (error) {
    rethrowWithin(error, key);
  }
}

/** `ExponentialHistogramDataPoint`. */
export function expHistogramPointJson(point: JsonObject): ExpHistogramRow | string {
  const exemplars = createExemplarColumns();
  const problem = readExemplars(point, exemplars);
  const positive = buckets(point, 'positive');
  const negative = buckets(point, 'negative');
  const row = expHistogramRow(pointColumns(point), exemplars, {
    Count: Number(int64At(point, 'count', false)),
    Sum: doubleAt(point, 'sum'),
    Scale: int32At(point, 'scale', true),
    ZeroCount: Number(int64At(point, 'zeroCount', false)),
    PositiveOffset: positive.offset,
    PositiveBucketCounts: positive.counts,
    NegativeOffset: negative.offset,
    NegativeBucketCounts: negative.counts,
    Min: doubleAt(point, 'min'),
    Max: doubleAt(point, 'max'),
  });
  return problem || row;
}

/** `SummaryDataPoint`. */
export function summaryPointJson(point: JsonObject): SummaryRow {
  const items = arrayAt(point, 'quantileValues');
  const quantiles: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      const item = objectIn(items, i);
      quantiles.push(doubleAt(item, 'quantile'));
      values.push(doubleAt(item, 'value'));
    } catch (error) {
      rethrowWithin(error, `quantileValues[${i}]`);
    }
  }
  return summaryRow(
    pointColumns(point),
    Number(int64At(point, 'count', false)),
    doubleAt(point, 'sum'),
    quantiles,
    values,
  );
}
