/**
 * A growable output buffer of JSON text written byte by byte: string literals
 * copied from protobuf bytes with JSON escaping, hex ids and decimal times written
 * as digits, so the trace transcoder builds no JS string per value.
 */

import { constants } from 'node:buffer';
import { base1e7, splitBase1e7 } from './int64-decimal.ts';

const QUOTE = 34;
const BACKSLASH = 92;
const HEX_DIGITS = '0123456789abcdef';
const HEX_CODES = Uint8Array.from(HEX_DIGITS, (digit) => digit.charCodeAt(0));

// Per byte: 0 copies as it is, 1 needs an escape, 2 starts a non-ASCII sequence.
const BYTE_CLASS = new Uint8Array(256);
for (let code = 0; code < 0x20; code++) BYTE_CLASS[code] = 1;
BYTE_CLASS[QUOTE] = 1;
BYTE_CLASS[BACKSLASH] = 1;
for (let code = 0x80; code < 0x100; code++) BYTE_CLASS[code] = 2;
// JSON.stringify's short escapes; other controls become \u00XX.
const SHORT_ESCAPES = new Uint8Array(0x60);
SHORT_ESCAPES[8] = 98; // \b
SHORT_ESCAPES[9] = 116; // \t
SHORT_ESCAPES[10] = 110; // \n
SHORT_ESCAPES[12] = 102; // \f
SHORT_ESCAPES[13] = 114; // \r
SHORT_ESCAPES[QUOTE] = QUOTE;
SHORT_ESCAPES[BACKSLASH] = BACKSLASH;

const { MAX_STRING_LENGTH } = constants;
const INITIAL_BYTES = 1 << 20;
const TEXT_PIECE_BYTES = 16 << 10;
/** A buffer grown past this for one huge request is dropped afterwards. */
const MAX_KEPT_BYTES = 16 << 20;
/** DateTime64(9)'s last instant (see int64-decimal.ts), for fixed64 times past 2^63. */
const MAX_STORABLE_TIME = Uint8Array.from('9223372036854775807', (digit) => digit.charCodeAt(0));
const textDecoder = new TextDecoder();

/** Bytes of an ASCII text, for fragments written often. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

export class JsonByteWriter {
  bytes: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  pos = 0;
  /** Whether everything written so far is ASCII (then the text is read as latin1, a copy). */
  ascii = true;

  /** Starts a new text, keeping the buffer unless one huge request grew it (then dropped at once). */
  reset(): void {
    this.pos = 0;
    this.ascii = true;
    if (this.bytes.length > MAX_KEPT_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  }

  /**
   * Everything written since `reset`. ASCII text is read in pieces joined as a
   * rope: one string of a whole request is a large-object allocation whose fresh
   * pages cost ~0.6 µs per span more than 16 KiB pieces in the young generation.
   */
  text(): string {
    const bytes = this.bytes;
    const end = this.pos;
    if (!this.ascii) return bytes.toString('utf8', 0, end);
    let text = '';
    for (let start = 0; start < end; start += TEXT_PIECE_BYTES) {
      text += bytes.toString('latin1', start, Math.min(end, start + TEXT_PIECE_BYTES));
    }
    return text;
  }

  /** Makes room for `extra` more bytes; throws past what one JS string can hold. */
  ensure(extra: number): void {
    if (this.pos + extra > this.bytes.length) {
      if (this.pos + extra > MAX_STRING_LENGTH) throw new RangeError('JSON text too long');
      const size = Math.min(Math.max(2 * this.bytes.length, this.pos + extra), MAX_STRING_LENGTH);
      const grown = Buffer.allocUnsafe(size);
      this.bytes.copy(grown, 0, 0, this.pos);
      this.bytes = grown;
    }
  }

  byte(code: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = code;
  }

  /** Pre-encoded bytes; `ascii` false when they hold UTF-8 beyond ASCII. */
  raw(fragment: Uint8Array, ascii = true): void {
    const length = fragment.length;
    this.ensure(length);
    if (length > 32) this.bytes.set(fragment, this.pos);
    else {
      const bytes = this.bytes;
      const pos = this.pos;
      for (let i = 0; i < length; i++) bytes[pos + i] = fragment[i]!;
    }
    this.pos += length;
    if (!ascii) this.ascii = false;
  }

  /**
   * A JSON string literal of the UTF-8 bytes `source[start, end)` read as
   * TextDecoder reads them. ASCII is copied with escapes; anything else goes through
   * TextDecoder, whose replacement characters and BOM handling the row decoder shares.
   */
  stringOfBytes(source: Uint8Array, start: number, end: number): void {
    this.ensure(end - start + 2);
    const literalStart = this.pos;
    let bytes = this.bytes;
    let pos = literalStart;
    bytes[pos++] = QUOTE;
    for (let i = start; i < end; i++) {
      const byte = source[i]!;
      const kind = BYTE_CLASS[byte]!;
      if (kind === 0) bytes[pos++] = byte;
      else if (kind === 1) {
        this.pos = pos;
        this.ensure(6 + end - i);
        bytes = this.bytes;
        pos = writeEscape(bytes, pos, byte);
      } else {
        this.pos = literalStart;
        this.string(textDecoder.decode(source.subarray(start, end)));
        return;
      }
    }
    bytes[pos++] = QUOTE;
    this.pos = pos;
  }

  /**
   * `"key":` from ASCII bytes, returning a 31-bit hash of them; -1 (and nothing
   * meaningful written) when they are not all ASCII.
   */
  asciiKey(source: Uint8Array, start: number, end: number): number {
    this.ensure(end - start + 3);
    let bytes = this.bytes;
    let pos = this.pos;
    let hash = end - start;
    bytes[pos++] = QUOTE;
    for (let i = start; i < end; i++) {
      const byte = source[i]!;
      hash = Math.imul(hash ^ byte, 0x01000193);
      const kind = BYTE_CLASS[byte]!;
      if (kind === 0) bytes[pos++] = byte;
      else if (kind === 1) {
        this.pos = pos;
        this.ensure(7 + end - i);
        bytes = this.bytes;
        pos = writeEscape(bytes, pos, byte);
      } else return -1;
    }
    bytes[pos++] = QUOTE;
    bytes[pos++] = 58; // :
    this.pos = pos;
    return hash & 0x7fffffff;
  }

  /** A JSON string literal of `text`, in UTF-8. */
  string(text: string): void {
    const length = text.length;
    this.ensure(3 * length + 2);
    let bytes = this.bytes;
    let pos = this.pos;
    bytes[pos++] = QUOTE;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        if (BYTE_CLASS[code] === 0) bytes[pos++] = code;
        else {
          this.pos = pos;
          this.ensure(6 + 3 * (length - i));
          bytes = this.bytes;
          pos = writeEscape(bytes, pos, code);
        }
        continue;
      }
      this.ascii = false;
      if (code < 0x800) {
        bytes[pos++] = 0xc0 | (code >> 6);
        bytes[pos++] = 0x80 | (code & 0x3f);
      } else if (code >= 0xd800 && code < 0xe000) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (code < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
          const point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          bytes[pos++] = 0xf0 | (point >> 18);
          bytes[pos++] = 0x80 | ((point >> 12) & 0x3f);
          bytes[pos++] = 0x80 | ((point >> 6) & 0x3f);
          bytes[pos++] = 0x80 | (point & 0x3f);
          i++;
        } else {
          // A lone surrogate, escaped as JSON.stringify does (UTF-8 cannot hold it).
          this.pos = pos;
          this.ensure(6 + 3 * (length - i));
          bytes = this.bytes;
          pos = writeUnicodeEscape(bytes, pos, code);
        }
      } else {
        bytes[pos++] = 0xe0 | (code >> 12);
        bytes[pos++] = 0x80 | ((code >> 6) & 0x3f);
        bytes[pos++] = 0x80 | (code & 0x3f);
      }
    }
    bytes[pos++] = QUOTE;
    this.pos = pos;
  }

  /** `source[start, end)` as a quoted lower-case hex string. */
  hex(source: Uint8Array, start: number, end: number): void {
    this.ensure(2 * (end - start) + 2);
    const bytes = this.bytes;
    let pos = this.pos;
    bytes[pos++] = QUOTE;
    for (let i = start; i < end; i++) {
      const byte = source[i]!;
      bytes[pos++] = HEX_CODES[byte >> 4]!;
      bytes[pos++] = HEX_CODES[byte & 15]!;
    }
    bytes[pos++] = QUOTE;
    this.pos = pos;
  }

  /**
   * A fixed64 nanosecond time `high:low` as the quoted 19-digit text of
   * int64-decimal.ts `timeDecimal`, from the same base-1e7 split.
   */
  time(low: number, high: number): void {
    this.ensure(21);
    const bytes = this.bytes;
    let pos = this.pos;
    bytes[pos++] = QUOTE;
    if ((high & 0x80000000) !== 0) {
      for (let i = 0; i < 19; i++) bytes[pos++] = MAX_STORABLE_TIME[i]!;
    } else {
      splitBase1e7(low, high);
      // Below 2^63, c (the value / 1e14) has at most 5 digits.
      writeDigits(bytes, pos, base1e7.c, 5);
      writeDigits(bytes, pos + 5, base1e7.b, 7);
      writeDigits(bytes, pos + 12, base1e7.a, 7);
      pos += 19;
    }
    bytes[pos++] = QUOTE;
    this.pos = pos;
  }

  /** A non-negative number as JSON.stringify writes it. */
  number(value: number): void {
    if (Number.isSafeInteger(value) && value >= 0) {
      let digits = 1;
      for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      this.ensure(digits);
      writeDigits(this.bytes, this.pos, value, digits);
      this.pos += digits;
    } else this.asciiText(String(value));
  }

  /** Text known to be ASCII needing no escapes (a number's digits), unquoted. */
  asciiText(text: string): void {
    const length = text.length;
    this.ensure(length);
    for (let i = 0; i < length; i++) this.bytes[this.pos + i] = text.charCodeAt(i);
    this.pos += length;
  }
}

/** `value` as `count` decimal digits, zero-padded, at `pos`. */
function writeDigits(bytes: Uint8Array, pos: number, value: number, count: number): void {
  let rest = value;
  for (let i = pos + count - 1; i >= pos; i--) {
    const next = Math.floor(rest / 10);
    bytes[i] = 48 + rest - 10 * next;
    rest = next;
  }
}

function writeEscape(bytes: Uint8Array, pos: number, code: number): number {
  const short = SHORT_ESCAPES[code]!;
  if (short === 0) return writeUnicodeEscape(bytes, pos, code);
  bytes[pos] = BACKSLASH;
  bytes[pos + 1] = short;
  return pos + 2;
}

function writeUnicodeEscape(bytes: Uint8Array, pos: number, code: number): number {
  bytes[pos] = BACKSLASH;
  bytes[pos + 1] = 117; // u
  bytes[pos + 2] = HEX_CODES[(code >> 12) & 15]!;
  bytes[pos + 3] = HEX_CODES[(code >> 8) & 15]!;
  bytes[pos + 4] = HEX_CODES[(code >> 4) & 15]!;
  bytes[pos + 5] = HEX_CODES[code & 15]!;
  return pos + 6;
}
