/**
 * `ExportTraceServiceRequest` (protobuf) to `otel_traces` rows, in one pass.
 * Resource and scope fields may follow the spans on the wire, so a span's row is
 * written first and its resource and scope columns are filled in when their
 * message ends; rows of one resource share its attribute map (treat rows as read-only).
 */

import type { AttributeMap, SpanRow } from '../../storage/index.ts';
import { serviceNameOf } from './attribute-text.ts';
import { hexOf } from './binary-text.ts';
import {
  emptyScope,
  readKeyValueInto,
  readResourceInto,
  readScopeInto,
} from './common-protobuf.ts';
import {
  createRejections,
  decodeFailure,
  decodeSuccess,
  reject,
  type DecodeResult,
  type Rejections,
} from './decode-result.ts';
import { idProblem } from './ids.ts';
import { timeDecimal, uint64Difference } from './int64-decimal.ts';
import { ProtobufReader } from './protobuf-reader.ts';
import { spanKindText, statusCodeText } from './span-enums.ts';

const NOT_YET_KNOWN: AttributeMap = Object.freeze({});

interface TraceDecoding {
  reader: ProtobufReader;
  rows: SpanRow[];
  rejections: Rejections;
  resourceIndex: number;
  scopeIndex: number;
  spanIndex: number;
}

/** Decodes an OTLP/protobuf trace export request into `otel_traces` rows; never throws. */
export function decodeTracesProtobuf(bytes: Uint8Array): DecodeResult<SpanRow> {
  const reader = new ProtobufReader(bytes);
  const decoding: TraceDecoding = {
    reader,
    rows: [],
    rejections: createRejections(),
    resourceIndex: 0,
    scopeIndex: 0,
    spanIndex: 0,
  };
  try {
    const end = bytes.length;
    while (reader.pos < end) {
      const tag = reader.readTag();
      if (tag === 10) {
        readResourceSpans(decoding, reader.lengthEnd(end));
        decoding.resourceIndex++;
      } else reader.skip(tag, end);
    }
  } catch (error) {
    return decodeFailure(error);
  }
  return decodeSuccess(decoding.rows, decoding.rejections, 'span');
}

/** `ResourceSpans{resource=1, scope_spans=2, schema_url=3}` */
function readResourceSpans(decoding: TraceDecoding, end: number): void {
  const { reader, rows } = decoding;
  const firstRow = rows.length;
  const resourceAttributes: AttributeMap = {};
  decoding.scopeIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readResourceInto(reader, reader.lengthEnd(end), resourceAttributes);
    else if (tag === 18) {
      readScopeSpans(decoding, reader.lengthEnd(end));
      decoding.scopeIndex++;
    } else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ResourceSpans');
  const serviceName = serviceNameOf(resourceAttributes);
  for (let i = firstRow; i < rows.length; i++) {
    const row = rows[i]!;
    row.ResourceAttributes = resourceAttributes;
    row.ServiceName = serviceName;
  }
}

/** `ScopeSpans{scope=1, spans=2, schema_url=3}` */
function readScopeSpans(decoding: TraceDecoding, end: number): void {
  const { reader, rows } = decoding;
  const firstRow = rows.length;
  const scope = emptyScope();
  decoding.spanIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readScopeInto(reader, reader.lengthEnd(end), scope);
    else if (tag === 18) {
      readSpan(decoding, reader.lengthEnd(end));
      decoding.spanIndex++;
    } else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ScopeSpans');
  for (let i = firstRow; i < rows.length; i++) {
    const row = rows[i]!;
    row.ScopeName = scope.name;
    row.ScopeVersion = scope.version;
  }
}

function spanPath(decoding: TraceDecoding): string {
  return `resourceSpans[${decoding.resourceIndex}].scopeSpans[${decoding.scopeIndex}].spans[${decoding.spanIndex}]`;
}

/** `Span`; see otlp.md for the field numbers. */
function readSpan(decoding: TraceDecoding, end: number): void {
  const reader = decoding.reader;
  const bytes = reader.bytes;
  let traceIdStart = 0;
  let traceIdEnd = 0;
  let spanIdStart = 0;
  let spanIdEnd = 0;
  let parentIdStart = 0;
  let parentIdEnd = 0;
  let traceState = '';
  let name = '';
  let kind = 0;
  let startLow = 0;
  let startHigh = 0;
  let endLow = 0;
  let endHigh = 0;
  const attributes: AttributeMap = {};
  const eventTimes: string[] = [];
  const eventNames: string[] = [];
  const eventAttributes: AttributeMap[] = [];
  const links: SpanLinks = {
    traceIds: [],
    spanIds: [],
    traceStates: [],
    attributes: [],
    problem: '',
  };
  let statusCode = 0;
  let statusMessage = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 10:
        traceIdEnd = reader.lengthEnd(end);
        traceIdStart = reader.pos;
        reader.pos = traceIdEnd;
        break;
      case 18:
        spanIdEnd = reader.lengthEnd(end);
        spanIdStart = reader.pos;
        reader.pos = spanIdEnd;
        break;
      case 26:
        traceState = reader.string(end);
        break;
      case 34:
        parentIdEnd = reader.lengthEnd(end);
        parentIdStart = reader.pos;
        reader.pos = parentIdEnd;
        break;
      case 42:
        name = reader.string(end);
        break;
      case 48:
        kind = reader.varint32();
        break;
      case 57:
        reader.fixed64();
        startLow = reader.low;
        startHigh = reader.high;
        break;
      case 65:
        reader.fixed64();
        endLow = reader.low;
        endHigh = reader.high;
        break;
      case 74:
        readKeyValueInto(reader, reader.lengthEnd(end), attributes);
        break;
      case 90: {
        const eventEnd = reader.lengthEnd(end);
        const eventAttributeMap: AttributeMap = {};
        let timeLow = 0;
        let timeHigh = 0;
        let eventName = '';
        while (reader.pos < eventEnd) {
          const eventTag = reader.readTag();
          if (eventTag === 9) {
            reader.fixed64();
            timeLow = reader.low;
            timeHigh = reader.high;
          } else if (eventTag === 18) eventName = reader.string(eventEnd);
          else if (eventTag === 26) {
            readKeyValueInto(reader, reader.lengthEnd(eventEnd), eventAttributeMap);
          } else reader.skip(eventTag, eventEnd);
        }
        reader.expectEnd(eventEnd, 'Span.Event');
        eventTimes.push(timeDecimal(timeLow, timeHigh));
        eventNames.push(eventName);
        eventAttributes.push(eventAttributeMap);
        break;
      }
      case 106:
        readLink(reader, reader.lengthEnd(end), links);
        break;
      case 122: {
        const statusEnd = reader.lengthEnd(end);
        while (reader.pos < statusEnd) {
          const statusTag = reader.readTag();
          if (statusTag === 18) statusMessage = reader.string(statusEnd);
          else if (statusTag === 24) statusCode = reader.varint32();
          else reader.skip(statusTag, statusEnd);
        }
        reader.expectEnd(statusEnd, 'Status');
        break;
      }
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'Span');

  const problem =
    idProblem('span trace_id', traceIdEnd - traceIdStart, 16, false) ||
    idProblem('span span_id', spanIdEnd - spanIdStart, 8, false) ||
    idProblem('span parent_span_id', parentIdEnd - parentIdStart, 8, true) ||
    links.problem;
  if (problem !== '') {
    reject(decoding.rejections, `${spanPath(decoding)}: ${problem}`);
    return;
  }
  const duration = uint64Difference(startLow, startHigh, endLow, endHigh);
  decoding.rows.push({
    Timestamp: timeDecimal(startLow, startHigh),
    TraceId: hexOf(bytes, traceIdStart, traceIdEnd),
    SpanId: hexOf(bytes, spanIdStart, spanIdEnd),
    ParentSpanId: hexOf(bytes, parentIdStart, parentIdEnd),
    TraceState: traceState,
    SpanName: name,
    SpanKind: spanKindText(kind),
    // Resource and scope columns are filled in when their messages end.
    ServiceName: '',
    ResourceAttributes: NOT_YET_KNOWN,
    ScopeName: '',
    ScopeVersion: '',
    SpanAttributes: attributes,
    Duration: duration > 0 ? duration : 0,
    StatusCode: statusCodeText(statusCode),
    StatusMessage: statusMessage,
    'Events.Timestamp': eventTimes,
    'Events.Name': eventNames,
    'Events.Attributes': eventAttributes,
    'Links.TraceId': links.traceIds,
    'Links.SpanId': links.spanIds,
    'Links.TraceState': links.traceStates,
    'Links.Attributes': links.attributes,
  });
}

interface SpanLinks {
  traceIds: string[];
  spanIds: string[];
  traceStates: string[];
  attributes: AttributeMap[];
  /** Why a link's ids are invalid ('' when none is), which rejects the span. */
  problem: string;
}

/** `Span.Link{trace_id=1, span_id=2, trace_state=3, attributes=4, ...}`; empty ids are allowed. */
function readLink(reader: ProtobufReader, end: number, links: SpanLinks): void {
  let traceIdStart = 0;
  let traceIdEnd = 0;
  let spanIdStart = 0;
  let spanIdEnd = 0;
  let traceState = '';
  const attributes: AttributeMap = {};
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) {
      traceIdEnd = reader.lengthEnd(end);
      traceIdStart = reader.pos;
      reader.pos = traceIdEnd;
    } else if (tag === 18) {
      spanIdEnd = reader.lengthEnd(end);
      spanIdStart = reader.pos;
      reader.pos = spanIdEnd;
    } else if (tag === 26) traceState = reader.string(end);
    else if (tag === 34) readKeyValueInto(reader, reader.lengthEnd(end), attributes);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'Span.Link');
  if (links.problem === '') {
    links.problem =
      idProblem('link trace_id', traceIdEnd - traceIdStart, 16, true) ||
      idProblem('link span_id', spanIdEnd - spanIdStart, 8, true);
  }
  links.traceIds.push(hexOf(reader.bytes, traceIdStart, traceIdEnd));
  links.spanIds.push(hexOf(reader.bytes, spanIdStart, spanIdEnd));
  links.traceStates.push(traceState);
  links.attributes.push(attributes);
}
