import type { TimeRange } from './time-range.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * An hour is read from the hourly rollup once it closed this long ago: its minutes stop
 * changing 3 minutes after it closes and the hourly refresh runs every 5 minutes.
 */
export const HOURLY_SETTLED_MS = 15 * MINUTE_MS;

/** Which rows of the two rollups cover a range, Unix seconds, start inclusive, end exclusive. */
export interface MapGrains {
  /** First minute of the range (the minute `from` falls in). */
  minuteFrom: number;
  /** Whole, settled hours [hourFrom, hourTo) come from the hourly rollup; empty when equal. */
  hourFrom: number;
  hourTo: number;
  /** Minutes before `to`: [minuteFrom, hourFrom) and [hourTo, minuteTo) come from the minutes. */
  minuteTo: number;
}

/**
 * Splits a range into the coarsest rows that cover it: whole settled hours from the hourly
 * rollup, the ragged ends (and any hour not yet settled at `nowMs`) from the minute one.
 */
export function mapGrains(range: TimeRange, nowMs: number): MapGrains {
  const minuteFromMs = Math.floor(range.fromMs / MINUTE_MS) * MINUTE_MS;
  const minuteFrom = minuteFromMs / 1000;
  const minuteTo = Math.floor(range.toMs / 1000);
  const hourFromMs = Math.ceil(minuteFromMs / HOUR_MS) * HOUR_MS;
  const hourToMs = Math.floor(Math.min(range.toMs, nowMs - HOURLY_SETTLED_MS) / HOUR_MS) * HOUR_MS;
  if (hourToMs <= hourFromMs)
    return { minuteFrom, hourFrom: minuteFrom, hourTo: minuteFrom, minuteTo };
  return { minuteFrom, hourFrom: hourFromMs / 1000, hourTo: hourToMs / 1000, minuteTo };
}
