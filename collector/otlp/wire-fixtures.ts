/**
 * Test fixtures: a minimal protobuf writer for hand-built messages (unknown
 * fields, odd field order, malformed lengths) that no SDK serializer would produce.
 */

const textEncoder = new TextEncoder();

function varintBytes(value: bigint): number[] {
  let rest = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

function tag(fieldNumber: number, wireType: number): number[] {
  return varintBytes(BigInt((fieldNumber << 3) | wireType));
}

/** A varint field (int32, int64, uint64, bool, enum); negatives as 10-byte two's complement. */
export function varintField(fieldNumber: number, value: number | bigint): Uint8Array {
  return Uint8Array.from([...tag(fieldNumber, 0), ...varintBytes(BigInt(value))]);
}

/** A length-delimited field: a string, bytes, or an embedded message. */
export function lengthField(fieldNumber: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === 'string' ? textEncoder.encode(payload) : payload;
  return Uint8Array.from([...tag(fieldNumber, 2), ...varintBytes(BigInt(bytes.length)), ...bytes]);
}

/** A fixed64 field (times, counts), little-endian. */
export function fixed64Field(fieldNumber: number, value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return Uint8Array.from([...tag(fieldNumber, 1), ...bytes]);
}

/** A double field. */
export function doubleField(fieldNumber: number, value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return Uint8Array.from([...tag(fieldNumber, 1), ...bytes]);
}

/** A fixed32 field. */
export function fixed32Field(fieldNumber: number, value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return Uint8Array.from([...tag(fieldNumber, 5), ...bytes]);
}

/** Fields one after another, as a message body. */
export function message(...fields: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((total, field) => total + field.length, 0));
  let offset = 0;
  for (const field of fields) {
    out.set(field, offset);
    offset += field.length;
  }
  return out;
}

/** Bytes of a hex string. */
export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** One field of every wire type with a field number no OTLP message uses. */
export function unknownFields(): Uint8Array {
  return message(
    varintField(900, -1),
    fixed64Field(901, 0x0123456789abcdefn),
    lengthField(902, 'ignored'),
    fixed32Field(903, 7),
  );
}
