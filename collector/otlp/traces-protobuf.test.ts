import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { SpanRow } from '../../storage/index.ts';
import {
  encodeSpans,
  PARENT_ID,
  readableSpan,
  richSpan,
  SPAN_ID,
  START_NANOS,
  TRACE_ID,
} from './span-fixtures.ts';
import { decodeTracesProtobuf } from './traces-protobuf.ts';
import {
  doubleField,
  fixed64Field,
  hexBytes,
  lengthField,
  message,
  unknownFields,
  varintField,
} from './wire-fixtures.ts';

function decodedRows(bytes: Uint8Array): SpanRow[] {
  const result = decodeTracesProtobuf(bytes);
  if (!result.ok) throw new Error(result.reason);
  expect(result.rejected).toBe(0);
  return result.rows;
}

/** A span message with valid ids plus `extra` fields. */
function spanMessage(...extra: Uint8Array[]): Uint8Array {
  return message(
    lengthField(1, hexBytes(TRACE_ID)),
    lengthField(2, hexBytes(SPAN_ID)),
    lengthField(5, 'work'),
    fixed64Field(7, 1_700_000_000_123_456_789n),
    fixed64Field(8, 1_700_000_000_123_457_789n),
    ...extra,
  );
}

function request(...resourceSpans: Uint8Array[]): Uint8Array {
  return message(...resourceSpans.map((body) => lengthField(1, body)));
}

function resourceSpans(resource: Uint8Array, ...spans: Uint8Array[]): Uint8Array {
  return message(
    lengthField(1, resource),
    lengthField(
      2,
      message(lengthField(1, lengthField(1, 'scope')), ...spans.map((s) => lengthField(2, s))),
    ),
  );
}

const serviceResource = message(
  lengthField(1, message(lengthField(1, 'service.name'), lengthField(2, lengthField(1, 'api')))),
);

describe('decodeTracesProtobuf', () => {
  it('decodes ids, times, every attribute kind, events, links and status exactly', () => {
    const { span, row } = richSpan();
    expect(decodedRows(encodeSpans([span]).protobuf)).toEqual([row]);
  });

  it('keeps nanosecond timestamps past 2^53 exact', () => {
    const span = readableSpan({
      name: 'precise',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      start: [1_700_000_000, 123_456_789],
      end: [1_700_000_000, 123_456_790],
    });
    const [row] = decodedRows(encodeSpans([span]).protobuf);
    expect(row?.Timestamp).toBe(START_NANOS);
    expect(row?.Duration).toBe(1);
  });

  it('keeps the latest storable time exact and clamps later ones to it', () => {
    const latest = request(
      resourceSpans(serviceResource, spanMessage(fixed64Field(7, 0x7fff_ffff_ffff_ffffn))),
    );
    expect(decodedRows(latest)[0]?.Timestamp).toBe('9223372036854775807');
    const beyond = request(
      resourceSpans(serviceResource, spanMessage(fixed64Field(7, 0xffff_ffff_ffff_ffffn))),
    );
    const [row] = decodedRows(beyond);
    expect(row?.Timestamp).toBe('9223372036854775807');
    expect(row?.Duration).toBe(0);
  });

  it('zero-pads times to the 19 digits ClickHouse reads as nanoseconds', () => {
    const unset = request(resourceSpans(serviceResource, spanMessage(fixed64Field(7, 0n))));
    expect(decodedRows(unset)[0]?.Timestamp).toBe('0000000000000000000');
    const early = request(
      resourceSpans(serviceResource, spanMessage(fixed64Field(7, 999_999_999_123_456_789n))),
    );
    expect(decodedRows(early)[0]?.Timestamp).toBe('0999999999123456789');
  });

  it('maps every span kind and status code to the exporter spelling', () => {
    const kinds = [
      SpanKind.INTERNAL,
      SpanKind.SERVER,
      SpanKind.CLIENT,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
    ];
    const spans = kinds.map((kind, i) =>
      readableSpan({
        name: `k${i}`,
        traceId: TRACE_ID,
        spanId: `00000000000000${i + 10}`,
        kind,
        status: { code: [SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR][i % 3]! },
      }),
    );
    const rows = decodedRows(encodeSpans(spans).protobuf);
    expect(rows.map((row) => row.SpanKind)).toEqual([
      'Internal',
      'Server',
      'Client',
      'Producer',
      'Consumer',
    ]);
    expect(rows.map((row) => row.StatusCode)).toEqual(['Unset', 'Ok', 'Error', 'Unset', 'Ok']);
    const unspecified = decodedRows(
      request(resourceSpans(serviceResource, spanMessage(varintField(6, 0)))),
    );
    expect(unspecified[0]?.SpanKind).toBe('Unspecified');
  });

  it('groups rows by resource and scope, defaulting the service name to unknown_service', () => {
    const anonymous = resourceFromAttributes({ 'host.name': 'box' });
    const spans = [
      readableSpan({ name: 'a', traceId: TRACE_ID, spanId: SPAN_ID }),
      readableSpan({ name: 'b', traceId: TRACE_ID, spanId: PARENT_ID, scope: { name: 'other' } }),
      readableSpan({ name: 'c', traceId: TRACE_ID, spanId: SPAN_ID, resource: anonymous }),
    ];
    const rows = decodedRows(encodeSpans(spans).protobuf);
    const byName = Object.fromEntries(rows.map((row) => [row.SpanName, row]));
    expect(byName.a).toMatchObject({
      ServiceName: 'checkout',
      ScopeName: 'opsless-test',
      ScopeVersion: '0.9.0',
    });
    expect(byName.b).toMatchObject({
      ServiceName: 'checkout',
      ScopeName: 'other',
      ScopeVersion: '',
    });
    expect(byName.c).toMatchObject({
      ServiceName: 'unknown_service',
      ResourceAttributes: { 'host.name': 'box' },
    });
  });

  it('applies a resource and scope that come after their spans on the wire', () => {
    const scopeSpans = message(
      lengthField(2, spanMessage()),
      lengthField(1, lengthField(1, 'late-scope')),
    );
    const bytes = request(message(lengthField(2, scopeSpans), lengthField(1, serviceResource)));
    expect(decodedRows(bytes)[0]).toMatchObject({ ServiceName: 'api', ScopeName: 'late-scope' });
  });

  it('skips unknown fields of every wire type at every level', () => {
    const bytes = request(
      message(
        unknownFields(),
        lengthField(1, message(unknownFields(), serviceResource)),
        lengthField(
          2,
          message(
            unknownFields(),
            lengthField(
              2,
              spanMessage(
                unknownFields(),
                lengthField(15, message(unknownFields(), varintField(3, 2))),
              ),
            ),
          ),
        ),
      ),
      unknownFields(),
    );
    expect(decodedRows(bytes)[0]).toMatchObject({
      ServiceName: 'api',
      StatusCode: 'Error',
      SpanName: 'work',
    });
  });

  it('renders protobuf-only values as the exporter does: NaN, infinities, ints past 2^53, empty values', () => {
    const attribute = (key: string, value: Uint8Array): Uint8Array =>
      lengthField(9, message(lengthField(1, key), lengthField(2, value)));
    const bytes = request(
      resourceSpans(
        serviceResource,
        spanMessage(
          attribute('nan', doubleField(4, NaN)),
          attribute('inf', doubleField(4, -Infinity)),
          attribute('int64.max', varintField(3, 9_223_372_036_854_775_807n)),
          attribute('int64.min', varintField(3, -9_223_372_036_854_775_808n)),
          attribute('empty', new Uint8Array()),
          attribute('array.with.nan', lengthField(5, lengthField(1, doubleField(4, NaN)))),
          attribute('array.with.empty', lengthField(5, lengthField(1, new Uint8Array()))),
          attribute('negative.zero', doubleField(4, -0)),
        ),
      ),
    );
    expect(decodedRows(bytes)[0]?.SpanAttributes).toEqual({
      nan: 'json: unsupported value: NaN',
      inf: 'json: unsupported value: -Inf',
      'int64.max': '9223372036854775807',
      'int64.min': '-9223372036854775808',
      empty: '',
      'array.with.nan': '',
      'array.with.empty': '[null]',
      'negative.zero': '-0',
    });
  });

  it('keeps thousands of distinct same-length strings distinct (string cache collisions)', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 6000; i++)
      attributes[`key-${String(i).padStart(5, '0')}`] = `v-${String(i).padStart(5, '0')}`;
    const span = readableSpan({ name: 'many', traceId: TRACE_ID, spanId: SPAN_ID, attributes });
    const protobuf = encodeSpans([span]).protobuf;
    expect(decodedRows(protobuf)[0]?.SpanAttributes).toEqual(attributes);
    expect(decodedRows(protobuf)[0]?.SpanAttributes).toEqual(attributes);
  });

  it('accepts an empty request as success with no rows', () => {
    expect(decodeTracesProtobuf(new Uint8Array())).toEqual({
      ok: true,
      rows: [],
      rejected: 0,
      errorMessage: '',
    });
  });
});

describe('decodeTracesProtobuf partial success', () => {
  it('rejects spans with a wrong-length or missing trace id or span id and keeps the rest', () => {
    const bytes = request(
      resourceSpans(
        serviceResource,
        spanMessage(),
        message(lengthField(1, hexBytes('abcdef')), lengthField(2, hexBytes(SPAN_ID))),
        message(lengthField(2, hexBytes(SPAN_ID))),
        message(lengthField(1, hexBytes(TRACE_ID)), lengthField(2, hexBytes('0102'))),
        spanMessage(lengthField(4, hexBytes('01'))),
      ),
    );
    const result = decodeTracesProtobuf(bytes);
    expect(result).toMatchObject({ ok: true, rejected: 4 });
    if (!result.ok) return;
    expect(result.rows).toHaveLength(1);
    expect(result.errorMessage).toBe(
      '4 spans rejected; first: resourceSpans[0].scopeSpans[0].spans[1]: span trace_id must be 16 bytes, got 3',
    );
  });

  it('rejects a span whose link has a wrong-length id', () => {
    const link = lengthField(
      13,
      message(lengthField(1, hexBytes('ff')), lengthField(2, hexBytes(SPAN_ID))),
    );
    const result = decodeTracesProtobuf(request(resourceSpans(serviceResource, spanMessage(link))));
    expect(result).toMatchObject({ ok: true, rows: [], rejected: 1 });
    expect(result.ok && result.errorMessage).toContain(
      'link trace_id must be 16 bytes or empty, got 1',
    );
  });
});

describe('decodeTracesProtobuf on malformed input', () => {
  const { protobuf } = encodeSpans([richSpan().span]);

  it('answers every truncated prefix with a reason instead of throwing', () => {
    for (let length = 1; length < protobuf.length; length++) {
      const result = decodeTracesProtobuf(protobuf.subarray(0, length));
      expect(result.ok, `prefix of ${length} bytes`).toBe(false);
      expect(!result.ok && result.reason).toMatch(/truncated|overrun/);
    }
  });

  it('names the field and byte of an over-long length', () => {
    const bytes = Uint8Array.from([0x0a, 0xff, 0x01, 0x00]);
    expect(decodeTracesProtobuf(bytes)).toEqual({
      ok: false,
      reason: 'truncated length-delimited field 1 at byte 0: claims 255 bytes, 1 remain',
    });
  });

  it('refuses the group wire types and field number zero', () => {
    expect(decodeTracesProtobuf(Uint8Array.from([0x0b]))).toMatchObject({
      ok: false,
      reason: 'bad wire type 3 for field 1 at byte 0',
    });
    expect(decodeTracesProtobuf(Uint8Array.from([0x02, 0x00]))).toEqual({
      ok: false,
      reason: 'invalid field number 0 at byte 0',
    });
    expect(decodeTracesProtobuf(Uint8Array.from([0x0a, 0x02, 0x80]))).toEqual({
      ok: false,
      reason: 'truncated length-delimited field 1 at byte 0: claims 2 bytes, 1 remain',
    });
    expect(decodeTracesProtobuf(Uint8Array.from([0x80]))).toEqual({
      ok: false,
      reason: 'truncated varint tag at byte 0',
    });
  });

  it('refuses a nested message that overruns its parent', () => {
    // The span claims 2 bytes but its fixed64 start time needs 9.
    const scopeSpans = message(Uint8Array.from([0x12, 0x02, 0x39, 0x00]), new Uint8Array(7));
    const result = decodeTracesProtobuf(request(message(lengthField(2, scopeSpans))));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/Span ending at byte \d+ is overrun by field 7/);
  });

  it('refuses AnyValue arrays nested deeper than 32 levels and accepts 32', () => {
    const nested = (depth: number): Uint8Array => {
      let value = lengthField(1, 'leaf');
      for (let i = 0; i < depth; i++) value = lengthField(5, lengthField(1, value));
      return value;
    };
    const withDepth = (depth: number): Uint8Array =>
      request(
        resourceSpans(
          serviceResource,
          spanMessage(
            lengthField(9, message(lengthField(1, 'deep'), lengthField(2, nested(depth)))),
          ),
        ),
      );
    const accepted = decodeTracesProtobuf(withDepth(32));
    expect(accepted.ok && accepted.rows[0]?.SpanAttributes.deep).toBe(
      `${'['.repeat(32)}"leaf"${']'.repeat(32)}`,
    );
    const refused = decodeTracesProtobuf(withDepth(33));
    expect(!refused.ok && refused.reason).toMatch(
      /AnyValue nested deeper than 32 levels at byte \d+/,
    );
    const hostile = decodeTracesProtobuf(withDepth(300));
    expect(hostile.ok).toBe(false);
  });

  it('never throws on random bytes or on random corruptions of a valid request', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let i = 0; i < 3000; i++) {
      const garbage = Uint8Array.from({ length: Math.floor(random() * 200) }, () =>
        Math.floor(random() * 256),
      );
      expect(typeof decodeTracesProtobuf(garbage).ok).toBe('boolean');
      const corrupted = protobuf.slice();
      for (let flips = 0; flips < 3; flips++) {
        corrupted[Math.floor(random() * corrupted.length)] = Math.floor(random() * 256);
      }
      expect(typeof decodeTracesProtobuf(corrupted).ok).toBe('boolean');
    }
  });
});
