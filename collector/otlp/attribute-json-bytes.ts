/**
 * OTLP `KeyValue` attributes written from protobuf straight into a JSON object
 * of the byte writer, for the trace transcoder. A map the row decoder would build
 * differently from the wire order (a repeated key, where its object keeps the
 * last value, or keys that are not ASCII, which TextDecoder may map to one string)
 * is declined by throwing `Declined`; the caller then leaves the request to it.
 */

import { readAnyValueText } from './common-protobuf.ts';
import { asciiBytes, type JsonByteWriter } from './json-bytes.ts';
import type { ProtobufReader } from './protobuf-reader.ts';

/** Thrown where the row decoder takes over. */
export class Declined extends Error {}
const DECLINED = new Declined('left to the row decoder');

const EMPTY_STRING = asciiBytes('""');
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** The attributes (KeyValues under `attributesTag`) of the message at `[start, end)` as one map. */
export function writeAttributeMap(
  out: JsonByteWriter,
  reader: ProtobufReader,
  start: number,
  end: number,
  attributesTag: number,
): void {
  out.byte(OPEN_BRACE);
  startAttributeMap();
  reader.pos = start;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === attributesTag) writeKeyValue(out, reader, reader.lengthEnd(end));
    else reader.skip(tag, end);
  }
  out.byte(CLOSE_BRACE);
}

// Keys of the map being written, to find a repeated key (which the row decoder's
// last-value-wins object semantics handle): their hashes and where their bytes are.
// The bound keeps the pairwise check cheap; SDK spans rarely carry more.
const MAX_MAP_KEYS = 64;
const keyHashes = new Int32Array(MAX_MAP_KEYS);
const keyStarts = new Int32Array(MAX_MAP_KEYS);
const keyEnds = new Int32Array(MAX_MAP_KEYS);
let mapKeys = 0;

/** Starts a map: later keys are checked against its keys only. */
export function startAttributeMap(): void {
  mapKeys = 0;
}

/** One `KeyValue{key=1, value=2}` as `"key":"text"` of the map being written. */
export function writeKeyValue(out: JsonByteWriter, reader: ProtobufReader, end: number): void {
  const bytes = reader.bytes;
  const start = reader.pos;
  // What the SDKs send: key, then a lone string_value, every length one byte.
  // Such bytes are valid by construction, so the generic checks are skipped.
  if (bytes[start] === 10) {
    const keyEnd = start + 2 + bytes[start + 1]!;
    if (keyEnd + 4 <= end && bytes[start + 1]! < 0x80 && bytes[keyEnd] === 18) {
      const valueLength = bytes[keyEnd + 1]!;
      const stringLength = bytes[keyEnd + 3]!;
      if (
        keyEnd + 2 + valueLength === end &&
        bytes[keyEnd + 2] === 10 &&
        valueLength === stringLength + 2 &&
        valueLength < 0x80
      ) {
        writeKey(out, bytes, start + 2, keyEnd);
        out.stringOfBytes(bytes, keyEnd + 4, end);
        reader.pos = end;
        return;
      }
    }
  }
  let keyStart = 0;
  let keyEnd = 0;
  let valueStart = 0;
  let valueEnd = 0;
  let keyFields = 0;
  let valueFields = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) {
      keyEnd = reader.lengthEnd(end);
      keyStart = reader.pos;
      reader.pos = keyEnd;
      keyFields++;
    } else if (tag === 18) {
      valueEnd = reader.lengthEnd(end);
      valueStart = reader.pos;
      reader.pos = valueEnd;
      valueFields++;
    } else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'KeyValue');
  if (keyFields > 1 || valueFields > 1) throw DECLINED;
  writeKey(out, bytes, keyStart, keyEnd);
  if (valueFields === 0) out.raw(EMPTY_STRING);
  else {
    // A lone string_value is copied; any other AnyValue rendered as text.
    reader.pos = valueStart;
    let copied = false;
    if (valueStart < valueEnd && bytes[valueStart] === 10) {
      reader.readTag();
      const stringEnd = reader.lengthEnd(valueEnd);
      if (stringEnd === valueEnd) {
        out.stringOfBytes(bytes, reader.pos, stringEnd);
        copied = true;
      } else reader.pos = valueStart;
    }
    if (!copied) out.string(readAnyValueText(reader, valueEnd));
  }
  reader.pos = end;
}

/** `"key":` of the map being written, or declines a key that is non-ASCII or repeated. */
function writeKey(out: JsonByteWriter, bytes: Uint8Array, keyStart: number, keyEnd: number): void {
  if (mapKeys === MAX_MAP_KEYS) throw DECLINED;
  if (mapKeys > 0) out.byte(COMMA);
  const hash = out.asciiKey(bytes, keyStart, keyEnd);
  if (hash === -1) throw DECLINED;
  for (let k = 0; k < mapKeys; k++) {
    if (keyHashes[k] === hash && sameBytes(bytes, keyStarts[k]!, keyEnds[k]!, keyStart, keyEnd)) {
      throw DECLINED;
    }
  }
  keyHashes[mapKeys] = hash;
  keyStarts[mapKeys] = keyStart;
  keyEnds[mapKeys] = keyEnd;
  mapKeys++;
}

function sameBytes(
  bytes: Uint8Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) {
    if (bytes[aStart + i] !== bytes[bStart + i]) return false;
  }
  return true;
}
