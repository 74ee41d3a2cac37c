/**
 * Protobuf decoding of `opentelemetry.proto.common.v1` and `resource.v1`, shared
 * by the trace, metric and log decoders: attributes straight into string maps.
 */

import type { AttributeMap } from '../../storage/index.ts';
import { doubleJson, doubleText, jsonObject, jsonString, setAttribute } from './attribute-text.ts';
import { base64Of } from './binary-text.ts';
import { int64Decimal } from './int64-decimal.ts';
import { MAX_ANY_VALUE_DEPTH, WireFormatError, type ProtobufReader } from './protobuf-reader.ts';

// AnyValue tags: string_value=1, bool_value=2, int_value=3, double_value=4,
// array_value=5, kvlist_value=6, bytes_value=7.
const STRING_VALUE = 10;
const BOOL_VALUE = 16;
const INT_VALUE = 24;
const DOUBLE_VALUE = 33;
const ARRAY_VALUE = 42;
const KVLIST_VALUE = 50;
const BYTES_VALUE = 58;
// KeyValue{key=1, value=2}; ArrayValue{values=1} and KeyValueList{values=1}.
const KEY = 10;
const VALUE = 18;
const VALUES = 10;

function checkDepth(reader: ProtobufReader, depth: number): void {
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw new WireFormatError(
      `AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels at byte ${reader.tagStart}`,
    );
  }
}

/** The AnyValue in `[reader.pos, end)` as attribute text (see attribute-text.ts). */
export function readAnyValueText(reader: ProtobufReader, end: number): string {
  let text = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case STRING_VALUE:
        text = reader.string(end);
        break;
      case BOOL_VALUE:
        reader.varint64();
        text = (reader.low | reader.high) !== 0 ? 'true' : 'false';
        break;
      case INT_VALUE:
        reader.varint64();
        text = int64Decimal(reader.low, reader.high);
        break;
      case DOUBLE_VALUE:
        text = doubleText(reader.double());
        break;
      case ARRAY_VALUE:
        // Go's json.Marshal fails on NaN and infinities and the exporter stores "".
        text = readArrayJson(reader, reader.lengthEnd(end), 1) ?? '';
        break;
      case KVLIST_VALUE:
        text = readKeyValueListJson(reader, reader.lengthEnd(end), 1) ?? '';
        break;
      case BYTES_VALUE: {
        const bytesEnd = reader.lengthEnd(end);
        text = base64Of(reader.bytes, reader.pos, bytesEnd);
        reader.pos = bytesEnd;
        break;
      }
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'AnyValue');
  return text;
}

/** The AnyValue as a JSON value, or undefined when Go could not marshal it. */
function readAnyValueJson(reader: ProtobufReader, end: number, depth: number): string | undefined {
  let json: string | undefined = 'null';
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case STRING_VALUE:
        json = jsonString(reader.string(end));
        break;
      case BOOL_VALUE:
        reader.varint64();
        json = (reader.low | reader.high) !== 0 ? 'true' : 'false';
        break;
      case INT_VALUE:
        reader.varint64();
        json = int64Decimal(reader.low, reader.high);
        break;
      case DOUBLE_VALUE: {
        const value = reader.double();
        json = Number.isFinite(value) ? doubleJson(value) : undefined;
        break;
      }
      case ARRAY_VALUE:
        json = readArrayJson(reader, reader.lengthEnd(end), depth + 1);
        break;
      case KVLIST_VALUE:
        json = readKeyValueListJson(reader, reader.lengthEnd(end), depth + 1);
        break;
      case BYTES_VALUE: {
        const bytesEnd = reader.lengthEnd(end);
        json = '"' + base64Of(reader.bytes, reader.pos, bytesEnd) + '"';
        reader.pos = bytesEnd;
        break;
      }
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'AnyValue');
  return json;
}

function readArrayJson(reader: ProtobufReader, end: number, depth: number): string | undefined {
  checkDepth(reader, depth);
  let json = '[';
  let marshalable = true;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === VALUES) {
      const item = readAnyValueJson(reader, reader.lengthEnd(end), depth);
      if (item === undefined) marshalable = false;
      else json += json.length === 1 ? item : ',' + item;
    } else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ArrayValue');
  return marshalable ? json + ']' : undefined;
}

function readKeyValueListJson(
  reader: ProtobufReader,
  end: number,
  depth: number,
): string | undefined {
  checkDepth(reader, depth);
  const keys: string[] = [];
  const values: string[] = [];
  let marshalable = true;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag !== VALUES) {
      reader.skip(tag, end);
      continue;
    }
    const pairEnd = reader.lengthEnd(end);
    let key = '';
    let value: string | undefined = 'null';
    while (reader.pos < pairEnd) {
      const pairTag = reader.readTag();
      if (pairTag === KEY) key = reader.string(pairEnd);
      else if (pairTag === VALUE)
        value = readAnyValueJson(reader, reader.lengthEnd(pairEnd), depth);
      else reader.skip(pairTag, pairEnd);
    }
    reader.expectEnd(pairEnd, 'KeyValue');
    if (value === undefined) marshalable = false;
    else {
      keys.push(key);
      values.push(value);
    }
  }
  reader.expectEnd(end, 'KeyValueList');
  return marshalable ? jsonObject(keys, values) : undefined;
}

/** One `KeyValue` message into `attributes`. */
export function readKeyValueInto(
  reader: ProtobufReader,
  end: number,
  attributes: AttributeMap,
): void {
  let key = '';
  let value = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === KEY) key = reader.string(end);
    else if (tag === VALUE) value = readAnyValueText(reader, reader.lengthEnd(end));
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'KeyValue');
  setAttribute(attributes, key, value);
}

/** A `Resource` message: its attributes go into `attributes`. */
export function readResourceInto(
  reader: ProtobufReader,
  end: number,
  attributes: AttributeMap,
): void {
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readKeyValueInto(reader, reader.lengthEnd(end), attributes);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'Resource');
}

/** An `InstrumentationScope` as the tables store it. */
export interface ScopeFields {
  name: string;
  version: string;
  attributes: AttributeMap;
  droppedAttributesCount: number;
}

/** A fresh scope with every field at its proto default. */
export function emptyScope(): ScopeFields {
  return { name: '', version: '', attributes: {}, droppedAttributesCount: 0 };
}

/** An `InstrumentationScope{name=1, version=2, attributes=3, dropped_attributes_count=4}`. */
export function readScopeInto(reader: ProtobufReader, end: number, scope: ScopeFields): void {
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 10:
        scope.name = reader.string(end);
        break;
      case 18:
        scope.version = reader.string(end);
        break;
      case 26:
        readKeyValueInto(reader, reader.lengthEnd(end), scope.attributes);
        break;
      case 32:
        scope.droppedAttributesCount = reader.varint32();
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'InstrumentationScope');
}
