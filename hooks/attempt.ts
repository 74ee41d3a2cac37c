import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTarget, type AllowList } from './ssrf.ts';

/** What one delivery attempt came to. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: number; reason: string }
  | { kind: 'retry'; status: number; reason: string; retryAfterMs: number | null };

/** Longest Retry-After honoured, so a receiver cannot park an event for weeks. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * POSTs one signed body to a subscriber: the host is resolved and checked once, and the
 * connection goes to that checked address (Host and TLS name unchanged). 2xx delivers;
 * 410 is gone; anything else — 3xx (redirects are never followed), 4xx, 5xx, a timeout,
 * a refused target — is a retry, with the receiver's Retry-After when it gives one.
 */
export async function attemptDelivery(options: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allow?: AllowList;
}): Promise<AttemptOutcome> {
  let target;
  try {
    target = await checkTarget(options.url, { allow: options.allow });
  } catch (error) {
    return { kind: 'retry', status: 0, reason: (error as Error).message, retryAfterMs: null };
  }
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(
        null,
        [{ address: target.address, family: target.family }],
      );
    } else {
      callback(null, target.address, target.family);
    }
  };
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    const outgoing = request(
      target.url,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
        lookup: pinned,
        timeout: options.timeoutMs,
      },
      (response: IncomingMessage) => {
        response.resume(); // the body is not needed; drain it so the socket is freed
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ kind: 'delivered', status });
        else if (status === 410)
          resolve({ kind: 'gone', status, reason: 'the endpoint answered 410 Gone' });
        else {
          resolve({
            kind: 'retry',
            status,
            reason:
              status >= 300 && status < 400
                ? `answered ${status}: redirects are not followed`
                : `answered ${status}`,
            retryAfterMs: retryAfter(response.headers['retry-after']),
          });
        }
      },
    );
    outgoing.on('timeout', () => {
      outgoing.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    });
    outgoing.on('error', (error) => {
      resolve({ kind: 'retry', status: 0, reason: error.message, retryAfterMs: null });
    });
    outgoing.end(options.body);
  });
}

/** Retry-After in seconds or as an HTTP date, in ms from now; null when absent or bad. */
export function retryAfter(value: string | undefined, nowMs = Date.now()): number | null {
  if (value === undefined) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
