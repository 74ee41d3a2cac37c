import type { InsertOutcome } from './batch-writer.ts';

export type WireEncoding = 'protobuf' | 'json';

export type IngestResult =
  | { status: 'invalid'; message: string }
  | { status: 'throttled'; message: string }
  | {
      status: 'accepted';
      /** Items (spans, data points, log records) queued for storage. */
      items: number;
      rejected: number;
      errorMessage: string;
      stored: Promise<InsertOutcome>;
    };

/** One OTLP signal (traces, metrics, logs) as every transport sees it. */
export interface OtlpSignal {
  name: 'traces' | 'metrics' | 'logs';
  /** OTLP/HTTP path, e.g. `/v1/traces`. */
  path: string;
  /** Decodes a request and queues its rows; never throws on bad input. */
  ingest(body: Uint8Array, encoding: WireEncoding): IngestResult;
  /** The `Export*ServiceResponse`, with partial success when `rejected > 0`. */
  encodeSuccess(
    encoding: WireEncoding,
    rejected: number,
    errorMessage: string,
  ): Uint8Array | string;
  /** A `google.rpc.Status` body. */
  encodeStatus(encoding: WireEncoding, code: number, message: string): Uint8Array | string;
}
