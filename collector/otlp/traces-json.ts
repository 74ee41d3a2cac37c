/**
 * `ExportTraceServiceRequest` in OTLP/JSON to `otel_traces` rows, the same rows
 * the protobuf decoder produces for the same spans.
 */

import type { AttributeMap, SpanRow } from '../../storage/index.ts';
import { serviceNameOf } from './attribute-text.ts';
import { attributesAt, resourceAttributesAt, scopeAt } from './common-json.ts';
import {
  createRejections,
  decodeFailure,
  decodeSuccess,
  reject,
  type DecodeResult,
  type Rejections,
} from './decode-result.ts';
import { hexIdProblem } from './ids.ts';
import { decimalDifference } from './int64-decimal.ts';
import {
  arrayAt,
  timeAt,
  objectAt,
  objectIn,
  parseJsonRequest,
  rethrowWithin,
  stringAt,
  type JsonObject,
} from './json-reading.ts';
import { enumAt, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from './enum-json.ts';
import { spanKindText, statusCodeText } from './span-enums.ts';

/** Decodes an OTLP/JSON trace export request into `otel_traces` rows; never throws. */
export function decodeTracesJson(body: Uint8Array | string): DecodeResult<SpanRow> {
  const rows: SpanRow[] = [];
  const rejections = createRejections();
  try {
    const request = parseJsonRequest(body);
    const resourceSpans = arrayAt(request, 'resourceSpans');
    for (let r = 0; r < resourceSpans.length; r++) {
      try {
        readResourceSpans(objectIn(resourceSpans, r), rows, rejections, `resourceSpans[${r}]`);
      } catch (error) {
        rethrowWithin(error, `resourceSpans[${r}]`);
      }
    }
  } catch (error) {
    return decodeFailure(error);
  }
  return decodeSuccess(rows, rejections, 'span');
}

function readResourceSpans(
  resourceSpans: JsonObject,
  rows: SpanRow[],
  rejections: Rejections,
  path: string,
): void {
  const resourceAttributes = resourceAttributesAt(resourceSpans);
  const serviceName = serviceNameOf(resourceAttributes);
  const scopeSpans = arrayAt(resourceSpans, 'scopeSpans');
  for (let s = 0; s < scopeSpans.length; s++) {
    try {
      const scopeSpan = objectIn(scopeSpans, s);
      const scope = scopeAt(scopeSpan);
      const spans = arrayAt(scopeSpan, 'spans');
      for (let i = 0; i < spans.length; i++) {
        try {
          const row = readSpan(objectIn(spans, i));
          if (typeof row === 'string') {
            reject(rejections, `${path}.scopeSpans[${s}].spans[${i}]: ${row}`);
            continue;
          }
          row.ServiceName = serviceName;
          row.ResourceAttributes = resourceAttributes;
          row.ScopeName = scope.name;
          row.ScopeVersion = scope.version;
          rows.push(row);
        } catch (error) {
          rethrowWithin(error, `spans[${i}]`);
        }
      }
    } catch (error) {
      rethrowWithin(error, `scopeSpans[${s}]`);
    }
  }
}

/** A span's row, or why the span is rejected. */
function readSpan(span: JsonObject): SpanRow | string {
  const traceId = stringAt(span, 'traceId');
  const spanId = stringAt(span, 'spanId');
  const parentSpanId = stringAt(span, 'parentSpanId');
  const start = timeAt(span, 'startTimeUnixNano');
  const end = timeAt(span, 'endTimeUnixNano');
  const attributes = attributesAt(span, 'attributes');
  const status = objectAt(span, 'status');
  const eventTimes: string[] = [];
  const eventNames: string[] = [];
  const eventAttributes: AttributeMap[] = [];
  const events = arrayAt(span, 'events');
  for (let i = 0; i < events.length; i++) {
    try {
      const event = objectIn(events, i);
      eventTimes.push(timeAt(event, 'timeUnixNano'));
      eventNames.push(stringAt(event, 'name'));
      eventAttributes.push(attributesAt(event, 'attributes'));
    } catch (error) {
      rethrowWithin(error, `events[${i}]`);
    }
  }
  const linkTraceIds: string[] = [];
  const linkSpanIds: string[] = [];
  const linkTraceStates: string[] = [];
  const linkAttributes: AttributeMap[] = [];
  let linkProblem = '';
  const links = arrayAt(span, 'links');
  for (let i = 0; i < links.length; i++) {
    try {
      const link = objectIn(links, i);
      const linkTraceId = stringAt(link, 'traceId');
      const linkSpanId = stringAt(link, 'spanId');
      linkProblem ||=
        hexIdProblem('link trace_id', linkTraceId, 16, true) ||
        hexIdProblem('link span_id', linkSpanId, 8, true);
      linkTraceIds.push(linkTraceId.toLowerCase());
      linkSpanIds.push(linkSpanId.toLowerCase());
      linkTraceStates.push(stringAt(link, 'traceState'));
      linkAttributes.push(attributesAt(link, 'attributes'));
    } catch (error) {
      rethrowWithin(error, `links[${i}]`);
    }
  }
  let statusCode = 0;
  let statusMessage = '';
  if (status !== undefined) {
    try {
      statusCode = enumAt(status, 'code', STATUS_CODE_NAMES);
      statusMessage = stringAt(status, 'message');
    } catch (error) {
      rethrowWithin(error, 'status');
    }
  }
  const kind = enumAt(span, 'kind', SPAN_KIND_NAMES);
  const name = stringAt(span, 'name');
  const traceState = stringAt(span, 'traceState');

  const problem =
    hexIdProblem('span trace_id', traceId, 16, false) ||
    hexIdProblem('span span_id', spanId, 8, false) ||
    hexIdProblem('span parent_span_id', parentSpanId, 8, true) ||
    linkProblem;
  if (problem !== '') return problem;
  const duration = decimalDifference(start, end);
  return {
    Timestamp: start,
    TraceId: traceId.toLowerCase(),
    SpanId: spanId.toLowerCase(),
    ParentSpanId: parentSpanId.toLowerCase(),
    TraceState: traceState,
    SpanName: name,
    SpanKind: spanKindText(kind),
    ServiceName: '',
    ResourceAttributes: attributes,
    ScopeName: '',
    ScopeVersion: '',
    SpanAttributes: attributes,
    Duration: duration > 0 ? duration : 0,
    StatusCode: statusCodeText(statusCode),
    StatusMessage: statusMessage,
    'Events.Timestamp': eventTimes,
    'Events.Name': eventNames,
    'Events.Attributes': eventAttributes,
    'Links.TraceId': linkTraceIds,
    'Links.SpanId': linkSpanIds,
    'Links.TraceState': linkTraceStates,
    'Links.Attributes': linkAttributes,
  };
}
