/**
 * Protobuf decoding of metric data points (`metrics.v1`) into rows. Each reader
 * returns the row, or why the point is rejected (an exemplar with malformed ids).
 */

import type {
  AttributeMap,
  ExemplarColumns,
  ExpHistogramRow,
  GaugeRow,
  HistogramRow,
  SumRow,
  SummaryRow,
} from '../../storage/index.ts';
import { hexOf } from './binary-text.ts';
import { readKeyValueInto } from './common-protobuf.ts';
import { idProblem } from './ids.ts';
import { int64ToNumber, timeDecimal, ZERO_TIME, uint64ToNumber } from './int64-decimal.ts';
import {
  createExemplarColumns,
  expHistogramRow,
  gaugeRow,
  histogramRow,
  sumRow,
  summaryRow,
  type PointColumns,
} from './metric-rows.ts';
import type { ProtobufReader } from './protobuf-reader.ts';

function newPoint(): PointColumns {
  return { attributes: {}, startTimeUnix: ZERO_TIME, timeUnix: ZERO_TIME, flags: 0 };
}

function fixed64Decimal(reader: ProtobufReader): string {
  reader.fixed64();
  return timeDecimal(reader.low, reader.high);
}

function fixed64Number(reader: ProtobufReader): number {
  reader.fixed64();
  return uint64ToNumber(reader.low, reader.high);
}

/** A repeated fixed64 or double field, packed (wire type 2) or not (wire type 1). */
function readFixed64s(
  reader: ProtobufReader,
  tag: number,
  end: number,
  doubles: boolean,
  out: number[],
): void {
  if ((tag & 7) === 1) {
    out.push(doubles ? reader.double() : fixed64Number(reader));
    return;
  }
  const packedEnd = reader.lengthEnd(end);
  while (reader.pos < packedEnd) out.push(doubles ? reader.double() : fixed64Number(reader));
  reader.expectEnd(packedEnd, 'packed field');
}

/** A repeated uint64 varint field, packed or not. */
function readVarints(reader: ProtobufReader, tag: number, end: number, out: number[]): void {
  if ((tag & 7) === 0) {
    reader.varint64();
    out.push(uint64ToNumber(reader.low, reader.high));
    return;
  }
  const packedEnd = reader.lengthEnd(end);
  while (reader.pos < packedEnd) {
    reader.varint64();
    out.push(uint64ToNumber(reader.low, reader.high));
  }
  reader.expectEnd(packedEnd, 'packed field');
}

/**
 * `Exemplar{filtered_attributes=7, time_unix_nano=2, as_double=3 | as_int=6,
 * span_id=4, trace_id=5}` appended to `exemplars`; returns why its ids are invalid, or ''.
 */
function readExemplar(reader: ProtobufReader, end: number, exemplars: ExemplarColumns): string {
  const attributes: AttributeMap = {};
  let time = ZERO_TIME;
  let value = 0;
  let spanIdStart = 0;
  let spanIdEnd = 0;
  let traceIdStart = 0;
  let traceIdEnd = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 58:
        readKeyValueInto(reader, reader.lengthEnd(end), attributes);
        break;
      case 17:
        time = fixed64Decimal(reader);
        break;
      case 25:
        value = reader.double();
        break;
      case 49:
        reader.fixed64();
        value = int64ToNumber(reader.low, reader.high);
        break;
      case 34:
        spanIdEnd = reader.lengthEnd(end);
        spanIdStart = reader.pos;
        reader.pos = spanIdEnd;
        break;
      case 42:
        traceIdEnd = reader.lengthEnd(end);
        traceIdStart = reader.pos;
        reader.pos = traceIdEnd;
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'Exemplar');
  exemplars['Exemplars.FilteredAttributes'].push(attributes);
  exemplars['Exemplars.TimeUnix'].push(time);
  exemplars['Exemplars.Value'].push(value);
  exemplars['Exemplars.SpanId'].push(hexOf(reader.bytes, spanIdStart, spanIdEnd));
  exemplars['Exemplars.TraceId'].push(hexOf(reader.bytes, traceIdStart, traceIdEnd));
  return (
    idProblem('exemplar trace_id', traceIdEnd - traceIdStart, 16, true) ||
    idProblem('exemplar span_id', spanIdEnd - spanIdStart, 8, true)
  );
}

/** `NumberDataPoint` as a gauge row (`asSum` false) or a sum row. */
export function readNumberPoint(
  reader: ProtobufReader,
  end: number,
  asSum: false,
): GaugeRow | string;
export function readNumberPoint(reader: ProtobufReader, end: number, asSum: true): SumRow | string;
export function readNumberPoint(
  reader: ProtobufReader,
  end: number,
  asSum: boolean,
): GaugeRow | SumRow | string {
  const point = newPoint();
  const exemplars = createExemplarColumns();
  let problem = '';
  let value = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 58:
        readKeyValueInto(reader, reader.lengthEnd(end), point.attributes);
        break;
      case 17:
        point.startTimeUnix = fixed64Decimal(reader);
        break;
      case 25:
        point.timeUnix = fixed64Decimal(reader);
        break;
      case 33:
        value = reader.double();
        break;
      case 49:
        reader.fixed64();
        value = int64ToNumber(reader.low, reader.high);
        break;
      case 42:
        problem ||= readExemplar(reader, reader.lengthEnd(end), exemplars);
        break;
      case 64:
        point.flags = reader.varint32();
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'NumberDataPoint');
  if (problem !== '') return problem;
  return asSum ? sumRow(point, exemplars, value) : gaugeRow(point, exemplars, value);
}

/** `HistogramDataPoint`; absent `sum`, `min` and `max` read as 0. */
export function readHistogramPoint(reader: ProtobufReader, end: number): HistogramRow | string {
  const point = newPoint();
  const exemplars = createExemplarColumns();
  const values = {
    Count: 0,
    Sum: 0,
    BucketCounts: [] as number[],
    ExplicitBounds: [] as number[],
    Min: 0,
    Max: 0,
  };
  let problem = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 74:
        readKeyValueInto(reader, reader.lengthEnd(end), point.attributes);
        break;
      case 17:
        point.startTimeUnix = fixed64Decimal(reader);
        break;
      case 25:
        point.timeUnix = fixed64Decimal(reader);
        break;
      case 33:
        values.Count = fixed64Number(reader);
        break;
      case 41:
        values.Sum = reader.double();
        break;
      case 49:
      case 50:
        readFixed64s(reader, tag, end, false, values.BucketCounts);
        break;
      case 57:
      case 58:
        readFixed64s(reader, tag, end, true, values.ExplicitBounds);
        break;
      case 66:
        problem ||= readExemplar(reader, reader.lengthEnd(end), exemplars);
        break;
      case 80:
        point.flags = reader.varint32();
        break;
      case 89:
        values.Min = reader.double();
        break;
      case 97:
        values.Max = reader.double();
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'HistogramDataPoint');
  return problem !== '' ? problem : histogramRow(point, exemplars, values);
}

/** `ExponentialHistogramDataPoint.Buckets{offset=1 sint32, bucket_counts=2}` */
function readBuckets(reader: ProtobufReader, end: number, counts: number[]): number {
  let offset = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 8) offset = reader.sint32();
    else if (tag === 16 || tag === 18) readVarints(reader, tag, end, counts);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'Buckets');
  return offset;
}

/** `ExponentialHistogramDataPoint`. */
export function readExpHistogramPoint(
  reader: ProtobufReader,
  end: number,
): ExpHistogramRow | string {
  const point = newPoint();
  const exemplars = createExemplarColumns();
  const values = {
    Count: 0,
    Sum: 0,
    Scale: 0,
    ZeroCount: 0,
    PositiveOffset: 0,
    PositiveBucketCounts: [] as number[],
    NegativeOffset: 0,
    NegativeBucketCounts: [] as number[],
    Min: 0,
    Max: 0,
  };
  let problem = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 10:
        readKeyValueInto(reader, reader.lengthEnd(end), point.attributes);
        break;
      case 17:
        point.startTimeUnix = fixed64Decimal(reader);
        break;
      case 25:
        point.timeUnix = fixed64Decimal(reader);
        break;
      case 33:
        values.Count = fixed64Number(reader);
        break;
      case 41:
        values.Sum = reader.double();
        break;
      case 48:
        values.Scale = reader.sint32();
        break;
      case 57:
        values.ZeroCount = fixed64Number(reader);
        break;
      case 66:
        values.PositiveOffset = readBuckets(
          reader,
          reader.lengthEnd(end),
          values.PositiveBucketCounts,
        );
        break;
      case 74:
        values.NegativeOffset = readBuckets(
          reader,
          reader.lengthEnd(end),
          values.NegativeBucketCounts,
        );
        break;
      case 80:
        point.flags = reader.varint32();
        break;
      case 90:
        problem ||= readExemplar(reader, reader.lengthEnd(end), exemplars);
        break;
      case 97:
        values.Min = reader.double();
        break;
      case 105:
        values.Max = reader.double();
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'ExponentialHistogramDataPoint');
  return problem !== '' ? problem : expHistogramRow(point, exemplars, values);
}

/** `SummaryDataPoint` with its `ValueAtQuantile{quantile=1, value=2}` list. */
export function readSummaryPoint(reader: ProtobufReader, end: number): SummaryRow {
  const point = newPoint();
  let count = 0;
  let sum = 0;
  const quantiles: number[] = [];
  const quantileValues: number[] = [];
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 58:
        readKeyValueInto(reader, reader.lengthEnd(end), point.attributes);
        break;
      case 17:
        point.startTimeUnix = fixed64Decimal(reader);
        break;
      case 25:
        point.timeUnix = fixed64Decimal(reader);
        break;
      case 33:
        count = fixed64Number(reader);
        break;
      case 41:
        sum = reader.double();
        break;
      case 50: {
        const quantileEnd = reader.lengthEnd(end);
        let quantile = 0;
        let value = 0;
        while (reader.pos < quantileEnd) {
          const quantileTag = reader.readTag();
          if (quantileTag === 9) quantile = reader.double();
          else if (quantileTag === 17) value = reader.double();
          else reader.skip(quantileTag, quantileEnd);
        }
        reader.expectEnd(quantileEnd, 'ValueAtQuantile');
        quantiles.push(quantile);
        quantileValues.push(value);
        break;
      }
      case 64:
        point.flags = reader.varint32();
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'SummaryDataPoint');
  return summaryRow(point, count, sum, quantiles, quantileValues);
}
