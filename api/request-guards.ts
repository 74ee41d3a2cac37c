import { isIP } from 'node:net';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors.ts';

export interface RequestGuardOptions {
  /** Largest request body read, bytes; larger ones get 413 while arriving. */
  maxBodyBytes: number;
  /**
   * When true (no API key set), the browser defences run: the Host check, and on
   * state-changing requests the JSON content type and the Origin check.
   */
  browserDefences: boolean;
  /** Host names this server answers to besides localhost and IP addresses. */
  allowedHosts: readonly string[];
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Guards every route: a body limit, and while no API key is set, what keeps a web page
 * the user visits from driving the API: a DNS-rebinding name in `Host` is refused (any
 * IP address, localhost and the configured names pass), and a state-changing request
 * must come from this origin (no foreign `Origin`, no `Sec-Fetch-Site: cross-site`) and
 * carry JSON, which a cross-site form cannot send without a CORS preflight opsless never
 * answers. (OWASP CSRF cheat sheet: verifying origin with standard headers.)
 */
export function registerRequestGuards(app: Hono, options: RequestGuardOptions): void {
  const allowed = new Set(['localhost', ...options.allowedHosts.map(normaliseHost)]);

  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => {
        throw new ApiError(
          413,
          'payload_too_large',
          `the body is larger than ${options.maxBodyBytes} bytes (OPSLESS_API_MAX_BODY_BYTES)`,
        );
      },
    }),
  );

  if (!options.browserDefences) return;

  app.use('*', async (c, next) => {
    const host = normaliseHost(new URL(c.req.url).hostname);
    if (isIP(host) === 0 && !allowed.has(host)) {
      throw new ApiError(
        403,
        'forbidden_host',
        `this server does not answer to the host name "${host}"; add it to OPSLESS_ALLOWED_HOSTS`,
      );
    }
    if (STATE_CHANGING.has(c.req.method)) checkSameOrigin(c.req.raw);
    await next();
  });
}

/** Refuses a state-changing request from another site, or one that is not JSON. */
function checkSameOrigin(request: Request): void {
  const { headers } = request;
  const origin = headers.get('origin');
  if (origin !== null && !sameOrigin(origin, request.url)) {
    throw new ApiError(
      403,
      'forbidden_origin',
      `cross-origin request from ${JSON.stringify(origin)} refused; set OPSLESS_API_KEY to call the API from elsewhere`,
    );
  }
  if (headers.get('sec-fetch-site') === 'cross-site') {
    throw new ApiError(
      403,
      'forbidden_origin',
      'cross-site request refused; set OPSLESS_API_KEY to call the API from elsewhere',
    );
  }
  const type = headers.get('content-type');
  const length = headers.get('content-length');
  const hasBody =
    type !== null || (length !== null && length !== '0') || headers.has('transfer-encoding');
  if (hasBody && !/^application\/json\s*(;|$)/i.test(type ?? '')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'a request with a body must send "Content-Type: application/json"',
    );
  }
}

function sameOrigin(origin: string, requestUrl: string): boolean {
  try {
    // The host alone: a proxy that ends TLS makes the scheme differ for the same site.
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false; // "null" and other opaque origins
  }
}

/** Lower case, without the brackets of an IPv6 literal or a trailing dot. */
function normaliseHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}
