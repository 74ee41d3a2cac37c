/**
 * Versions for ReplacingMergeTree rows written more than once: microseconds of wall
 * time, never twice the same (nor going back) within this process, so the newest write
 * of a row wins even when two land in the same millisecond.
 */
let lastVersion = 0n;

export function nextVersion(nowMs: number = Date.now()): string {
  const candidate = BigInt(Math.floor(nowMs)) * 1000n;
  lastVersion = candidate > lastVersion ? candidate : lastVersion + 1n;
  return String(lastVersion);
}
