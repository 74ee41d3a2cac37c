import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js';

export const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** One OTLP/gRPC Export call of raw protobuf bytes; resolves to its error, or null on success. */
export function grpcExport(
  client: Client,
  body: Uint8Array,
  options: { path?: string; key?: string | undefined } = {},
): Promise<ServiceError | null> {
  const metadata = new Metadata();
  if (options.key !== undefined) metadata.set('authorization', `Bearer ${options.key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      options.path ?? TRACE_EXPORT,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      Buffer.from(body),
      metadata,
      (error) => resolve(error),
    );
  });
}
