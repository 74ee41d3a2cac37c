import {
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeRetryStatusDetails,
  encodeStatusJson,
  encodeStatusProtobuf,
  exportResponseJson,
} from './responses.ts';

describe('export responses', () => {
  it('encodes full success as an empty message', () => {
    expect(encodeExportResponseProtobuf(0, '')).toEqual(new Uint8Array(0));
    expect(
      ProtobufTraceSerializer.deserializeResponse(encodeExportResponseProtobuf(0, '')),
    ).toEqual({});
    expect(encodeExportResponseJson('traces', 0, '')).toBe('{}');
  });

  it('encodes partial success so the OpenTelemetry clients read the count and message', () => {
    const bytes = encodeExportResponseProtobuf(3, '3 spans rejected; first: bad id');
    expect(ProtobufTraceSerializer.deserializeResponse(bytes)).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: '3 spans rejected; first: bad id' },
    });
    expect(ProtobufMetricsSerializer.deserializeResponse(bytes)).toEqual({
      partialSuccess: { rejectedDataPoints: 3, errorMessage: '3 spans rejected; first: bad id' },
    });
    expect(
      ProtobufLogsSerializer.deserializeResponse(encodeExportResponseProtobuf(2 ** 40, 'é')),
    ).toEqual({
      partialSuccess: { rejectedLogRecords: 2 ** 40, errorMessage: 'é' },
    });
  });

  it('names the rejected count per signal in JSON, as a proto3 JSON int64 string', () => {
    expect(exportResponseJson('traces', 2, 'why')).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: 'why' },
    });
    expect(exportResponseJson('metrics', 1, '')).toEqual({
      partialSuccess: { rejectedDataPoints: '1' },
    });
    const text = encodeExportResponseJson('logs', 5, 'x');
    expect(JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(text))).toEqual({
      partialSuccess: { rejectedLogRecords: '5', errorMessage: 'x' },
    });
  });
});

describe('google.rpc.Status', () => {
  it('encodes code and message in protobuf and JSON', () => {
    expect(encodeStatusProtobuf(3, 'bad')).toEqual(
      Uint8Array.from([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]),
    );
    expect(encodeStatusProtobuf(0, '')).toEqual(new Uint8Array(0));
    expect(JSON.parse(encodeStatusJson(8, 'body too large'))).toEqual({
      code: 8,
      message: 'body too large',
    });
  });

  it('carries a RetryInfo detail with the retry delay', () => {
    const typeUrl = 'type.googleapis.com/google.rpc.RetryInfo';
    // Duration{seconds=1, nanos=500000000}: the nanos varint is 5 bytes, so the Duration is 7.
    const duration = [0x08, 0x01, 0x10, 0x80, 0xca, 0xb5, 0xee, 0x01];
    const expectedRetryInfo = [0x0a, duration.length, ...duration];
    const any = [
      0x0a,
      typeUrl.length,
      ...new TextEncoder().encode(typeUrl),
      0x12,
      expectedRetryInfo.length,
      ...expectedRetryInfo,
    ];
    expect(encodeRetryStatusDetails(14, 'busy', 1.5)).toEqual(
      Uint8Array.from([
        0x08,
        0x0e,
        0x12,
        0x04,
        ...new TextEncoder().encode('busy'),
        0x1a,
        any.length,
        ...any,
      ]),
    );
  });
});
