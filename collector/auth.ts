import { timingSafeEqual } from 'node:crypto';

/** True when an `Authorization` header carries `Bearer <key>`; constant-time in the key. */
export function bearerMatches(header: string | undefined, key: string): boolean {
  if (!header) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
