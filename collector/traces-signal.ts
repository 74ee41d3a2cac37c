import type { SpanRow } from '../storage/index.ts';
import type { BatchWriter } from './batch-writer.ts';
import { decodeTracesJson, decodeTracesProtobuf, type DecodeResult } from './otlp/index.ts';
import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
} from './otlp/responses.ts';
import type { OtlpSignal, WireEncoding } from './signal.ts';
import { toJsonLines } from './table-writer.ts';

/** Traces: `/v1/traces` into `otel_traces`. */
export function createTracesSignal(writer: BatchWriter): OtlpSignal {
  return {
    name: 'traces',
    path: '/v1/traces',
    ingest(body, encoding) {
      const decoded: DecodeResult<SpanRow> =
        encoding === 'protobuf' ? decodeTracesProtobuf(body) : decodeTracesJson(body);
      if (!decoded.ok) return { status: 'invalid', message: decoded.reason };
      const written = writer.write(toJsonLines(decoded.rows), decoded.rows.length);
      if (!written.accepted)
        return { status: 'throttled', message: `${written.reason}; retry later` };
      return {
        status: 'accepted',
        rejected: decoded.rejected,
        errorMessage: decoded.errorMessage,
        stored: written.stored,
      };
    },
    encodeSuccess: (encoding: WireEncoding, rejected, errorMessage) =>
      encoding === 'protobuf'
        ? encodeExportResponseProtobuf(rejected, errorMessage)
        : encodeExportResponseJson('traces', rejected, errorMessage),
    encodeStatus: (encoding: WireEncoding, code, message) =>
      encoding === 'protobuf'
        ? encodeStatusProtobuf(code, message)
        : encodeStatusJson(code, message),
  };
}
