import { describe, expect, it } from 'vitest';
import { mapGrains, SETTLED_MS, type Interval } from './service-map-grains.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T00:00:00Z');
/** An interval given in minutes after T0. */
const at = (from: number, to: number): Interval => ({
  from: (T0 + from * MINUTE) / 1000,
  to: (T0 + to * MINUTE) / 1000,
});
const empty = (interval: Interval) => interval.from === interval.to;

describe('mapGrains splits a range between the hourly, 10-minute and minute rollups', () => {
  it('reads whole settled hours, then whole 10 minutes, then the ragged minutes', () => {
    const range = { fromMs: T0 + 17 * MINUTE + 30_000, toMs: T0 + 5 * HOUR + 23 * MINUTE };
    const grains = mapGrains(range, T0 + 24 * HOUR);
    expect(grains.hours).toEqual(at(60, 300));
    expect(grains.tenMinutes).toEqual([at(20, 60), at(300, 320)]);
    expect(grains.minutes.filter((interval) => !empty(interval))).toEqual([
      at(17, 20),
      at(320, 323),
    ]);
  });

  it('covers every minute of a range exactly once, whatever the clock', () => {
    for (let now = T0 + 2 * HOUR; now <= T0 + 8 * HOUR; now += 7 * MINUTE) {
      const range = { fromMs: T0 + 43 * MINUTE, toMs: Math.min(now, T0 + 6 * HOUR + 31 * MINUTE) };
      const { hours, tenMinutes, minutes } = mapGrains(range, now);
      const covered = [hours, ...tenMinutes, ...minutes]
        .filter((interval) => !empty(interval))
        .sort((a, b) => a.from - b.from);
      let cursor = (T0 + 43 * MINUTE) / 1000;
      for (const interval of covered) {
        expect(interval.from).toBe(cursor);
        cursor = interval.to;
      }
      expect(cursor).toBe(range.toMs / 1000);
    }
  });

  it('leaves a row that closed less than its settling time ago to the finer rollup', () => {
    const range = { fromMs: T0, toMs: T0 + 3 * HOUR };
    expect(mapGrains(range, T0 + 3 * HOUR + SETTLED_MS.hour - 1).hours).toEqual(at(0, 120));
    expect(mapGrains(range, T0 + 3 * HOUR + SETTLED_MS.hour).hours).toEqual(at(0, 180));
    const tens = mapGrains(range, T0 + 3 * HOUR + SETTLED_MS.tenMinutes).tenMinutes;
    expect(tens[1]).toEqual(at(120, 180));
  });

  it('reads a range with nothing settled from the minutes alone', () => {
    const grains = mapGrains({ fromMs: T0 + MINUTE, toMs: T0 + 25 * MINUTE }, T0 + 25 * MINUTE);
    expect(empty(grains.hours)).toBe(true);
    expect(grains.tenMinutes.every(empty)).toBe(true);
    expect(grains.minutes.filter((interval) => !empty(interval))).toEqual([at(1, 25)]);
  });
});
