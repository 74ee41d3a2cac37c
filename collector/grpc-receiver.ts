import {
  Metadata,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { bearerMatches } from './auth.ts';
import { encodeRetryStatusDetails } from './otlp/responses.ts';
import type { ByteBudget, Gate } from './batch-writer.ts';
import type { IngestResult, OtlpSignal } from './signal.ts';
import type { IngestTelemetry } from './telemetry.ts';

export interface GrpcReceiverOptions {
  signals: OtlpSignal[];
  /** Largest message accepted, bytes after decompression. */
  maxMessageBytes: number;
  ingestKey?: string | undefined;
  /** Delay a throttled client is asked to wait before retrying (RetryInfo), seconds. */
  retryAfterSeconds?: number;
  logger: Logger;
  telemetry: IngestTelemetry;
  /** Shared with the batch writers: a message being decoded counts against it too. */
  budget: ByteBudget;
  /** Requests in progress, shared with the HTTP receiver. */
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
 * request to the same hand-written decoders the HTTP receiver uses.
 */
export function createGrpcReceiver(options: GrpcReceiverOptions): Server {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
  });
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
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
    const handler = (
      call: ServerUnaryCall<Buffer, Buffer>,
      callback: sendUnaryData<Buffer>,
    ): void => {
      if (!options.gate.tryEnter()) {
        options.telemetry.request(signal.name, 'grpc', 'throttled');
        callback(unavailable('too many requests in progress; retry later', retryAfterSeconds));
        return;
      }
      const done: sendUnaryData<Buffer> = (...args) => {
        options.gate.leave();
        callback(...args);
      };
      exportCall(signal, call, done).catch((error: unknown) => {
        options.logger.error({ err: error }, 'OTLP/gRPC request failed');
        done(unavailable('internal error; retry later', retryAfterSeconds));
      });
    };
    server.addService(definition, { Export: handler });
  }

  async function exportCall(
    signal: OtlpSignal,
    call: ServerUnaryCall<Buffer, Buffer>,
    callback: sendUnaryData<Buffer>,
  ): Promise<void> {
    if (options.ingestKey !== undefined) {
      const [header] = call.metadata.get('authorization');
      if (!bearerMatches(typeof header === 'string' ? header : undefined, options.ingestKey)) {
        options.telemetry.request(signal.name, 'grpc', 'unauthorized');
        return callback({
          code: GrpcStatus.UNAUTHENTICATED,
          details:
            'missing or wrong ingest key: send metadata "authorization: Bearer <OPSLESS_INGEST_KEY>"',
        });
      }
    }
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

/** UNAVAILABLE with a RetryInfo detail: the code OTLP clients retry, after the given delay. */
function unavailable(message: string, retryAfterSeconds: number) {
  const metadata = new Metadata();
  metadata.set(
    'grpc-status-details-bin',
    Buffer.from(encodeRetryStatusDetails(GrpcStatus.UNAVAILABLE, message, retryAfterSeconds)),
  );
  return { code: GrpcStatus.UNAVAILABLE, details: message, metadata };
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
