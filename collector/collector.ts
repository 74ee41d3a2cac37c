import type { Server } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { createByteBudget, createGate, type BatchWriter } from './batch-writer.ts';
import { createHttpReceiver } from './http-receiver.ts';
import type { OtlpSignal } from './signal.ts';
import { createTableWriter, type IngestLimits } from './table-writer.ts';
import { createSignals } from './signals.ts';
import { createGrpcReceiver } from './grpc-receiver.ts';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { createIngestTelemetry } from './telemetry.ts';
import { createLogPatternTagger, restoreLogPatterns } from './log-patterns.ts';

export interface CollectorOptions {
  client: ClickHouseClient;
  limits: IngestLimits;
  ingestKey?: string | undefined;
  logger: Logger;
  /** Where the collector's own metrics are registered. */
  registry: Registry;
  /** Mine log bodies into patterns and tag each log row with its pattern (default true). */
  logPatterns?: boolean;
}

export interface Collector {
  signals: OtlpSignal[];
  /** The OTLP/HTTP server, not yet listening. */
  httpServer: Server;
  /** The OTLP/gRPC server, not yet bound. */
  grpcServer: GrpcServer;
  /** Reads back the log patterns stored before, so a restart keeps them; call before serving. */
  restore(): Promise<void>;
  /** Flushes every acknowledged row into storage; idempotent. Close servers first. */
  close(): Promise<void>;
}

/** Wires decoders, bounded writers and the OTLP/HTTP and gRPC receivers onto one ClickHouse client. */
export function createCollector(options: CollectorOptions): Collector {
  const budget = createByteBudget(options.limits.queueMaxBytes);
  const gate = createGate(options.limits.maxConcurrentRequests);
  const uploads = createGate(options.limits.maxUploadsInFlight);
  const telemetry = createIngestTelemetry(options.registry, { budget, gate, uploads });
  const writers: BatchWriter[] = [];
  const writerFor = (table: string): BatchWriter => {
    const writer = createTableWriter(
      options.client,
      table,
      options.limits,
      budget,
      options.logger,
      telemetry,
    );
    writers.push(writer);
    return writer;
  };
  const tagger = options.logPatterns === false ? undefined : createLogPatternTagger();
  const signals = createSignals(writerFor, budget, tagger);
  const httpServer = createHttpReceiver({
    signals,
    body: {
      maxBytes: options.limits.maxBodyBytes,
      timeoutMs: options.limits.bodyTimeoutMs,
      minBytesPerSecond: options.limits.bodyMinBytesPerSecond,
    },
    ingestKey: options.ingestKey,
    logger: options.logger,
    telemetry,
    budget,
    gate,
    uploads,
  });
  const grpcServer = createGrpcReceiver({
    signals,
    maxMessageBytes: options.limits.maxBodyBytes,
    messageTimeoutMs: options.limits.bodyTimeoutMs,
    ingestKey: options.ingestKey,
    logger: options.logger,
    telemetry,
    budget,
    gate,
  });
  let closing: Promise<void> | undefined;
  return {
    signals,
    httpServer,
    grpcServer,
    restore: async () => {
      if (tagger) await restoreLogPatterns(options.client, tagger);
    },
    close: () =>
      (closing ??= Promise.all(writers.map((writer) => writer.close())).then(() => undefined)),
  };
}
