import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ByteBudget, Gate } from './batch-writer.ts';
import { inflateBody, receiveBody, type BodyFailure, type BodyLimits } from './http-body.ts';
import { bearerMatches } from './auth.ts';
import type { IngestResult, OtlpSignal, WireEncoding } from './signal.ts';
import type { IngestTelemetry, RequestOutcome } from './telemetry.ts';

export interface HttpReceiverOptions {
  signals: OtlpSignal[];
  /** Size (after gunzip), time and rate limits of a request body. */
  body: BodyLimits;
  /** Bearer token clients must send; none when undefined. */
  ingestKey?: string | undefined;
  /** Seconds a throttled or failed client is told to wait (`Retry-After`). */
  retryAfterSeconds?: number;
  logger: Logger;
  telemetry: IngestTelemetry;
  /** Shared with the batch writers: request bodies being read count against it too. */
  budget: ByteBudget;
  /** Requests being decoded and stored, shared with the gRPC receiver; entered once the body is in. */
  gate: Gate;
  /** Bodies being received: a slow upload holds one of these, not a place in `gate`. */
  uploads: Gate;
}

const OUTCOME_FOR_HTTP: Record<number, RequestOutcome> = {
  200: 'ok',
  400: 'invalid',
  401: 'unauthorized',
  408: 'too_slow',
  413: 'too_large',
  415: 'unsupported',
  429: 'throttled',
  503: 'failed',
};

/** gRPC codes carried in `google.rpc.Status.code`, matched to the HTTP status. */
const STATUS_CODE_FOR_HTTP: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  404: 12, // UNIMPLEMENTED
  405: 12,
  408: 4, // DEADLINE_EXCEEDED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3,
  429: 8,
  503: 14, // UNAVAILABLE
};

const CONTENT_TYPES: Record<WireEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** The OTLP/HTTP receiver: `POST /v1/<signal>` in protobuf or JSON, optionally gzipped. */
export function createHttpReceiver(options: HttpReceiverOptions): Server {
  const routes = new Map(options.signals.map((signal) => [signal.path, signal]));
  const retryAfter = String(options.retryAfterSeconds ?? 1);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const signal = routes.get(path);
    const encoding = encodingOf(request.headers['content-type']);
    const replyEncoding = encoding ?? 'json';
    // The decoded request, once there is one, so every answer counts its items.
    const decoded: { result?: IngestResult } = {};
    const count = (status: number): void => {
      const outcome = OUTCOME_FOR_HTTP[status];
      if (signal && outcome)
        options.telemetry.request(signal.name, 'http', outcome, decoded.result);
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}): void => {
      if (status !== 408) request.resume();
      count(status);
      send(
        response,
        status,
        replyEncoding,
        signal?.encodeStatus(replyEncoding, STATUS_CODE_FOR_HTTP[status] ?? 2, message) ??
          jsonStatus(status, message),
        headers,
      );
    };
    if (!signal)
      return fail(404, `no OTLP endpoint at ${path}; use ${[...routes.keys()].join(', ')}`);
    if (request.method !== 'POST') return fail(405, `${path} accepts POST only`, { allow: 'POST' });
    if (
      options.ingestKey !== undefined &&
      !bearerMatches(request.headers.authorization, options.ingestKey)
    ) {
      return fail(
        401,
        'missing or wrong ingest key: send "Authorization: Bearer <OPSLESS_INGEST_KEY>"',
      );
    }
    if (!encoding) {
      return fail(
        415,
        `unsupported Content-Type "${request.headers['content-type'] ?? ''}": use application/x-protobuf or application/json`,
      );
    }
    if (!options.uploads.tryEnter()) {
      return fail(429, 'too many uploads in progress; retry later', { 'retry-after': retryAfter });
    }
    let received;
    try {
      received = await receiveBody(request, options.body, options.budget);
    } finally {
      options.uploads.leave();
    }
    const refuse = (failure: BodyFailure): void => {
      if (failure.status === 408) {
        // A slow sender's connection is closed, not kept for its next trickle.
        request.pause();
        return fail(408, failure.message, { connection: 'close' });
      }
      fail(
        failure.status,
        failure.message,
        failure.status === 429 ? { 'retry-after': retryAfter } : {},
      );
    };
    if (!received.ok) return refuse(received);
    // Only a complete body takes a place among the requests in progress.
    if (!options.gate.tryEnter()) {
      options.budget.release(received.held);
      return fail(429, 'too many requests in progress; retry later', { 'retry-after': retryAfter });
    }
    response.once('close', () => options.gate.leave());
    const body = await inflateBody(request, received, options.body.maxBytes, options.budget);
    if (!body.ok) return refuse(body);

    let result: IngestResult;
    try {
      result = signal.ingest(body.body, encoding);
    } finally {
      options.budget.release(body.held); // the rows, if queued, now hold their own share
    }
    decoded.result = result;
    if (result.status === 'invalid') return fail(400, result.message);
    if (result.status === 'throttled')
      return fail(429, result.message, { 'retry-after': retryAfter });
    const outcome = await result.stored;
    if (!outcome.ok && !outcome.retryable) {
      // Retrying cannot help: the sender must not loop on it (OTLP: 400 is final).
      options.logger.warn(
        { signal: signal.name, reason: outcome.reason },
        'request refused by storage',
      );
      return fail(400, outcome.reason);
    }
    if (!outcome.ok) {
      options.logger.warn(
        { signal: signal.name, reason: outcome.reason },
        'insert failed; client told to retry',
      );
      return fail(503, `could not store the data yet, retry later: ${outcome.reason}`, {
        'retry-after': retryAfter,
      });
    }
    count(200);
    send(
      response,
      200,
      encoding,
      signal.encodeSuccess(encoding, result.rejected, result.errorMessage),
    );
  }

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (request.destroyed && !request.complete) {
        options.logger.debug('OTLP client went away mid-request');
        return;
      }
      options.logger.error({ err: error }, 'OTLP request failed');
      if (!response.headersSent)
        send(response, 503, 'json', jsonStatus(503, 'internal error; retry later'), {
          'retry-after': retryAfter,
        });
      else response.destroy();
    });
  });
}

function encodingOf(contentType: string | undefined): WireEncoding | undefined {
  if (!contentType) return undefined;
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

function jsonStatus(status: number, message: string): string {
  return JSON.stringify({ code: STATUS_CODE_FOR_HTTP[status] ?? 2, message });
}

function send(
  response: ServerResponse,
  status: number,
  encoding: WireEncoding,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': CONTENT_TYPES[encoding],
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...headers,
  });
  response.end(body);
}
