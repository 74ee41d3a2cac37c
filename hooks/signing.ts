import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Standard Webhooks signing (the standardwebhooks.com specification): HMAC-SHA256 over
 * `${id}.${timestamp}.${body}` with the decoded bytes of a `whsec_` secret, sent as
 * `webhook-signature: v1,<base64>`; several secrets sign at once while one is rotated.
 * Pure: no I/O besides the random source.
 */

const SECRET_PREFIX = 'whsec_';
/** Key length of new secrets, bytes (the spec allows 24 to 64). */
const SECRET_BYTES = 32;

/** Thrown for a secret that is not `whsec_` + base64 of 24–64 bytes. */
export class SecretFormatError extends Error {
  override readonly name = 'SecretFormatError';
}

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** A message id for `webhook-id`: the same on every attempt of one event. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new SecretFormatError(`a webhook secret starts with "${SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length < 24 || key.length > 64) {
    throw new SecretFormatError(
      `a webhook secret is "${SECRET_PREFIX}" followed by base64 of 24 to 64 bytes`,
    );
  }
  return key;
}

export interface SignedMessage {
  /** `webhook-id`: the receiver's idempotency key. */
  id: string;
  /** `webhook-timestamp`: unix seconds of this attempt. */
  timestampSeconds: number;
  /** The exact body bytes that are sent. */
  body: string;
}

/** The `webhook-signature` header value: one `v1,<base64>` per secret, space-separated. */
export function signatureHeader(message: SignedMessage, secrets: readonly string[]): string {
  if (secrets.length === 0) throw new SecretFormatError('at least one secret is needed to sign');
  const content = `${message.id}.${message.timestampSeconds}.${message.body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content).digest('base64')}`)
    .join(' ');
}

/** The three Standard Webhooks headers for one delivery attempt, plus the content type. */
export function webhookHeaders(
  message: SignedMessage,
  secrets: readonly string[],
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestampSeconds),
    'webhook-signature': signatureHeader(message, secrets),
  };
}
