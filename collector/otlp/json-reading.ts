/**
 * Reading OTLP/JSON (`JSON.parse` output) with type checks that name the field:
 * a wrong type fails the request with a path such as
 * `resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected integer`.
 * Absent and `null` fields read as the proto default; unknown keys are ignored.
 */

import { InputError } from './decode-result.ts';
import {
  integralNumberDecimal,
  storableTime,
  parseInt64Decimal,
  parseUint64Decimal,
} from './int64-decimal.ts';

export type JsonObject = Record<string, unknown>;

/** A field of the wrong type; the path grows as the error passes up through its parents. */
export class JsonShapeError extends InputError {
  constructor(
    public path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }

  /** Prefixes the path with the parent field, e.g. `spans[3]` + `.name`; an empty path is the parent itself. */
  within(parent: string): this {
    this.path = this.path === '' ? parent : `${parent}.${this.path}`;
    this.message = `${this.path}: ${this.problem}`;
    return this;
  }
}

/** Rethrows `error`, adding `parent` to the path of a shape error. */
export function rethrowWithin(error: unknown, parent: string): never {
  if (error instanceof JsonShapeError) throw error.within(parent);
  throw error;
}

const textDecoder = new TextDecoder();
// Integers of 16+ digits: JSON.parse would round those past 2^53 (the JS exporter
// sends times as strings, but other senders may not). They are quoted first, so
// they reach the int64 readers as exact decimal text.
const MAY_HOLD_BIG_INTEGER = /[:[,]\s*-?\d{16}/;
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Parses a request body; a top-level value that is not an object is refused. */
export function parseJsonRequest(body: Uint8Array | string): JsonObject {
  let text = typeof body === 'string' ? body : textDecoder.decode(body);
  if (MAY_HOLD_BIG_INTEGER.test(text)) {
    text = text.replace(STRING_OR_NUMBER, (token) =>
      token.length >= 16 && /^-?\d{16,}$/.test(token) ? `"${token}"` : token,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new InputError('invalid OTLP/JSON: the body must be a JSON object');
  return parsed;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NO_ITEMS: readonly unknown[] = [];

/** A repeated message field; absent reads as empty. */
export function arrayAt(object: JsonObject, key: string): readonly unknown[] {
  const value = object[key];
  if (value === undefined || value === null) return NO_ITEMS;
  if (!Array.isArray(value)) throw new JsonShapeError(key, 'expected array');
  return value;
}

/** An element of a repeated message field. */
export function objectIn(items: readonly unknown[], index: number): JsonObject {
  const value = items[index];
  // The caller adds `name[index]` to the path as the error passes up.
  if (!isObject(value)) throw new JsonShapeError('', 'expected object');
  return value;
}

/** A singular message field, or undefined when absent. */
export function objectAt(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new JsonShapeError(key, 'expected object');
  return value;
}

// A surrogate code unit, and one without its partner. Decoded UTF-8 holds none, but
// JSON escapes (`"\ud800"`) can make any half of a pair.
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A string field. Lone surrogates become U+FFFD, as TextDecoder treats invalid
 * UTF-8 on the protobuf path: text that is not Unicode must never reach storage,
 * where it would fail the insert of every request batched with it.
 */
export function stringAt(object: JsonObject, key: string): string {
  const value = object[key];
  if (typeof value === 'string') {
    return SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\ufffd') : value;
  }
  if (value === undefined || value === null) return '';
  throw new JsonShapeError(key, 'expected string');
}

export function boolAt(object: JsonObject, key: string): boolean {
  const value = object[key];
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  throw new JsonShapeError(key, 'expected boolean');
}

/** A 32-bit integer (enums, counts, flags, scale) as a number or decimal string. */
export function int32At(object: JsonObject, key: string, signed: boolean): number {
  const value = object[key];
  if (value === undefined || value === null) return 0;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (
    typeof number === 'number' &&
    Number.isInteger(number) &&
    (signed ? number >= -(2 ** 31) && number < 2 ** 31 : number >= 0 && number < 2 ** 32)
  ) {
    return number;
  }
  throw new JsonShapeError(
    key,
    signed ? 'expected 32-bit integer' : 'expected unsigned 32-bit integer',
  );
}

function int64Of(value: unknown, signed: boolean): string | undefined {
  if (typeof value === 'string')
    return signed ? parseInt64Decimal(value) : parseUint64Decimal(value);
  if (typeof value === 'number') return integralNumberDecimal(value, signed);
  return undefined;
}

/** A (s)fixed64/(u)int64 as canonical decimal text; numbers and decimal strings are both accepted. */
export function int64At(object: JsonObject, key: string, signed: boolean): string {
  const value = object[key];
  if (value === undefined || value === null) return '0';
  const decimal = int64Of(value, signed);
  if (decimal === undefined) {
    throw new JsonShapeError(key, signed ? 'expected integer' : 'expected non-negative integer');
  }
  return decimal;
}

/** A fixed64 nanosecond time as storableTime text: exact, zero-padded, clamped past 2262. */
export function timeAt(object: JsonObject, key: string): string {
  return storableTime(int64At(object, key, false));
}

function doubleOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  const number = value.trim() === '' ? NaN : Number(value);
  return Number.isNaN(number) ? undefined : number;
}

/** A double: a number, a numeric string, or `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function doubleAt(object: JsonObject, key: string): number {
  const value = object[key];
  if (value === undefined || value === null) return 0;
  const double = doubleOf(value);
  if (double === undefined) throw new JsonShapeError(key, 'expected number');
  return double;
}

/** Whether `key` holds a value (proto3 JSON treats `null` as absent). */
export function has(object: JsonObject, key: string): boolean {
  const value = object[key];
  return value !== undefined && value !== null;
}

/** A repeated uint64 field (bucket counts) as numbers, exact below 2^53. */
export function uint64ArrayAt(object: JsonObject, key: string): number[] {
  const items = arrayAt(object, key);
  const out = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    const decimal = int64Of(items[i], false);
    if (decimal === undefined) {
      throw new JsonShapeError(`${key}[${i}]`, 'expected non-negative integer');
    }
    out[i] = Number(decimal);
  }
  return out;
}

/** A repeated double field. */
export function doubleArrayAt(object: JsonObject, key: string): number[] {
  const items = arrayAt(object, key);
  const out = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    const double = doubleOf(items[i]);
    if (double === undefined) throw new JsonShapeError(`${key}[${i}]`, 'expected number');
    out[i] = double;
  }
  return out;
}
