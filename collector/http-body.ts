import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ByteBudget } from './batch-writer.ts';

const gunzipAsync = promisify(gunzip);

/** How often an upload's rate is checked: each window must bring `minBytesPerSecond`. */
const RATE_WINDOW_MS = 1_000;

export interface BodyLimits {
  /** Largest body, bytes, before and after gunzip. */
  maxBytes: number;
  /** Time from the headers to the complete body, ms. */
  timeoutMs: number;
  /** Least bytes each second of the upload must bring; 0: unchecked. */
  minBytesPerSecond: number;
}

export type BodyFailure = { ok: false; status: 400 | 408 | 413 | 415 | 429; message: string };

export type BodyResult =
  /** `held` bytes were taken from the budget: release them once the body is decoded. */
  { ok: true; body: Buffer; held: number } | BodyFailure;

/**
 * Receives a request body of at most `maxBytes` as sent (gzip or not). An oversized
 * body is refused as soon as the limit is crossed, so a large upload is never held
 * whole. The bytes held count against the ingest `budget` like queued rows do, so
 * many concurrent uploads are refused (429) rather than allowed to grow the heap.
 * A body slower than the limits is refused with 408: the caller closes the connection.
 * Rejects when the client goes away mid-upload.
 */
export function receiveBody(
  request: IncomingMessage,
  limits: BodyLimits,
  budget: ByteBudget,
): Promise<BodyResult> {
  const encoding = contentEncoding(request);
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return Promise.resolve({
      ok: false,
      status: 415,
      message: `unsupported Content-Encoding "${encoding}": use gzip or none`,
    });
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    return Promise.resolve(tooLarge(limits.maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let receivedThisWindow = 0;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(deadline);
      clearInterval(rateCheck);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onGone);
      request.off('close', onGone);
      return true;
    };
    const refuse = (failure: BodyFailure): void => {
      if (!settle()) return;
      budget.release(received);
      resolve(failure);
    };
    const onData = (chunk: Buffer): void => {
      if (received + chunk.length > limits.maxBytes) return refuse(tooLarge(limits.maxBytes));
      if (!budget.tryTake(chunk.length)) return refuse(queueFull());
      received += chunk.length;
      receivedThisWindow += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (!settle()) return;
      resolve({
        ok: true,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received),
        held: received,
      });
    };
    const onGone = (error?: Error): void => {
      if (!settle()) return;
      budget.release(received);
      reject(error ?? new Error('client went away mid-upload'));
    };
    // Judged after the poll phase (setImmediate), so bytes already waiting in the
    // socket count: a busy event loop must not pass for a slow client.
    const deadline = setTimeout(
      () =>
        setImmediate(() =>
          refuse(tooSlow(`the body did not arrive within ${limits.timeoutMs} ms`)),
        ),
      limits.timeoutMs,
    ).unref();
    const rateCheck = setInterval(
      () =>
        setImmediate(() => {
          if (receivedThisWindow < limits.minBytesPerSecond) {
            refuse(tooSlow(`the body arrived slower than ${limits.minBytesPerSecond} bytes/s`));
          }
          receivedThisWindow = 0;
        }),
      RATE_WINDOW_MS,
    ).unref();
    if (limits.minBytesPerSecond === 0) clearInterval(rateCheck);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onGone);
    request.once('close', onGone);
  });
}

/**
 * The body as decoders take it: gunzipped when the request says so, refused (413)
 * as soon as the output crosses `maxBytes`, so a small gzip bomb is never inflated
 * whole. Takes over the `held` share of a received body.
 */
export async function inflateBody(
  request: IncomingMessage,
  received: { body: Buffer; held: number },
  maxBytes: number,
  budget: ByteBudget,
): Promise<BodyResult> {
  if (contentEncoding(request) === 'identity') return { ok: true, ...received };
  let body: Buffer;
  try {
    body = await gunzipAsync(received.body, { maxOutputLength: maxBytes });
  } catch (error) {
    budget.release(received.held);
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
    return {
      ok: false,
      status: 400,
      message: `body is not valid gzip: ${(error as Error).message}`,
    };
  }
  // The compressed bytes are garbage now; the decompressed ones take their place.
  budget.release(received.held);
  if (!budget.tryTake(body.length)) return queueFull();
  return { ok: true, body, held: body.length };
}

function contentEncoding(request: IncomingMessage): string {
  return (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
}

function queueFull(): BodyFailure {
  return { ok: false, status: 429, message: 'ingest queue is full; retry later' };
}

function tooSlow(what: string): BodyFailure {
  return {
    ok: false,
    status: 408,
    message: `${what} (OPSLESS_BODY_TIMEOUT_MS, OPSLESS_BODY_MIN_BYTES_PER_SECOND); send the body at once`,
  };
}

function tooLarge(maxBytes: number): BodyFailure {
  return {
    ok: false,
    status: 413,
    message: `request body is larger than ${maxBytes} bytes (after gunzip); send smaller batches`,
  };
}
