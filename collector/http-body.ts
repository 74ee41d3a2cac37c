import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ByteBudget } from './batch-writer.ts';

const gunzipAsync = promisify(gunzip);

export type BodyResult =
  /** `held` bytes were taken from the budget: release them once the body is decoded. */
  | { ok: true; body: Buffer; held: number }
  | { ok: false; status: 400 | 413 | 415 | 429; message: string };

/**
 * Reads a request body of at most `maxBytes`, before and after gunzip. An
 * oversized body is refused as soon as the limit is crossed, so neither a large
 * upload nor a small gzip bomb is ever held in memory whole. The bytes held count
 * against the ingest `budget` like queued rows do, so many concurrent uploads are
 * refused (429) rather than allowed to grow the heap.
 */
export async function readBody(
  request: IncomingMessage,
  maxBytes: number,
  budget: ByteBudget,
): Promise<BodyResult> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return {
      ok: false,
      status: 415,
      message: `unsupported Content-Encoding "${encoding}": use gzip or none`,
    };
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const refuse = (result: BodyResult): BodyResult => {
    budget.release(received);
    request.resume();
    return result;
  };
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      if (received + chunk.length > maxBytes) return refuse(tooLarge(maxBytes));
      if (!budget.tryTake(chunk.length)) return refuse(queueFull());
      received += chunk.length;
      chunks.push(chunk);
    }
  } catch (error) {
    budget.release(received); // the client went away mid-upload
    throw error;
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
  if (encoding === 'identity') return { ok: true, body: raw, held: received };
  let body: Buffer;
  try {
    body = await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return refuse(tooLarge(maxBytes));
    }
    return refuse({
      ok: false,
      status: 400,
      message: `body is not valid gzip: ${(error as Error).message}`,
    });
  }
  // The compressed bytes are garbage now; the decompressed ones take their place.
  budget.release(received);
  received = 0;
  if (!budget.tryTake(body.length)) return refuse(queueFull());
  return { ok: true, body, held: body.length };
}

function queueFull(): BodyResult {
  return { ok: false, status: 429, message: 'ingest queue is full; retry later' };
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    status: 413,
    message: `request body is larger than ${maxBytes} bytes (after gunzip); send smaller batches`,
  };
}
