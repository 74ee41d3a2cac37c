/**
 * `ExportLogsServiceRequest` (protobuf) to `otel_logs` rows, in one pass; resource
 * and scope columns are filled in when their messages end (they may follow the records).
 */

import type { AttributeMap, LogRow } from '../../storage/index.ts';
import { serviceNameOf } from './attribute-text.ts';
import { hexOf } from './binary-text.ts';
import {
  emptyScope,
  readAnyValueText,
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
import { timeDecimal } from './int64-decimal.ts';
import { ProtobufReader } from './protobuf-reader.ts';

interface LogsDecoding {
  reader: ProtobufReader;
  rows: LogRow[];
  rejections: Rejections;
  resourceIndex: number;
  scopeIndex: number;
  recordIndex: number;
}

const NOT_YET_KNOWN: AttributeMap = Object.freeze({});

/** Decodes an OTLP/protobuf logs export request into `otel_logs` rows; never throws. */
export function decodeLogsProtobuf(bytes: Uint8Array): DecodeResult<LogRow> {
  const reader = new ProtobufReader(bytes);
  const decoding: LogsDecoding = {
    reader,
    rows: [],
    rejections: createRejections(),
    resourceIndex: 0,
    scopeIndex: 0,
    recordIndex: 0,
  };
  try {
    const end = bytes.length;
    while (reader.pos < end) {
      const tag = reader.readTag();
      if (tag === 10) {
        readResourceLogs(decoding, reader.lengthEnd(end));
        decoding.resourceIndex++;
      } else reader.skip(tag, end);
    }
  } catch (error) {
    return decodeFailure(error);
  }
  return decodeSuccess(decoding.rows, decoding.rejections, 'log record');
}

/** `ResourceLogs{resource=1, scope_logs=2, schema_url=3}` */
function readResourceLogs(decoding: LogsDecoding, end: number): void {
  const { reader, rows } = decoding;
  const firstRow = rows.length;
  const attributes: AttributeMap = {};
  let schemaUrl = '';
  decoding.scopeIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readResourceInto(reader, reader.lengthEnd(end), attributes);
    else if (tag === 18) {
      readScopeLogs(decoding, reader.lengthEnd(end));
      decoding.scopeIndex++;
    } else if (tag === 26) schemaUrl = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ResourceLogs');
  const serviceName = serviceNameOf(attributes);
  for (let i = firstRow; i < rows.length; i++) {
    const row = rows[i]!;
    row.ResourceAttributes = attributes;
    row.ServiceName = serviceName;
    row.ResourceSchemaUrl = schemaUrl;
  }
}

/** `ScopeLogs{scope=1, log_records=2, schema_url=3}` */
function readScopeLogs(decoding: LogsDecoding, end: number): void {
  const { reader, rows } = decoding;
  const firstRow = rows.length;
  const scope = emptyScope();
  let schemaUrl = '';
  decoding.recordIndex = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === 10) readScopeInto(reader, reader.lengthEnd(end), scope);
    else if (tag === 18) {
      readLogRecord(decoding, reader.lengthEnd(end));
      decoding.recordIndex++;
    } else if (tag === 26) schemaUrl = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ScopeLogs');
  for (let i = firstRow; i < rows.length; i++) {
    const row = rows[i]!;
    row.ScopeName = scope.name;
    row.ScopeVersion = scope.version;
    row.ScopeAttributes = scope.attributes;
    row.ScopeSchemaUrl = schemaUrl;
  }
}

/** `LogRecord`; see otlp.md for the field numbers. */
function readLogRecord(decoding: LogsDecoding, end: number): void {
  const reader = decoding.reader;
  let timeLow = 0;
  let timeHigh = 0;
  let observedLow = 0;
  let observedHigh = 0;
  let severityNumber = 0;
  let severityText = '';
  let body = '';
  const attributes: AttributeMap = {};
  let flags = 0;
  let traceIdStart = 0;
  let traceIdEnd = 0;
  let spanIdStart = 0;
  let spanIdEnd = 0;
  let eventName = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case 9:
        reader.fixed64();
        timeLow = reader.low;
        timeHigh = reader.high;
        break;
      case 16:
        // The UInt8 column takes the low byte, as the exporter's uint8() conversion does.
        severityNumber = reader.varint32() & 0xff;
        break;
      case 26:
        severityText = reader.string(end);
        break;
      case 42:
        body = readAnyValueText(reader, reader.lengthEnd(end));
        break;
      case 50:
        readKeyValueInto(reader, reader.lengthEnd(end), attributes);
        break;
      case 69:
        flags = reader.fixed32();
        break;
      case 74:
        traceIdEnd = reader.lengthEnd(end);
        traceIdStart = reader.pos;
        reader.pos = traceIdEnd;
        break;
      case 82:
        spanIdEnd = reader.lengthEnd(end);
        spanIdStart = reader.pos;
        reader.pos = spanIdEnd;
        break;
      case 89:
        reader.fixed64();
        observedLow = reader.low;
        observedHigh = reader.high;
        break;
      case 98:
        eventName = reader.string(end);
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'LogRecord');
  const problem =
    idProblem('log record trace_id', traceIdEnd - traceIdStart, 16, true) ||
    idProblem('log record span_id', spanIdEnd - spanIdStart, 8, true);
  if (problem !== '') {
    const { resourceIndex, scopeIndex, recordIndex } = decoding;
    reject(
      decoding.rejections,
      `resourceLogs[${resourceIndex}].scopeLogs[${scopeIndex}].logRecords[${recordIndex}]: ${problem}`,
    );
    return;
  }
  const timeIsSet = timeLow !== 0 || timeHigh !== 0;
  decoding.rows.push({
    Timestamp: timeIsSet ? timeDecimal(timeLow, timeHigh) : timeDecimal(observedLow, observedHigh),
    TraceId: hexOf(reader.bytes, traceIdStart, traceIdEnd),
    SpanId: hexOf(reader.bytes, spanIdStart, spanIdEnd),
    TraceFlags: flags & 0xff,
    SeverityText: severityText,
    SeverityNumber: severityNumber,
    ServiceName: '',
    Body: body,
    ResourceSchemaUrl: '',
    ResourceAttributes: NOT_YET_KNOWN,
    ScopeSchemaUrl: '',
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: NOT_YET_KNOWN,
    LogAttributes: attributes,
    EventName: eventName,
  });
}
