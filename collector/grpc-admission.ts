import {
  Metadata,
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { bearerMatches } from './auth.ts';
import type { ByteBudget, Gate } from './batch-writer.ts';
import { encodeRetryStatusDetails } from './otlp/responses.ts';
import type { OtlpSignal } from './signal.ts';
import type { IngestTelemetry } from './telemetry.ts';

type CallStatus = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

export interface GrpcAdmissionOptions {
  /** Signal of each Export method path, for the request counters. */
  signalOfPath: ReadonlyMap<string, OtlpSignal['name']>;
  ingestKey?: string | undefined;
  /** Requests in progress; a call holds its place from admission to its status. */
  gate: Gate;
  /** The ingest queue; a call is admitted only while it could hold a message of `maxMessageBytes`. */
  budget: ByteBudget;
  maxMessageBytes: number;
  /** Time from the metadata to the whole message, ms; then DEADLINE_EXCEEDED. */
  messageTimeoutMs: number;
  retryAfterSeconds: number;
  telemetry: IngestTelemetry;
}

/**
 * Admits a call from its metadata alone: key, requests in progress and queue room.
 * grpc-js reads and inflates a message only once the method's handler asks for it,
 * which happens after this interceptor passes the metadata on; a refused call's
 * message is never read, so an unauthenticated or over-limit call costs the
 * kilobytes of its headers and at most one HTTP/2 flow-control window.
 */
export function createGrpcAdmission(options: GrpcAdmissionOptions): ServerInterceptor {
  const { gate, budget } = options;
  // Room for one message of the largest size allowed (or the whole queue, if smaller).
  const headroom = Math.min(options.maxMessageBytes, budget.maxBytes);
  return (method, call) => {
    const signal = options.signalOfPath.get(method.path);
    let admitted = false;
    let timer: NodeJS.Timeout | undefined;
    const leave = (): void => {
      clearTimeout(timer);
      if (!admitted) return;
      admitted = false;
      gate.leave();
    };
    const refuse = (outcome: 'unauthorized' | 'throttled', status: CallStatus): void => {
      if (signal) options.telemetry.request(signal, 'grpc', outcome);
      call.sendStatus(status);
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            if (options.ingestKey !== undefined) {
              const [header] = metadata.get('authorization');
              if (
                !bearerMatches(typeof header === 'string' ? header : undefined, options.ingestKey)
              )
                return refuse('unauthorized', {
                  code: GrpcStatus.UNAUTHENTICATED,
                  details:
                    'missing or wrong ingest key: send metadata "authorization: Bearer <OPSLESS_INGEST_KEY>"',
                });
            }
            if (!gate.tryEnter()) {
              return refuse(
                'throttled',
                unavailable(
                  'too many requests in progress; retry later',
                  options.retryAfterSeconds,
                ),
              );
            }
            if (budget.held() + headroom > budget.maxBytes) {
              gate.leave();
              return refuse(
                'throttled',
                unavailable('ingest queue is full; retry later', options.retryAfterSeconds),
              );
            }
            admitted = true;
            timer = setTimeout(() => {
              leave();
              call.sendStatus({
                code: GrpcStatus.DEADLINE_EXCEEDED,
                details: `the request message did not arrive within ${options.messageTimeoutMs} ms (OPSLESS_BODY_TIMEOUT_MS)`,
              });
            }, options.messageTimeoutMs).unref();
            pass(metadata);
          },
          onReceiveMessage: (message, pass) => {
            clearTimeout(timer);
            pass(message);
          },
          onCancel: leave,
        }),
      sendStatus: (status, next) => {
        leave();
        next(status);
      },
    });
  };
}

/** UNAVAILABLE with a RetryInfo detail: the code OTLP clients retry, after the given delay. */
export function unavailable(message: string, retryAfterSeconds: number) {
  const metadata = new Metadata();
  metadata.set(
    'grpc-status-details-bin',
    Buffer.from(encodeRetryStatusDetails(GrpcStatus.UNAVAILABLE, message, retryAfterSeconds)),
  );
  return { code: GrpcStatus.UNAVAILABLE, details: message, metadata };
}
