/**
 * A protobuf wire-format reader that walks the bytes once, front to back.
 *
 * Hand-written rather than protobufjs because this is the ingest hot path:
 * messages decode straight into rows with no intermediate objects. bench/decode.ts
 * (512 SDK spans, ~10 attributes each) measures this decoder producing rows at
 * ~2x the spans/s of protobufjs producing only plain messages. Every read is
 * bounds-checked and throws `WireFormatError`, which the public decode functions
 * turn into `{ ok: false, reason }`.
 */

import { InputError } from './decode-result.ts';

// Wire types. Decoders switch on whole tags, `(field number << 3) | wire type`
// (e.g. 57 is field 7 as fixed64), so a known field number sent with an unexpected
// wire type falls through to `skip` like an unknown field, as protobuf requires.
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Malformed protobuf; never escapes a public decode function. */
export class WireFormatError extends InputError {}

/** How deep AnyValue arrays and key-value lists may nest before a request is refused. */
export const MAX_ANY_VALUE_DEPTH = 32;

// Short ASCII strings (attribute keys, span names, most values) are built from
// char codes (~80 ns for a typical key against ~180 ns through TextDecoder) and
// interned in a small table keyed by a hash of their bytes: a hit skips building
// the string, and an already-internalised key makes the attribute map store cheap.
// Interleaved bench/decode.ts runs: ~+30% spans/s with the table than without.
const SHORT_STRING_BYTES = 64;
const STRING_CACHE_SIZE = 4096;
const stringCache: Array<string | undefined> = new Array<string | undefined>(
  STRING_CACHE_SIZE,
).fill(undefined);
// One scratch array per length: resizing a single array measured ~15% of decode time.
const charScratches: number[][] = [];
for (let length = 0; length <= SHORT_STRING_BYTES; length++) {
  charScratches.push(new Array<number>(length).fill(0));
}
const textDecoder = new TextDecoder();

export class ProtobufReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  /** Tag most recently read and where it started, for error messages. */
  tag = 0;
  tagStart = 0;
  /** The halves of the last 64-bit value read by `varint64` or `fixed64`. */
  low = 0;
  high = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws e.g. `truncated fixed64 field 7 at byte 1234`. */
  private fail(what: string, detail = ''): never {
    const where =
      this.tag === 0
        ? `${what} tag at byte ${this.tagStart}`
        : `${what} field ${this.tag >>> 3} at byte ${this.tagStart}`;
    throw new WireFormatError(detail === '' ? where : `${where}: ${detail}`);
  }

  /** Reads a field tag; validates its wire type so callers may skip any unknown field. */
  readTag(): number {
    this.tag = 0;
    this.tagStart = this.pos;
    const tag = this.varint32();
    const wireType = tag & 7;
    if (wireType === 3 || wireType === 4 || wireType > 5) {
      throw new WireFormatError(
        `bad wire type ${wireType} for field ${tag >>> 3} at byte ${this.tagStart}`,
      );
    }
    if (tag >>> 3 === 0)
      throw new WireFormatError(`invalid field number 0 at byte ${this.tagStart}`);
    this.tag = tag;
    return tag;
  }

  /** A varint as uint32: the low 32 bits of up to 10 bytes (int32 -1 is 10 bytes). */
  varint32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= bytes.length) this.fail('truncated varint');
      const byte = bytes[pos++]!;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    return this.fail('over-long varint');
  }

  /** A varint as two uint32 halves in `low` and `high`. */
  varint64(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    let low = 0;
    let high = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= bytes.length) this.fail('truncated varint');
      const byte = bytes[pos++]!;
      const bits = byte & 0x7f;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (byte < 0x80) {
        this.pos = pos;
        this.low = low >>> 0;
        this.high = high >>> 0;
        return;
      }
    }
    this.fail('over-long varint');
  }

  /** A zigzag-encoded sint32. */
  sint32(): number {
    const value = this.varint32();
    return (value >>> 1) ^ -(value & 1);
  }

  /** 8 little-endian bytes as halves in `low` and `high`. */
  fixed64(): void {
    const pos = this.pos;
    if (pos + 8 > this.bytes.length) this.fail('truncated fixed64');
    this.low = this.view.getUint32(pos, true);
    this.high = this.view.getUint32(pos + 4, true);
    this.pos = pos + 8;
  }

  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.bytes.length) this.fail('truncated fixed32');
    this.pos = pos + 4;
    return this.view.getUint32(pos, true);
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.bytes.length) this.fail('truncated double');
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /**
   * Reads the length of a length-delimited field and returns where its payload
   * ends; the payload must fit inside the enclosing message ending at `limit`.
   */
  lengthEnd(limit: number): number {
    const length = this.varint32();
    const end = this.pos + length;
    if (end > limit) {
      this.fail('truncated length-delimited', `claims ${length} bytes, ${limit - this.pos} remain`);
    }
    return end;
  }

  /** A length-delimited UTF-8 string. */
  string(limit: number): string {
    const end = this.lengthEnd(limit);
    const start = this.pos;
    this.pos = end;
    const length = end - start;
    if (length === 0) return '';
    const bytes = this.bytes;
    if (length > SHORT_STRING_BYTES) return textDecoder.decode(bytes.subarray(start, end));
    let hash = length;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return textDecoder.decode(bytes.subarray(start, end));
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const slot = (hash ^ (hash >>> 16)) & (STRING_CACHE_SIZE - 1);
    const cached = stringCache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const codes = charScratches[length]!;
    for (let i = 0; i < length; i++) codes[i] = bytes[start + i]!;
    const text = String.fromCharCode.apply(null, codes);
    stringCache[slot] = text;
    return text;
  }

  /** Skips the value of the field whose tag was just read. */
  skip(tag: number, limit: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > limit) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LENGTH_DELIMITED:
        this.pos = this.lengthEnd(limit);
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > limit) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`bad wire type ${tag & 7} for`);
    }
  }

  /**
   * Called when a message's loop ends: a field whose fixed-size or varint value
   * ran past the message's own length is malformed even if the buffer goes on.
   */
  expectEnd(end: number, message: string): void {
    if (this.pos !== end) {
      throw new WireFormatError(
        `${message} ending at byte ${end} is overrun by field ${this.tag >>> 3} at byte ${this.tagStart}`,
      );
    }
  }
}
