export { bearerMatches } from './auth.ts';
export {
  createBatchWriter,
  createByteBudget,
  type BatchWriter,
  type ByteBudget,
  type InsertOutcome,
} from './batch-writer.ts';
export { createCollector, type Collector, type CollectorOptions } from './collector.ts';
export type { IngestLimits } from './table-writer.ts';
export type { OtlpSignal, WireEncoding } from './signal.ts';
export { bindGrpc } from './grpc-receiver.ts';
