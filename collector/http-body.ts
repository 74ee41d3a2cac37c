import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export type BodyResult =
  { ok: true; body: Buffer } | { ok: false; status: 400 | 413 | 415; message: string };

/**
 * Reads a request body of at most `maxBytes`, before and after gunzip. An
 * oversized body is refused as soon as the limit is crossed, so neither a large
 * upload nor a small gzip bomb is ever held in memory whole.
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
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
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      request.resume();
      return tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
  if (encoding === 'identity') return { ok: true, body: raw };
  try {
    return { ok: true, body: await gunzipAsync(raw, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
    return {
      ok: false,
      status: 400,
      message: `body is not valid gzip: ${(error as Error).message}`,
    };
  }
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    status: 413,
    message: `request body is larger than ${maxBytes} bytes (after gunzip); send smaller batches`,
  };
}
