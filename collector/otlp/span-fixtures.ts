/**
 * Test fixtures: SDK `ReadableSpan`s with known ids, times and every attribute
 * kind, encoded by the real OpenTelemetry serializers, and the rows they must
 * decode to. Used by the decoder tests only.
 */

import {
  createTraceState,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type HrTime,
} from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanRow } from '../../storage/index.ts';

/** 1700000000123456789 ns: past 2^53, so any float round trip would lose digits. */
export const START: HrTime = [1_700_000_000, 123_456_789];
export const START_NANOS = '1700000000123456789';

interface SpanSpec {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind?: SpanKind;
  start?: HrTime;
  end?: HrTime;
  attributes?: Attributes;
  resource?: Resource;
  scope?: { name: string; version?: string };
  traceState?: string;
  status?: { code: SpanStatusCode; message?: string };
  events?: ReadableSpan['events'];
  links?: ReadableSpan['links'];
}

const defaultResource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '2.0.1',
});

/** A `ReadableSpan` as the SDK hands it to an exporter. */
export function readableSpan(spec: SpanSpec): ReadableSpan {
  const traceState = spec.traceState ? createTraceState(spec.traceState) : undefined;
  return {
    name: spec.name,
    kind: spec.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({
      traceId: spec.traceId,
      spanId: spec.spanId,
      traceFlags: TraceFlags.SAMPLED,
      ...(traceState ? { traceState } : {}),
    }),
    ...(spec.parentSpanId
      ? {
          parentSpanContext: {
            traceId: spec.traceId,
            spanId: spec.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
          },
        }
      : {}),
    startTime: spec.start ?? START,
    endTime: spec.end ?? [START[0], START[1] + 1_000],
    status: spec.status ?? { code: SpanStatusCode.UNSET },
    attributes: spec.attributes ?? {},
    links: spec.links ?? [],
    events: spec.events ?? [],
    duration: [0, 0],
    ended: true,
    resource: spec.resource ?? defaultResource,
    instrumentationScope: spec.scope ?? { name: 'opsless-test', version: '0.9.0' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Protobuf and JSON request bodies for `spans`, from the OpenTelemetry serializers. */
export function encodeSpans(spans: ReadableSpan[]): { protobuf: Uint8Array; json: Uint8Array } {
  const protobuf = ProtobufTraceSerializer.serializeRequest(spans);
  const json = JsonTraceSerializer.serializeRequest(spans);
  if (!protobuf || !json) throw new Error('the OpenTelemetry serializer produced nothing');
  return { protobuf, json };
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';
export const PARENT_ID = '00f067aa0ba902b7';
export const LINKED_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const LINKED_SPAN_ID = '53995c3f42cd8ad8';

/**
 * A server span using every AnyValue kind the serializers write (maps and bytes
 * are not SDK attribute types, but the OTLP serializers encode them), with an
 * event, a link and an error status, and its expected row. Every value survives
 * both encodings (the JS JSON serializer turns NaN into null and writes 1e21 as
 * an int), so protobuf and JSON must decode it to the same row.
 */
export function richSpan(): { span: ReadableSpan; row: SpanRow } {
  const attributes = {
    'http.request.method': 'GET',
    'http.response.status_code': 503,
    'negative.int': -7,
    'big.int': 2 ** 50,
    ratio: 0.25,
    tiny: 1e-7,
    'cache.hit': false,
    tags: ['a', 'b"<c>'],
    ports: [80, 443],
    ratios: [1.5, 2],
    payload: new Uint8Array([0, 1, 2, 250, 251]),
    nested: { zeta: 1, alpha: ['x', true], 'm&m': { inner: null } },
  } as unknown as Attributes;
  const span = readableSpan({
    name: 'GET /cart/:id',
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: PARENT_ID,
    kind: SpanKind.SERVER,
    start: START,
    end: [1_700_000_001, 23_456_789],
    attributes,
    traceState: 'vendor=abc,other=1',
    status: { code: SpanStatusCode.ERROR, message: 'upstream failed' },
    events: [
      {
        name: 'exception',
        time: [1_700_000_000, 523_456_789],
        attributes: { 'exception.type': 'TimeoutError', 'retry.count': 3 },
      },
    ],
    links: [
      {
        context: {
          traceId: LINKED_TRACE_ID,
          spanId: LINKED_SPAN_ID,
          traceFlags: TraceFlags.SAMPLED,
          traceState: createTraceState('k=v'),
        },
        attributes: { 'link.kind': 'follows' },
      },
    ],
  });
  const row: SpanRow = {
    Timestamp: START_NANOS,
    TraceId: TRACE_ID,
    SpanId: SPAN_ID,
    ParentSpanId: PARENT_ID,
    TraceState: 'vendor=abc,other=1',
    SpanName: 'GET /cart/:id',
    SpanKind: 'Server',
    ServiceName: 'checkout',
    ResourceAttributes: { 'service.name': 'checkout', 'service.version': '2.0.1' },
    ScopeName: 'opsless-test',
    ScopeVersion: '0.9.0',
    SpanAttributes: {
      'http.request.method': 'GET',
      'http.response.status_code': '503',
      'negative.int': '-7',
      'big.int': '1125899906842624',
      ratio: '0.25',
      tiny: '1e-7',
      'cache.hit': 'false',
      tags: '["a","b\\"\\u003cc\\u003e"]',
      ports: '[80,443]',
      ratios: '[1.5,2]',
      payload: 'AAEC+vs=',
      nested: '{"alpha":["x",true],"m\\u0026m":{"inner":null},"zeta":1}',
    },
    Duration: 900_000_000,
    StatusCode: 'Error',
    StatusMessage: 'upstream failed',
    'Events.Timestamp': ['1700000000523456789'],
    'Events.Name': ['exception'],
    'Events.Attributes': [{ 'exception.type': 'TimeoutError', 'retry.count': '3' }],
    'Links.TraceId': [LINKED_TRACE_ID],
    'Links.SpanId': [LINKED_SPAN_ID],
    'Links.TraceState': ['k=v'],
    'Links.Attributes': [{ 'link.kind': 'follows' }],
  };
  return { span, row };
}
