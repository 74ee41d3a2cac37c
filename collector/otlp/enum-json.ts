/**
 * OTLP/JSON enum fields as the Collector reads them: the proto3 JSON mapping allows an
 * enum's number or its name (`"kind": "SPAN_KIND_SERVER"`), and the Collector's
 * decoder accepts both, so senders that write names (protobuf-es, Go's protojson,
 * hand-written JSON) are not refused. Flag fields are integers in the proto, but the
 * Collector also reads their flag names; so does this.
 */

import { int32At, JsonShapeError, type JsonObject } from './json-reading.ts';

/** Each enum's value names as the proto spells them. */
export const SPAN_KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

export const STATUS_CODE_NAMES: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

export const AGGREGATION_TEMPORALITY_NAMES: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** SEVERITY_NUMBER_UNSPECIFIED = 0, then TRACE..TRACE4 = 1..4, DEBUG..DEBUG4 = 5..8, … FATAL4 = 24. */
export const SEVERITY_NUMBER_NAMES: Readonly<Record<string, number>> = Object.fromEntries([
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...SEVERITY_LEVELS.flatMap((level, index) =>
    ['', '2', '3', '4'].map((suffix, offset): [string, number] => [
      `SEVERITY_NUMBER_${level}${suffix}`,
      index * 4 + offset + 1,
    ]),
  ),
]);

export const DATA_POINT_FLAG_NAMES: Readonly<Record<string, number>> = {
  DATA_POINT_FLAGS_DO_NOT_USE: 0,
  DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK: 1,
};

export const LOG_RECORD_FLAG_NAMES: Readonly<Record<string, number>> = {
  LOG_RECORD_FLAGS_DO_NOT_USE: 0,
  LOG_RECORD_FLAGS_TRACE_FLAGS_MASK: 0xff,
};

/**
 * An enum (or flags) field given as a number, a decimal string or one of `names`;
 * absent reads as 0. An unknown name fails the request with the field's path and
 * the names it may take.
 */
export function enumAt(
  object: JsonObject,
  key: string,
  names: Readonly<Record<string, number>>,
  signed = true,
): number {
  const value = object[key];
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
    const number = Object.hasOwn(names, value) ? names[value] : undefined;
    if (number === undefined) {
      const known = Object.keys(names);
      const shown = known.length > 8 ? `${known.slice(0, 8).join(', ')}, …` : known.join(', ');
      throw new JsonShapeError(
        key,
        `unknown name "${value.slice(0, 64)}"; expected a number or ${shown}`,
      );
    }
    return number;
  }
  return int32At(object, key, signed);
}
