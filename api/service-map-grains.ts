import type { TimeRange } from './time-range.ts';

const MINUTE_MS = 60_000;
const TEN_MINUTES_MS = 10 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * A coarser row is read once its interval closed this long ago: the minutes stop changing
 * about 4 minutes after they close, and the 10-minute and hourly views rebuild every 2 and
 * 5 minutes; a row read earlier could miss minutes.
 */
export const SETTLED_MS = { tenMinutes: 10 * MINUTE_MS, hour: 15 * MINUTE_MS } as const;

/** Unix seconds, start inclusive, end exclusive; empty when equal. */
export interface Interval {
  from: number;
  to: number;
}

/** Which rows of the three rollups cover a range, without overlap or gap. */
export interface MapGrains {
  hours: Interval;
  tenMinutes: [Interval, Interval];
  minutes: [Interval, Interval, Interval, Interval];
}

/** The whole `sizeMs` intervals inside [fromMs, toMs) that closed by `settledMs`; empty at fromMs if none. */
function whole(fromMs: number, toMs: number, sizeMs: number, settledMs: number) {
  const first = Math.ceil(fromMs / sizeMs) * sizeMs;
  const end = Math.floor(Math.min(toMs, settledMs) / sizeMs) * sizeMs;
  return end > first ? { from: first, to: end } : { from: fromMs, to: fromMs };
}

const seconds = (fromMs: number, toMs: number): Interval => ({
  from: fromMs / 1000,
  to: Math.max(fromMs, toMs) / 1000,
});

/**
 * Splits a range into the coarsest rows that cover it: whole settled hours, then whole
 * settled 10 minutes on either side, then minutes for what is left (the range starts at
 * the minute `from` falls in and ends at `to`, as the minute rows always did).
 */
export function mapGrains(range: TimeRange, nowMs: number): MapGrains {
  const fromMs = Math.floor(range.fromMs / MINUTE_MS) * MINUTE_MS;
  const toMs = Math.floor(range.toMs / 1000) * 1000;
  const hours = whole(fromMs, toMs, HOUR_MS, nowMs - SETTLED_MS.hour);
  const tensSettled = nowMs - SETTLED_MS.tenMinutes;
  const before = whole(fromMs, hours.from, TEN_MINUTES_MS, tensSettled);
  const after = whole(hours.to, toMs, TEN_MINUTES_MS, tensSettled);
  return {
    hours: seconds(hours.from, hours.to),
    tenMinutes: [seconds(before.from, before.to), seconds(after.from, after.to)],
    minutes: [
      seconds(fromMs, before.from),
      seconds(before.to, hours.from),
      seconds(hours.to, after.from),
      seconds(after.to, toMs),
    ],
  };
}
