/**
 * Pattern ids: FNV-1a 64 of the template a pattern started with, as 16 hex digits. The
 * same template gets the same id in every process and after every restart, so roles that
 * run apart agree without coordination.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function patternId(template: string): string {
  let hash = OFFSET;
  for (let i = 0; i < template.length; i++) {
    hash ^= BigInt(template.charCodeAt(i));
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}
