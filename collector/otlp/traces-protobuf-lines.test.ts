import { SpanKind, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import {
  encodeSpans,
  LINKED_SPAN_ID,
  LINKED_TRACE_ID,
  PARENT_ID,
  readableSpan,
  richSpan,
  SPAN_ID,
  TRACE_ID,
} from './span-fixtures.ts';
import { decodeTracesProtobuf } from './traces-protobuf.ts';
import { transcodeTracesDirectly, transcodeTracesProtobuf } from './traces-protobuf-lines.ts';
import {
  doubleField,
  fixed32Field,
  fixed64Field,
  hexBytes,
  lengthField,
  message,
  unknownFields,
  varintField,
} from './wire-fixtures.ts';

/** The rows of JSONEachRow text, parsed; the text must end each line with `\n`. */
function parsedLines(text: string): unknown[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => JSON.parse(line) as unknown);
}

/**
 * Asserts the transcoder answers `bytes` exactly as decodeTracesProtobuf plus
 * JSON.stringify would, and (with `direct`) that it did so without the row decoder.
 */
function expectSameAsRowDecoder(bytes: Uint8Array, direct: boolean): void {
  const decoded = decodeTracesProtobuf(bytes);
  const transcoded = transcodeTracesProtobuf(bytes);
  const directly = transcodeTracesDirectly(bytes);
  if (direct) expect(directly, 'the direct path declined').toBeDefined();
  else expect(directly, 'the direct path should leave this to the row decoder').toBeUndefined();
  if (!decoded.ok) {
    expect(transcoded).toEqual(decoded);
    return;
  }
  const expectedRows = decoded.rows.map((row) => JSON.parse(JSON.stringify(row)) as unknown);
  for (const result of directly ? [transcoded, directly] : [transcoded]) {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rejected).toBe(decoded.rejected);
    expect(result.errorMessage).toBe(decoded.errorMessage);
    expect(result.rows.count).toBe(decoded.rows.length);
    expect(parsedLines(result.rows.text)).toStrictEqual(expectedRows);
  }
}

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);
const stringValue = (value: Uint8Array | string): Uint8Array => lengthField(1, value);
const keyValue = (key: Uint8Array | string, anyValue?: Uint8Array): Uint8Array =>
  message(lengthField(1, key), ...(anyValue ? [lengthField(2, anyValue)] : []));
const attribute = (key: Uint8Array | string, anyValue?: Uint8Array): Uint8Array =>
  lengthField(9, keyValue(key, anyValue));

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

const serviceResource = message(
  lengthField(1, keyValue('service.name', stringValue('api'))),
  lengthField(1, keyValue('host.name', stringValue('box-1'))),
);

function request(...resourceSpans: Uint8Array[]): Uint8Array {
  return message(...resourceSpans.map((body) => lengthField(1, body)));
}

function resourceSpans(resource: Uint8Array, ...spans: Uint8Array[]): Uint8Array {
  return message(
    lengthField(1, resource),
    lengthField(
      2,
      message(
        lengthField(1, message(lengthField(1, 'scope'), lengthField(2, '1.0'))),
        ...spans.map((span) => lengthField(2, span)),
      ),
    ),
  );
}

// Strings JSON must escape or that are not plain ASCII, as raw UTF-8 bytes.
const HOSTILE_TEXTS = [
  'quote " backslash \\ slash /',
  'controls \u0000\u0001\b\t\n\f\r\u001f\u007f',
  'html <script>&amp;</script>',
  'line separators \u2028 \u2029',
  'emoji 😀 and CJK 漢字 and é',
  '\uFEFFstarts with a byte order mark',
  `long ${'é'.repeat(40)} past the string cache ${'"'.repeat(70)}`,
];
// Byte sequences TextDecoder must replace: a lone continuation byte, a truncated
// sequence, an overlong encoding, a UTF-8-encoded surrogate, 0xff.
const INVALID_UTF8 = [
  Uint8Array.from([0x61, 0x80, 0x62]),
  Uint8Array.from([0xe2, 0x82]),
  Uint8Array.from([0xc0, 0xaf, 0x22]),
  Uint8Array.from([0xed, 0xa0, 0x80, 0x5c]),
  Uint8Array.from([0xff, 0xfe, 0x0a]),
];
const HOSTILE_VALUES: Uint8Array[] = [...HOSTILE_TEXTS.map(bytesOf), ...INVALID_UTF8];

/** One span carrying every hostile value in every string column it has. */
function hostileSpan(): Uint8Array {
  return spanMessage(
    ...HOSTILE_VALUES.map((value, i) => attribute(`key.${i}`, stringValue(value))),
    attribute('key "quoted" \\ <&>\n', stringValue('escaped key')),
    lengthField(3, HOSTILE_VALUES[0]!),
    lengthField(5, HOSTILE_VALUES[4]!),
    lengthField(15, message(lengthField(2, HOSTILE_VALUES[7]!), varintField(3, 2))),
    ...HOSTILE_VALUES.map((value, i) =>
      lengthField(
        11,
        message(
          fixed64Field(1, BigInt(i)),
          lengthField(2, value),
          lengthField(3, keyValue('event.value', stringValue(value))),
        ),
      ),
    ),
    lengthField(
      13,
      message(
        lengthField(1, hexBytes(LINKED_TRACE_ID)),
        lengthField(2, hexBytes(LINKED_SPAN_ID)),
        lengthField(3, HOSTILE_VALUES[8]!),
        lengthField(4, keyValue('link.value', stringValue(HOSTILE_VALUES[5]!))),
      ),
    ),
  );
}

/** SDK spans over two resources (one without service.name) and three scopes. */
function manyResourcesAndScopes(): Uint8Array {
  const anonymous = resourceFromAttributes({ 'host.name': 'box', 'service.name': '' });
  const other = resourceFromAttributes({ 'service.name': 'billing', 'k8s.pod.name': 'pod-7' });
  const spans = [
    richSpan().span,
    readableSpan({ name: 'a', traceId: TRACE_ID, spanId: SPAN_ID, kind: SpanKind.CLIENT }),
    readableSpan({ name: 'b', traceId: TRACE_ID, spanId: PARENT_ID, scope: { name: 'other' } }),
    readableSpan({ name: 'c', traceId: TRACE_ID, spanId: SPAN_ID, resource: anonymous }),
    readableSpan({
      name: 'd',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      resource: other,
      scope: { name: 'billing-lib', version: '3' },
      kind: SpanKind.CONSUMER,
      links: [
        {
          context: { traceId: LINKED_TRACE_ID, spanId: LINKED_SPAN_ID, traceFlags: 0 },
          attributes: { first: 1 },
        },
        {
          context: { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: TraceFlags.SAMPLED },
        },
      ],
      events: [
        { name: 'one', time: [1_700_000_000, 1], attributes: { n: 1 } },
        { name: 'two', time: [1_700_000_001, 2] },
      ],
    }),
  ];
  return encodeSpans(spans).protobuf;
}

/** Spans before the resource and scope they belong to, with a resource sent in two parts. */
function resourceAfterSpans(): Uint8Array {
  const scopeSpans = message(
    lengthField(2, spanMessage()),
    lengthField(2, spanMessage(varintField(6, 3))),
    lengthField(1, message(lengthField(1, 'late-scope'), lengthField(2, '2.0'))),
  );
  return request(
    message(
      lengthField(2, scopeSpans),
      lengthField(1, message(lengthField(1, keyValue('host.name', stringValue('early'))))),
      lengthField(2, message(lengthField(2, spanMessage()))),
      lengthField(1, serviceResource),
    ),
    resourceSpans(new Uint8Array(), spanMessage()),
  );
}

/** AnyValues the SDKs do not send: several oneof fields, unknown fields, no value at all. */
function oddValues(): Uint8Array {
  return request(
    resourceSpans(
      serviceResource,
      spanMessage(
        attribute('nan', doubleField(4, NaN)),
        attribute('inf', doubleField(4, -Infinity)),
        attribute('int64.max', varintField(3, 9_223_372_036_854_775_807n)),
        attribute('int64.min', varintField(3, -9_223_372_036_854_775_808n)),
        attribute('bool', varintField(2, 1)),
        attribute('bytes', lengthField(7, Uint8Array.from([0, 255, 7]))),
        attribute('empty.any.value', new Uint8Array()),
        attribute('no.value'),
        attribute('string.then.int', message(stringValue('s'), varintField(3, 5))),
        attribute('int.then.string', message(varintField(3, 5), stringValue('s'))),
        attribute('string.with.unknown', message(stringValue('s'), unknownFields())),
        attribute('kvlist', lengthField(6, lengthField(1, keyValue('b"', stringValue('<v>'))))),
        attribute('array', lengthField(5, message(lengthField(1, doubleField(4, 0.5))))),
        attribute('', stringValue('empty key')),
        attribute('__proto__', stringValue('an ordinary key')),
        attribute('7', stringValue('an index-like key')),
        lengthField(
          9,
          message(lengthField(2, stringValue('value before key')), lengthField(1, 'k')),
        ),
        attribute('long.value', stringValue('x'.repeat(300))),
        varintField(6, 99),
        lengthField(15, message(varintField(3, 7), lengthField(2, 'unknown code'))),
        lengthField(15, message(varintField(3, 1))),
      ),
    ),
  );
}

/** Times at the edges: unset, past 2^53, the last storable instant, past it, end before start. */
function edgeTimes(): Uint8Array {
  const times: Array<[bigint, bigint]> = [
    [0n, 0n],
    [999_999_999_123_456_789n, 1_000_000_000_000_000_000n],
    [0x7fff_ffff_ffff_ffffn, 0x7fff_ffff_ffff_ffffn],
    [0xffff_ffff_ffff_ffffn, 1n],
    [1_700_000_000_000_000_100n, 1_700_000_000_000_000_000n],
    [1n, 0xffff_ffff_ffff_ff00n],
    [0x1f_ffff_ffff_ffffn, 0x20_0000_0000_0001n],
  ];
  return request(
    resourceSpans(
      serviceResource,
      ...times.map(([start, end]) =>
        spanMessage(
          fixed64Field(7, start),
          fixed64Field(8, end),
          lengthField(11, message(fixed64Field(1, end), lengthField(2, 'at end'))),
        ),
      ),
    ),
  );
}

/** Spans and links with ids of the wrong length among valid ones. */
function rejectedIds(): Uint8Array {
  const link = (traceId: string, spanId: string): Uint8Array =>
    lengthField(13, message(lengthField(1, hexBytes(traceId)), lengthField(2, hexBytes(spanId))));
  return request(
    resourceSpans(
      serviceResource,
      spanMessage(attribute('kept', stringValue('1'))),
      message(lengthField(1, hexBytes('abcdef')), lengthField(2, hexBytes(SPAN_ID))),
      message(lengthField(2, hexBytes(SPAN_ID)), attribute('dropped', stringValue('é'))),
      spanMessage(lengthField(4, hexBytes('01'))),
      spanMessage(link('', ''), link(LINKED_TRACE_ID, 'ff')),
      spanMessage(link('', ''), attribute('kept', stringValue('2'))),
    ),
    resourceSpans(serviceResource, message(lengthField(2, hexBytes('0102')))),
  );
}

describe('transcodeTracesProtobuf', () => {
  it('writes the rows of a span with every attribute kind, an event, a link and a status', () => {
    expectSameAsRowDecoder(encodeSpans([richSpan().span]).protobuf, true);
  });

  it('escapes quotes, backslashes and controls and keeps non-ASCII and invalid UTF-8 as TextDecoder reads them', () => {
    expectSameAsRowDecoder(request(resourceSpans(serviceResource, hostileSpan())), true);
  });

  it('gives every span the columns of its own resource and scope', () => {
    expectSameAsRowDecoder(manyResourcesAndScopes(), true);
  });

  it('applies a resource and scope that come after their spans, merging repeated resources', () => {
    expectSameAsRowDecoder(resourceAfterSpans(), true);
  });

  it('renders AnyValues other than a lone string exactly as the row decoder does', () => {
    expectSameAsRowDecoder(oddValues(), true);
  });

  it('writes times of every size as 19 digits and clamps Duration at 0', () => {
    expectSameAsRowDecoder(edgeTimes(), true);
  });

  it('rejects spans with bad span or link ids with the same count and first reason', () => {
    expectSameAsRowDecoder(rejectedIds(), true);
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
            lengthField(1, message(unknownFields(), lengthField(1, 'scope'))),
            lengthField(
              2,
              spanMessage(
                unknownFields(),
                fixed32Field(16, 1),
                lengthField(11, message(unknownFields(), lengthField(2, 'event'))),
                lengthField(13, message(unknownFields(), lengthField(3, 'k=v'))),
                lengthField(15, message(unknownFields(), varintField(3, 2))),
              ),
            ),
          ),
        ),
      ),
      unknownFields(),
    );
    expectSameAsRowDecoder(bytes, true);
  });

  it('grows its buffer for a request whose lines pass a megabyte', () => {
    const big = 'v'.repeat(3 << 20);
    const bytes = request(
      resourceSpans(serviceResource, spanMessage(attribute('big', stringValue(big)))),
    );
    expectSameAsRowDecoder(bytes, true);
    expectSameAsRowDecoder(encodeSpans([richSpan().span]).protobuf, true);
  });

  it('leaves repeated attribute keys to the row decoder, where the last value wins', () => {
    const repeated = (...extra: Uint8Array[]): Uint8Array =>
      request(resourceSpans(serviceResource, spanMessage(...extra)));
    expectSameAsRowDecoder(
      repeated(attribute('k', stringValue('first')), attribute('k', stringValue('last'))),
      false,
    );
    expectSameAsRowDecoder(
      repeated(
        lengthField(11, message(lengthField(3, keyValue('k')), lengthField(3, keyValue('k')))),
      ),
      false,
    );
    expectSameAsRowDecoder(
      repeated(lengthField(9, message(lengthField(1, 'a'), lengthField(1, 'b')))),
      false,
    );
    // Different bytes, one string: TextDecoder reads both as U+FFFD.
    expectSameAsRowDecoder(
      repeated(
        attribute(Uint8Array.from([0xff]), stringValue('first')),
        attribute(Uint8Array.from([0xfe]), stringValue('last')),
      ),
      false,
    );
    // Repeated resource keys are the row decoder's own map, used by both paths.
    const resource = message(
      lengthField(1, keyValue('service.name', stringValue('first'))),
      lengthField(1, keyValue('service.name', stringValue('last'))),
    );
    expectSameAsRowDecoder(request(resourceSpans(resource, spanMessage())), true);
  });

  it('leaves maps of more than 64 attributes to the row decoder', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 200; i++) attributes[`key-${i}`] = `value-${i}`;
    const span = readableSpan({ name: 'many', traceId: TRACE_ID, spanId: SPAN_ID, attributes });
    expectSameAsRowDecoder(encodeSpans([span]).protobuf, false);
  });

  it('answers an empty request with no lines', () => {
    expect(transcodeTracesProtobuf(new Uint8Array())).toEqual({
      ok: true,
      rows: { text: '', count: 0 },
      rejected: 0,
      errorMessage: '',
    });
  });

  it('fails malformed requests with the row decoder reason', () => {
    const { protobuf } = encodeSpans([richSpan().span]);
    for (let length = 1; length < protobuf.length; length++) {
      expectSameAsRowDecoder(protobuf.subarray(0, length), false);
    }
    expectSameAsRowDecoder(Uint8Array.from([0x0a, 0xff, 0x01, 0x00]), false);
    // A span that claims 2 bytes but holds a 9-byte start time.
    const overrun = message(Uint8Array.from([0x12, 0x02, 0x39, 0x00]), new Uint8Array(7));
    expectSameAsRowDecoder(request(message(lengthField(2, overrun))), false);
    let deep = stringValue('leaf');
    for (let i = 0; i < 33; i++) deep = lengthField(5, lengthField(1, deep));
    expectSameAsRowDecoder(
      request(resourceSpans(serviceResource, spanMessage(attribute('deep', deep)))),
      false,
    );
  });
});

describe('transcodeTracesProtobuf on random input', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const below = (n: number): number => Math.floor(random() * n);

  /** A copy of `bytes` with a few bytes changed, inserted or removed. */
  function mutated(bytes: Uint8Array): Uint8Array {
    const out = Array.from(bytes);
    const edits = 1 + below(3);
    for (let e = 0; e < edits; e++) {
      const at = below(out.length);
      const kind = below(4);
      if (kind === 0) out[at] = below(256);
      else if (kind === 1) out[at] = out[at]! ^ (1 << below(8));
      else if (kind === 2) out.splice(at, 0, below(256));
      else out.splice(at, 1);
    }
    return Uint8Array.from(out);
  }

  it('agrees with the row decoder on success, failure, rejections and lines for mutated requests', () => {
    const fixtures = [
      encodeSpans([richSpan().span]).protobuf,
      request(resourceSpans(serviceResource, hostileSpan())),
      manyResourcesAndScopes(),
      resourceAfterSpans(),
      oddValues(),
      rejectedIds(),
    ];
    let direct = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = mutated(fixtures[i % fixtures.length]!);
      const decoded = decodeTracesProtobuf(bytes);
      const directly = transcodeTracesDirectly(bytes);
      const transcoded = transcodeTracesProtobuf(bytes);
      if (directly) {
        direct++;
        expect(transcoded).toEqual(directly);
      }
      if (!decoded.ok) {
        expect(directly, 'a request the row decoder refuses').toBeUndefined();
        expect(transcoded).toEqual(decoded);
        continue;
      }
      expect(transcoded.ok).toBe(true);
      if (!transcoded.ok) continue;
      expect([transcoded.rejected, transcoded.errorMessage]).toEqual([
        decoded.rejected,
        decoded.errorMessage,
      ]);
      expect(parsedLines(transcoded.rows.text)).toStrictEqual(
        decoded.rows.map((row) => JSON.parse(JSON.stringify(row)) as unknown),
      );
    }
    // Most corruptions break the framing; enough must survive to test the direct path.
    expect(direct).toBeGreaterThan(300);
  });
});
