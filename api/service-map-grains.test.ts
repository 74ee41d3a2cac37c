import { describe, expect, it } from 'vitest';
import { HOURLY_SETTLED_MS, mapGrains } from './service-map-grains.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T00:00:00Z');
const seconds = (ms: number) => ms / 1000;

describe('mapGrains splits a range between the hourly and the minute rollup', () => {
  it('reads whole settled hours hourly and the ragged ends by the minute', () => {
    const range = { fromMs: T0 + 17 * 60_000 + 30_000, toMs: T0 + 5 * HOUR + 23 * 60_000 };
    expect(mapGrains(range, T0 + 24 * HOUR)).toEqual({
      minuteFrom: seconds(T0 + 17 * 60_000),
      hourFrom: seconds(T0 + HOUR),
      hourTo: seconds(T0 + 5 * HOUR),
      minuteTo: seconds(T0 + 5 * HOUR + 23 * 60_000),
    });
  });

  it('leaves an hour that closed less than the settling time ago to the minutes', () => {
    const range = { fromMs: T0, toMs: T0 + 3 * HOUR };
    const grains = mapGrains(range, T0 + 3 * HOUR + HOURLY_SETTLED_MS - 1);
    expect(grains.hourTo).toBe(seconds(T0 + 2 * HOUR));
    expect(mapGrains(range, T0 + 3 * HOUR + HOURLY_SETTLED_MS).hourTo).toBe(seconds(T0 + 3 * HOUR));
  });

  it('reads a range without a whole settled hour from the minutes alone', () => {
    const inside = mapGrains({ fromMs: T0 + 60_000, toMs: T0 + HOUR + 60_000 }, T0 + 9 * HOUR);
    expect(inside.hourFrom).toBe(inside.hourTo);
    expect(inside).toMatchObject({
      minuteFrom: seconds(T0 + 60_000),
      minuteTo: seconds(T0 + HOUR + 60_000),
    });
    const recent = mapGrains({ fromMs: T0, toMs: T0 + 2 * HOUR }, T0 + 2 * HOUR);
    expect(recent).toMatchObject({ hourFrom: seconds(T0), hourTo: seconds(T0 + HOUR) });
    const unsettled = mapGrains({ fromMs: T0, toMs: T0 + HOUR }, T0 + HOUR);
    expect(unsettled.hourFrom).toBe(unsettled.hourTo);
  });
});
