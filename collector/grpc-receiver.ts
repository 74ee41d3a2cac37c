import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ByteBudget, Gate } from './batch-writer.ts';
import { createGrpcAdmission, unavailable } from './grpc-admission.ts';
import type { IngestResult, OtlpSignal } from './signal.ts';
import type { IngestTelemetry } from './telemetry.ts';

export interface GrpcReceiverOptions {
  signals: OtlpSignal[];
  /** Largest message accepted, bytes after decompression. */
  maxMessageBytes: number;
  /** Time from a call's metadata to its whole message, ms. */
  messageTimeoutMs: number;
  ingestKey?: string | undefined;
  /** Delay a throttled client is asked to wait before retrying (RetryInfo), seconds. */
  retryAfterSeconds?: number;
  logger: Logger;
  telemetry: IngestTelemetry;
  /** Shared with the batch writers: a message being decoded counts against it too. */
  budget: ByteBudget;
  /** Requests in progress, shared with the HTTP receiver; a call enters from its metadata. */
  gate: Gate;
}

const SERVICE_PATHS: Record<OtlpSignal['name'], string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

const passThrough = (bytes: Buffer): Buffer => bytes;

/**
 * The OTLP/gRPC receiver. Messages stay bytes end to end: grpc-js hands the raw
 * request to the same hand-written decoders the HTTP receiver uses. Calls are
 * admitted from their metadata (grpc-admission.ts) before any message is read.
 */
export function createGrpcReceiver(options: GrpcReceiverOptions): Server {
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const signalOfPath = new Map(
    options.signals.map((signal) => [SERVICE_PATHS[signal.name], signal.name]),
  );
  const server = new Server({
    // grpc-js applies this to the compressed frame and again while inflating.
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    interceptors: [
      createGrpcAdmission({
        signalOfPath,
        ingestKey: options.ingestKey,
        gate: options.gate,
        budget: options.budget,
        maxMessageBytes: options.maxMessageBytes,
        messageTimeoutMs: options.messageTimeoutMs,
        retryAfterSeconds,
        telemetry: options.telemetry,
      }),
    ],
  });
  for (const signal of options.signals) {
    const definition: ServiceDefinition = {
      Export: {
        path: SERVICE_PATHS[signal.name],
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      },
    };
    // Admission (key, gate, queue room) already passed; the gate is left with the status.
    const handler = (
      call: ServerUnaryCall<Buffer, Buffer>,
      callback: sendUnaryData<Buffer>,
    ): void => {
      exportCall(signal, call, callback).catch((error: unknown) => {
        options.logger.error({ err: error }, 'OTLP/gRPC request failed');
        callback(unavailable('internal error; retry later', retryAfterSeconds));
      });
    };
    server.addService(definition, { Export: handler });
  }

  async function exportCall(
    signal: OtlpSignal,
    call: ServerUnaryCall<Buffer, Buffer>,
    callback: sendUnaryData<Buffer>,
  ): Promise<void> {
    if (!options.budget.tryTake(call.request.length)) {
      options.telemetry.request(signal.name, 'grpc', 'throttled');
      return callback(unavailable('ingest queue is full; retry later', retryAfterSeconds));
    }
    let result: IngestResult;
    try {
      result = signal.ingest(call.request, 'protobuf');
    } finally {
      options.budget.release(call.request.length);
    }
    if (result.status === 'invalid') {
      options.telemetry.request(signal.name, 'grpc', 'invalid', result);
      return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: result.message });
    }
    if (result.status === 'throttled') {
      options.telemetry.request(signal.name, 'grpc', 'throttled', result);
      return callback(unavailable(result.message, retryAfterSeconds));
    }
    const outcome = await result.stored;
    if (!outcome.ok && !outcome.retryable) {
      options.telemetry.request(signal.name, 'grpc', 'invalid', result);
      return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: outcome.reason });
    }
    options.telemetry.request(signal.name, 'grpc', outcome.ok ? 'ok' : 'failed', result);
    if (!outcome.ok)
      return callback(
        unavailable(`could not store the data yet: ${outcome.reason}`, retryAfterSeconds),
      );
    callback(
      null,
      Buffer.from(signal.encodeSuccess('protobuf', result.rejected, result.errorMessage)),
    );
  }

  return server;
}

/** Binds the server; resolves to the port (useful with port 0). */
export function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });
}
