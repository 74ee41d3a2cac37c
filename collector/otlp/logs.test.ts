import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogRow } from '../../storage/index.ts';
import { emitLogs, encodeLogs, LOG_SPAN_ID, LOG_TRACE_ID, SAMPLE_RECORDS } from './log-fixtures.ts';
import { decodeLogsJson } from './logs-json.ts';
import { decodeLogsProtobuf } from './logs-protobuf.ts';
import {
  fixed64Field,
  hexBytes,
  lengthField,
  message,
  unknownFields,
  varintField,
} from './wire-fixtures.ts';

let records: ReadableLogRecord[];
let bodies: { protobuf: Uint8Array; json: Uint8Array };

beforeAll(async () => {
  records = await emitLogs(SAMPLE_RECORDS);
  bodies = encodeLogs(records);
});

function decoded(bytes: Uint8Array): LogRow[] {
  const result = decodeLogsProtobuf(bytes);
  if (!result.ok) throw new Error(result.reason);
  expect(result.rejected).toBe(0);
  return result.rows;
}

function requestWith(...logRecords: Uint8Array[]): Uint8Array {
  return message(
    lengthField(1, lengthField(2, message(...logRecords.map((record) => lengthField(2, record))))),
  );
}

describe('decodeLogsProtobuf', () => {
  it('decodes an SDK record with severity, trace context, attributes and event name exactly', () => {
    const [first] = decoded(bodies.protobuf);
    expect(first).toEqual({
      Timestamp: '1700000000123456789',
      TraceId: LOG_TRACE_ID,
      SpanId: LOG_SPAN_ID,
      TraceFlags: 1,
      SeverityText: 'ERROR',
      SeverityNumber: 17,
      ServiceName: 'orders',
      Body: 'payment declined',
      ResourceSchemaUrl: '',
      ResourceAttributes: { 'service.name': 'orders', 'deployment.environment.name': 'test' },
      ScopeSchemaUrl: '',
      ScopeName: 'opsless-logs-test',
      ScopeVersion: '3.1.0',
      ScopeAttributes: {},
      LogAttributes: { 'order.id': '42', retried: 'true' },
      EventName: 'payment.declined',
    });
  });

  it('renders every body kind as the exporter does', () => {
    expect(decoded(bodies.protobuf).map((row) => row.Body)).toEqual([
      'payment declined',
      '{"\\u003ctag\\u003e":null,"cart":[1,2],"user":"ann"}',
      '17',
      '2.5',
      'false',
      'aGk=',
      '["a",1]',
    ]);
  });

  it('uses the observed time when the record time is 0', () => {
    const rows = decoded(
      requestWith(
        message(fixed64Field(11, 1_700_000_000_999_999_999n), lengthField(5, lengthField(1, 'x'))),
      ),
    );
    expect(rows[0]).toMatchObject({
      Timestamp: '1700000000999999999',
      Body: 'x',
      ServiceName: 'unknown_service',
    });
  });

  it('skips unknown fields and keeps empty trace context empty', () => {
    const rows = decoded(
      requestWith(message(unknownFields(), varintField(2, 13), lengthField(3, 'WARN'))),
    );
    expect(rows[0]).toMatchObject({
      TraceId: '',
      SpanId: '',
      SeverityNumber: 13,
      SeverityText: 'WARN',
      Timestamp: '0000000000000000000',
    });
  });

  it('rejects records with a wrong-length trace or span id and keeps the rest', () => {
    const result = decodeLogsProtobuf(
      requestWith(
        message(lengthField(3, 'ok')),
        message(lengthField(9, hexBytes('0102030405'))),
        message(lengthField(9, hexBytes(LOG_TRACE_ID)), lengthField(10, hexBytes('01'))),
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      rejected: 2,
      errorMessage:
        '2 log records rejected; first: resourceLogs[0].scopeLogs[0].logRecords[1]: log record trace_id must be 16 bytes or empty, got 5',
    });
    expect(result.ok && result.rows.map((row) => row.SeverityText)).toEqual(['ok']);
  });

  it('answers every truncated prefix with a reason instead of throwing', () => {
    for (let length = 1; length < bodies.protobuf.length; length++) {
      expect(
        decodeLogsProtobuf(bodies.protobuf.subarray(0, length)).ok,
        `prefix of ${length} bytes`,
      ).toBe(false);
    }
  });
});

describe('decodeLogsJson', () => {
  it('decodes the exporter JSON to the same rows as the exporter protobuf', () => {
    const fromJson = decodeLogsJson(bodies.json);
    expect(fromJson.ok && fromJson.rows).toHaveLength(SAMPLE_RECORDS.length);
    expect(fromJson).toEqual(decodeLogsProtobuf(bodies.protobuf));
  });

  it('rejects records with non-hex ids and names the path of a wrongly typed field', () => {
    const request = (record: object): string =>
      JSON.stringify({
        resourceLogs: [
          { scopeLogs: [{ logRecords: [{ body: { stringValue: 'kept' } }, record] }] },
        ],
      });
    const partial = decodeLogsJson(request({ traceId: 'not-hex' }));
    expect(partial).toMatchObject({ ok: true, rejected: 1 });
    expect(partial.ok && partial.errorMessage).toContain(
      'log record trace_id must be 16 bytes of hex or empty',
    );
    expect(decodeLogsJson(request({ severityNumber: 'ERROR' }))).toEqual({
      ok: false,
      reason:
        'resourceLogs[0].scopeLogs[0].logRecords[1].severityNumber: unknown name "ERROR"; expected a number or SEVERITY_NUMBER_UNSPECIFIED, SEVERITY_NUMBER_TRACE, SEVERITY_NUMBER_TRACE2, SEVERITY_NUMBER_TRACE3, SEVERITY_NUMBER_TRACE4, SEVERITY_NUMBER_DEBUG, SEVERITY_NUMBER_DEBUG2, SEVERITY_NUMBER_DEBUG3, …',
    });
    expect(decodeLogsJson(request({ body: { intValue: 'x' } }))).toEqual({
      ok: false,
      reason: 'resourceLogs[0].scopeLogs[0].logRecords[1].body.intValue: expected integer',
    });
  });
});
