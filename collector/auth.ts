import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A per-process HMAC key: both sides are hashed before the compare, so the compare
// always runs over 32 bytes and neither its time nor an early length check says how
// long the key is, or how much of it a guess got right.
const COMPARE_KEY = randomBytes(32);
const digest = (text: string): Buffer => createHmac('sha256', COMPARE_KEY).update(text).digest();

/** True when `given` equals `expected`, in a time that depends on neither's length or content. */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** True when an `Authorization` header carries `Bearer <key>`; see secretMatches. */
export function bearerMatches(header: string | undefined, key: string): boolean {
  if (!header) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  return secretMatches(match[1]!, key);
}
