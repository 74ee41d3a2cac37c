export { bearerMatches } from './auth.ts';
export {
  createBatchWriter,
  createByteBudget,
  type BatchWriter,
  type ByteBudget,
  type InsertOutcome,
} from './batch-writer.ts';
export type { Collector, CollectorOptions } from './collector.ts';
export type { IngestLimits } from './table-writer.ts';
export type { OtlpSignal, WireEncoding } from './signal.ts';
export {
  decodeLogsJson,
  decodeLogsProtobuf,
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
  toJsonLines,
  transcodeTracesProtobuf,
  type DecodeResult,
} from './otlp/index.ts';
export { uint64Decimal } from './otlp/int64-decimal.ts';
