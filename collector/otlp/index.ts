/** OTLP decoding and encoding: pure functions from request bytes to table rows, and back. */
export type { DecodeFailure, DecodeResult, DecodeSuccess } from './decode-result.ts';
export { decodeTracesJson } from './traces-json.ts';
export { decodeTracesProtobuf } from './traces-protobuf.ts';
export { transcodeTracesProtobuf } from './traces-protobuf-lines.ts';
export { toJsonLines, type JsonLines } from './json-lines.ts';
export { decodeMetricsJson } from './metrics-json.ts';
export { decodeMetricsProtobuf } from './metrics-protobuf.ts';
export type { MetricRows, MetricsDecodeResult } from './metric-rows.ts';
export { decodeLogsJson } from './logs-json.ts';
export { decodeLogsProtobuf } from './logs-protobuf.ts';
export {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeRetryStatusDetails,
  encodeStatusJson,
  encodeStatusProtobuf,
  exportResponseJson,
  statusJson,
  type ExportResponseJson,
  type TelemetryType,
} from './responses.ts';
