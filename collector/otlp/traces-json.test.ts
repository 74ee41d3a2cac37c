import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import {
  encodeSpans,
  readableSpan,
  richSpan,
  SPAN_ID,
  START_NANOS,
  TRACE_ID,
} from './span-fixtures.ts';
import { decodeTracesJson } from './traces-json.ts';
import { decodeTracesProtobuf } from './traces-protobuf.ts';

function jsonRequest(spans: object[], resource: object = {}): string {
  return JSON.stringify({
    resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 's' }, spans }] }],
  });
}

const validSpan = { traceId: TRACE_ID, spanId: SPAN_ID, name: 'work' };

describe('decodeTracesJson', () => {
  it('decodes the exporter JSON to the same rows as the exporter protobuf', () => {
    const spans = [
      richSpan().span,
      readableSpan({ name: 'plain', traceId: TRACE_ID, spanId: SPAN_ID }),
      readableSpan({
        name: 'anonymous',
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        resource: resourceFromAttributes({ 'host.name': 'box' }),
        scope: { name: 'lib' },
      }),
    ];
    const { protobuf, json } = encodeSpans(spans);
    const fromJson = decodeTracesJson(json);
    const fromProtobuf = decodeTracesProtobuf(protobuf);
    expect(fromJson.ok && fromJson.rows).toHaveLength(3);
    expect(fromJson).toEqual(fromProtobuf);
    expect(fromJson.ok && fromJson.rows[0]).toEqual(richSpan().row);
  });

  it('accepts a string body as well as bytes', () => {
    const { json } = encodeSpans([richSpan().span]);
    expect(decodeTracesJson(new TextDecoder().decode(json))).toEqual(decodeTracesJson(json));
  });

  it('reads ids in either case and int64 values as numbers or decimal strings, exactly', () => {
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"${TRACE_ID.toUpperCase()}","spanId":"${SPAN_ID.toUpperCase()}",
      "startTimeUnixNano":${START_NANOS},"endTimeUnixNano":"1700000000123456889",
      "attributes":[
        {"key":"n","value":{"intValue":9007199254740993}},
        {"key":"s","value":{"intValue":"-9223372036854775808"}},
        {"key":"d","value":{"doubleValue":"Infinity"}},
        {"key":"b","value":{"bytesValue":"-_8"}},
        {"key":"quoted.digits","value":{"stringValue":"x:12345678901234567890"}},
        {"key":"fraction","value":{"doubleValue":0.12345678901234567890}}
      ]}]}]}]}`;
    const result = decodeTracesJson(body);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows[0]).toMatchObject({
      TraceId: TRACE_ID,
      SpanId: SPAN_ID,
      Timestamp: START_NANOS,
      Duration: 100,
      SpanAttributes: {
        n: '9007199254740993',
        s: '-9223372036854775808',
        d: 'json: unsupported value: +Inf',
        b: '+/8=',
        'quoted.digits': 'x:12345678901234567890',
        fraction: '0.12345678901234568',
      },
    });
  });

  it('ignores unknown keys and treats null as absent', () => {
    const body = jsonRequest(
      [
        {
          ...validSpan,
          futureField: { deep: [1, 2] },
          parentSpanId: null,
          status: null,
          kind: null,
        },
      ],
      { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], extra: true },
    );
    const result = decodeTracesJson(body);
    expect(result.ok && result.rows[0]).toMatchObject({
      ServiceName: 'api',
      ParentSpanId: '',
      StatusCode: 'Unset',
      SpanKind: 'Unspecified',
    });
  });

  it('rejects spans with missing, wrong-length or non-hex ids and keeps the rest', () => {
    const result = decodeTracesJson(
      jsonRequest([
        validSpan,
        { ...validSpan, traceId: 'abcdef' },
        { ...validSpan, traceId: undefined },
        { ...validSpan, spanId: 'zz'.repeat(8) },
        { ...validSpan, parentSpanId: '01' },
      ]),
    );
    expect(result).toMatchObject({ ok: true, rejected: 4 });
    if (!result.ok) return;
    expect(result.rows.map((row) => row.SpanName)).toEqual(['work']);
    expect(result.errorMessage).toBe(
      '4 spans rejected; first: resourceSpans[0].scopeSpans[0].spans[1]: span trace_id must be 16 bytes, got 3',
    );
    expect(decodeTracesJson(jsonRequest([{ ...validSpan, spanId: 'zz'.repeat(8) }]))).toMatchObject(
      {
        errorMessage:
          '1 span rejected; first: resourceSpans[0].scopeSpans[0].spans[0]: span span_id must be 8 bytes of hex, got "zzzzzzzzzzzzzzzz"',
      },
    );
  });

  it('names the field path of a value with the wrong type', () => {
    const cases: Array<[object, string]> = [
      [
        { ...validSpan, startTimeUnixNano: 'soon' },
        'spans[0].startTimeUnixNano: expected non-negative integer',
      ],
      [
        { ...validSpan, startTimeUnixNano: -1 },
        'spans[0].startTimeUnixNano: expected non-negative integer',
      ],
      [{ ...validSpan, name: 7 }, 'spans[0].name: expected string'],
      [{ ...validSpan, kind: 1.5 }, 'spans[0].kind: expected 32-bit integer'],
      [{ ...validSpan, events: {} }, 'spans[0].events: expected array'],
      [
        { ...validSpan, events: [{ timeUnixNano: true }] },
        'spans[0].events[0].timeUnixNano: expected non-negative integer',
      ],
      [{ ...validSpan, links: [7] }, 'spans[0].links[0]: expected object'],
      [{ ...validSpan, status: { code: 1.5 } }, 'spans[0].status.code: expected 32-bit integer'],
      [
        { ...validSpan, status: { code: 'ERROR' } },
        'spans[0].status.code: unknown name "ERROR"; expected a number or STATUS_CODE_UNSET, STATUS_CODE_OK, STATUS_CODE_ERROR',
      ],
      [
        {
          ...validSpan,
          attributes: [{ key: 'a', value: { arrayValue: { values: [{ intValue: 1.5 }] } } }],
        },
        'spans[0].attributes[0].value.arrayValue.values[0].intValue: expected integer',
      ],
      [
        { ...validSpan, attributes: [{ key: 'a', value: { bytesValue: 'not base64!' } }] },
        'spans[0].attributes[0].value.bytesValue: expected base64',
      ],
    ];
    for (const [span, path] of cases) {
      expect(decodeTracesJson(jsonRequest([span]))).toEqual({
        ok: false,
        reason: `resourceSpans[0].scopeSpans[0].${path}`,
      });
    }
    expect(
      decodeTracesJson(
        '{"resourceSpans":[{"scopeSpans":[{},{"spans":[{},{},{},{"startTimeUnixNano":"x"}]}]}]}',
      ),
    ).toEqual({
      ok: false,
      reason:
        'resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected non-negative integer',
    });
    expect(decodeTracesJson('{"resourceSpans":{}}')).toEqual({
      ok: false,
      reason: 'resourceSpans: expected array',
    });
  });

  it('refuses invalid JSON and non-object bodies', () => {
    const truncated = decodeTracesJson('{"resourceSpans":[');
    expect(!truncated.ok && truncated.reason).toMatch(/^invalid JSON: /);
    expect(decodeTracesJson('[]')).toEqual({
      ok: false,
      reason: 'invalid OTLP/JSON: the body must be a JSON object',
    });
    expect(decodeTracesJson('')).toMatchObject({ ok: false });
    expect(decodeTracesJson(Uint8Array.from([0xff, 0xfe]))).toMatchObject({ ok: false });
  });

  it('refuses key-value lists nested deeper than 32 levels', () => {
    const nested = (depth: number): object => {
      let value: object = { stringValue: 'leaf' };
      for (let i = 0; i < depth; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
      return value;
    };
    const withDepth = (depth: number) =>
      decodeTracesJson(
        jsonRequest([{ ...validSpan, attributes: [{ key: 'deep', value: nested(depth) }] }]),
      );
    expect(withDepth(32).ok).toBe(true);
    const refused = withDepth(33);
    expect(!refused.ok && refused.reason).toMatch(/nested deeper than 32 levels$/);
  });

  it('accepts an empty request', () => {
    expect(decodeTracesJson('{}')).toEqual({ ok: true, rows: [], rejected: 0, errorMessage: '' });
  });
});
