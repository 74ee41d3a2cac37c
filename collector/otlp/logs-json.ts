/**
 * `ExportLogsServiceRequest` in OTLP/JSON to `otel_logs` rows, the same rows the
 * protobuf decoder produces for the same records.
 */

import type { LogRow } from '../../storage/index.ts';
import { ZERO_TIME } from './int64-decimal.ts';
import { serviceNameOf } from './attribute-text.ts';
import { anyValueText, attributesAt, resourceAttributesAt, scopeAt } from './common-json.ts';
import {
  createRejections,
  decodeFailure,
  decodeSuccess,
  reject,
  type DecodeResult,
  type Rejections,
} from './decode-result.ts';
import { hexIdProblem } from './ids.ts';
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
import { enumAt, LOG_RECORD_FLAG_NAMES, SEVERITY_NUMBER_NAMES } from './enum-json.ts';

/** Decodes an OTLP/JSON logs export request into `otel_logs` rows; never throws. */
export function decodeLogsJson(body: Uint8Array | string): DecodeResult<LogRow> {
  const rows: LogRow[] = [];
  const rejections = createRejections();
  try {
    const request = parseJsonRequest(body);
    const resourceLogs = arrayAt(request, 'resourceLogs');
    for (let r = 0; r < resourceLogs.length; r++) {
      try {
        readResourceLogs(objectIn(resourceLogs, r), rows, rejections, `resourceLogs[${r}]`);
      } catch (error) {
        rethrowWithin(error, `resourceLogs[${r}]`);
      }
    }
  } catch (error) {
    return decodeFailure(error);
  }
  return decodeSuccess(rows, rejections, 'log record');
}

function readResourceLogs(
  resourceLogs: JsonObject,
  rows: LogRow[],
  rejections: Rejections,
  path: string,
): void {
  const resourceAttributes = resourceAttributesAt(resourceLogs);
  const serviceName = serviceNameOf(resourceAttributes);
  const resourceSchemaUrl = stringAt(resourceLogs, 'schemaUrl');
  const scopeLogs = arrayAt(resourceLogs, 'scopeLogs');
  for (let s = 0; s < scopeLogs.length; s++) {
    try {
      const scopeLog = objectIn(scopeLogs, s);
      const scope = scopeAt(scopeLog);
      const scopeSchemaUrl = stringAt(scopeLog, 'schemaUrl');
      const records = arrayAt(scopeLog, 'logRecords');
      for (let i = 0; i < records.length; i++) {
        try {
          const row = readLogRecord(objectIn(records, i));
          if (typeof row === 'string') {
            reject(rejections, `${path}.scopeLogs[${s}].logRecords[${i}]: ${row}`);
            continue;
          }
          row.ServiceName = serviceName;
          row.ResourceSchemaUrl = resourceSchemaUrl;
          row.ResourceAttributes = resourceAttributes;
          row.ScopeSchemaUrl = scopeSchemaUrl;
          row.ScopeName = scope.name;
          row.ScopeVersion = scope.version;
          row.ScopeAttributes = scope.attributes;
          rows.push(row);
        } catch (error) {
          rethrowWithin(error, `logRecords[${i}]`);
        }
      }
    } catch (error) {
      rethrowWithin(error, `scopeLogs[${s}]`);
    }
  }
}

/** A record's row, or why the record is rejected. */
function readLogRecord(record: JsonObject): LogRow | string {
  const time = timeAt(record, 'timeUnixNano');
  const observedTime = timeAt(record, 'observedTimeUnixNano');
  const traceId = stringAt(record, 'traceId');
  const spanId = stringAt(record, 'spanId');
  const bodyValue = objectAt(record, 'body');
  let body = '';
  if (bodyValue !== undefined) {
    try {
      body = anyValueText(bodyValue);
    } catch (error) {
      rethrowWithin(error, 'body');
    }
  }
  const row: LogRow = {
    Timestamp: time !== ZERO_TIME ? time : observedTime,
    TraceId: traceId.toLowerCase(),
    SpanId: spanId.toLowerCase(),
    TraceFlags: enumAt(record, 'flags', LOG_RECORD_FLAG_NAMES, false) & 0xff,
    SeverityText: stringAt(record, 'severityText'),
    SeverityNumber: enumAt(record, 'severityNumber', SEVERITY_NUMBER_NAMES) & 0xff,
    ServiceName: '',
    Body: body,
    ResourceSchemaUrl: '',
    ResourceAttributes: {},
    ScopeSchemaUrl: '',
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: {},
    LogAttributes: attributesAt(record, 'attributes'),
    EventName: stringAt(record, 'eventName'),
  };
  return (
    hexIdProblem('log record trace_id', traceId, 16, true) ||
    hexIdProblem('log record span_id', spanId, 8, true) ||
    row
  );
}
