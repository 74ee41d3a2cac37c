import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { isRowLevelInsertError } from '../storage/index.ts';
import { insertJsonEachRow } from '../storage/live/index.ts';
import { createBatchWriter, type BatchWriter, type ByteBudget } from './batch-writer.ts';
import type { IngestTelemetry } from './telemetry.ts';

export interface IngestLimits {
  batchMaxRows: number;
  batchMaxBytes: number;
  flushIntervalMs: number;
  queueMaxBytes: number;
  maxBodyBytes: number;
  /** How long a batch keeps retrying a failed insert before its requests get 503, ms. */
  insertRetryMs: number;
  /**
   * OTLP requests (HTTP and gRPC together) being handled at once; more are refused
   * at once with 429 / UNAVAILABLE, so overload is answered in milliseconds instead
   * of queueing in sockets until clients time out and send everything twice. An
   * HTTP request counts once its body is complete, so slow senders cannot hold
   * every place; a gRPC call from its metadata on, since grpc-js inflates the
   * message before any handler sees it and this count bounds that memory.
   */
  maxConcurrentRequests: number;
  /** HTTP request bodies being received at once; more get 429 before their body is read. */
  maxUploadsInFlight: number;
  /** Time from headers (gRPC: metadata) to the complete body, ms. */
  bodyTimeoutMs: number;
  /** Least bytes an HTTP body must bring in each second of its upload; 0: unchecked. */
  bodyMinBytesPerSecond: number;
}

/** A batch writer that inserts into one table as JSONEachRow. */
export function createTableWriter(
  client: ClickHouseClient,
  table: string,
  limits: IngestLimits,
  budget: ByteBudget,
  logger: Logger,
  telemetry: IngestTelemetry,
): BatchWriter {
  return createBatchWriter({
    maxRows: limits.batchMaxRows,
    maxBytes: limits.batchMaxBytes,
    flushIntervalMs: limits.flushIntervalMs,
    budget,
    retryDeadlineMs: limits.insertRetryMs,
    insert: (body) => insertJsonEachRow(client, table, body),
    refusesRows: isRowLevelInsertError,
    onInsert: ({ rows, durationMs, ok }) => {
      telemetry.insert(table, durationMs / 1000, ok);
      logger.debug({ table, rows, durationMs: Math.round(durationMs), ok }, 'insert');
    },
  });
}
