/**
 * OTLP/JSON decoding of `common.v1` and `resource.v1`, rendering attribute values
 * exactly as the protobuf path does (see attribute-text.ts).
 */

import type { AttributeMap } from '../../storage/index.ts';
import { doubleJson, doubleText, jsonObject, jsonString, setAttribute } from './attribute-text.ts';
import { canonicalBase64 } from './binary-text.ts';
import { emptyScope, type ScopeFields } from './common-protobuf.ts';
import {
  arrayAt,
  boolAt,
  doubleAt,
  has,
  int32At,
  int64At,
  JsonShapeError,
  objectAt,
  objectIn,
  rethrowWithin,
  stringAt,
  type JsonObject,
} from './json-reading.ts';
import { MAX_ANY_VALUE_DEPTH } from './protobuf-reader.ts';

function bytesAt(value: JsonObject, key: string): string {
  const base64 = canonicalBase64(stringAt(value, key));
  if (base64 === undefined) throw new JsonShapeError(key, 'expected base64');
  return base64;
}

/** An AnyValue object as attribute text. */
export function anyValueText(value: JsonObject): string {
  if (has(value, 'stringValue')) return stringAt(value, 'stringValue');
  if (has(value, 'boolValue')) return boolAt(value, 'boolValue') ? 'true' : 'false';
  if (has(value, 'intValue')) return int64At(value, 'intValue', true);
  if (has(value, 'doubleValue')) return doubleText(doubleAt(value, 'doubleValue'));
  if (has(value, 'arrayValue') || has(value, 'kvlistValue')) return anyValueJson(value, 0) ?? '';
  if (has(value, 'bytesValue')) return bytesAt(value, 'bytesValue');
  return '';
}

/** An AnyValue as the JSON Go marshals for it, or undefined where Go fails (NaN, infinities). */
function anyValueJson(value: JsonObject, depth: number): string | undefined {
  if (has(value, 'stringValue')) return jsonString(stringAt(value, 'stringValue'));
  if (has(value, 'boolValue')) return boolAt(value, 'boolValue') ? 'true' : 'false';
  if (has(value, 'intValue')) return int64At(value, 'intValue', true);
  if (has(value, 'doubleValue')) {
    const double = doubleAt(value, 'doubleValue');
    return Number.isFinite(double) ? doubleJson(double) : undefined;
  }
  const isArray = has(value, 'arrayValue');
  if (isArray || has(value, 'kvlistValue')) {
    const key = isArray ? 'arrayValue' : 'kvlistValue';
    if (depth + 1 > MAX_ANY_VALUE_DEPTH) {
      throw new JsonShapeError(key, `nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
    }
    const container = objectAt(value, key)!;
    return isArray ? arrayJson(container, depth + 1) : keyValueListJson(container, depth + 1);
  }
  if (has(value, 'bytesValue')) return '"' + bytesAt(value, 'bytesValue') + '"';
  return 'null';
}

function arrayJson(array: JsonObject, depth: number): string | undefined {
  const items = arrayAt(array, 'values');
  let json = '[';
  let marshalable = true;
  for (let i = 0; i < items.length; i++) {
    let item: string | undefined;
    try {
      item = anyValueJson(objectIn(items, i), depth);
    } catch (error) {
      rethrowWithin(error, `arrayValue.values[${i}]`);
    }
    if (item === undefined) marshalable = false;
    else json += i === 0 ? item : ',' + item;
  }
  return marshalable ? json + ']' : undefined;
}

function keyValueListJson(list: JsonObject, depth: number): string | undefined {
  const pairs = arrayAt(list, 'values');
  const keys: string[] = [];
  const values: string[] = [];
  let marshalable = true;
  for (let i = 0; i < pairs.length; i++) {
    try {
      const pair = objectIn(pairs, i);
      const value = objectAt(pair, 'value');
      let json: string | undefined = 'null';
      try {
        if (value !== undefined) json = anyValueJson(value, depth);
      } catch (error) {
        rethrowWithin(error, 'value');
      }
      if (json === undefined) marshalable = false;
      else {
        keys.push(stringAt(pair, 'key'));
        values.push(json);
      }
    } catch (error) {
      rethrowWithin(error, `kvlistValue.values[${i}]`);
    }
  }
  return marshalable ? jsonObject(keys, values) : undefined;
}

function valueTextOf(pair: JsonObject): string {
  const value = objectAt(pair, 'value');
  if (value === undefined) return '';
  try {
    return anyValueText(value);
  } catch (error) {
    rethrowWithin(error, 'value');
  }
}

/** The `KeyValue` list at `object[key]` into `attributes`. */
export function attributesInto(object: JsonObject, key: string, attributes: AttributeMap): void {
  const pairs = arrayAt(object, key);
  for (let i = 0; i < pairs.length; i++) {
    try {
      const pair = objectIn(pairs, i);
      setAttribute(attributes, stringAt(pair, 'key'), valueTextOf(pair));
    } catch (error) {
      rethrowWithin(error, `${key}[${i}]`);
    }
  }
}

/** A fresh attribute map holding the `KeyValue` list at `object[key]`. */
export function attributesAt(object: JsonObject, key: string): AttributeMap {
  const attributes: AttributeMap = {};
  attributesInto(object, key, attributes);
  return attributes;
}

/** The `resource` field's attributes. */
export function resourceAttributesAt(object: JsonObject): AttributeMap {
  const resource = objectAt(object, 'resource');
  if (resource === undefined) return {};
  try {
    return attributesAt(resource, 'attributes');
  } catch (error) {
    rethrowWithin(error, 'resource');
  }
}

/** The `scope` field as the tables store it. */
export function scopeAt(object: JsonObject): ScopeFields {
  const scope = objectAt(object, 'scope');
  if (scope === undefined) return emptyScope();
  try {
    return {
      name: stringAt(scope, 'name'),
      version: stringAt(scope, 'version'),
      attributes: attributesAt(scope, 'attributes'),
      droppedAttributesCount: int32At(scope, 'droppedAttributesCount', false),
    };
  } catch (error) {
    rethrowWithin(error, 'scope');
  }
}
