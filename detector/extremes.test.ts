import { describe, expect, it } from 'vitest';
import {
  createExtremeState,
  DEFAULT_EXTREME_TUNING,
  excessScore,
  expectedRecords,
  extremeExcess,
  recordWeight,
  type ExtremeTuning,
} from './extremes.ts';

const NO_FADE: ExtremeTuning = { warmup: 10, fadeRate: 0, recordRate: 0.0003 };

/** Feeds `values` and returns the excess of each. */
function feed(values: number[], tuning: ExtremeTuning, state = createExtremeState()): number[] {
  return values.map((value) => extremeExcess(state, value, tuning));
}

describe('extremes', () => {
  it('scores nothing while warming up, however far a value strays', () => {
    const excesses = feed([0, 10, 0, 10, 0, 1000, -1000, 5, 5, 5], NO_FADE);
    expect(excesses).toEqual(new Array(10).fill(0));
  });

  it('measures a new high or low beyond the range seen, as a fraction of that range', () => {
    const state = createExtremeState();
    feed([0, 10, 2, 8, 4, 6, 5, 5, 5, 5, 5, 5], NO_FADE, state);
    expect(extremeExcess(state, 7, NO_FADE)).toBe(0);
    expect(extremeExcess(state, 12, NO_FADE)).toBeCloseTo(0.2, 12);
    // The high is now 12: the range is 12 wide and -3 lies a quarter of it below.
    expect(extremeExcess(state, -3, NO_FADE)).toBeCloseTo(0.25, 12);
    expect(extremeExcess(state, 11, NO_FADE)).toBe(0);
  });

  it('forgets an old extreme: after a long calm, half its height is news again', () => {
    const history = [100, ...new Array<number>(5000).fill(0).map((_, i) => i % 2)];
    const fading = createExtremeState();
    const remembering = createExtremeState();
    const fast = { ...NO_FADE, fadeRate: 1e-3 };
    feed(history, fast, fading);
    feed(history, NO_FADE, remembering);
    expect(extremeExcess(fading, 50, fast)).toBeGreaterThan(1);
    expect(extremeExcess(remembering, 50, NO_FADE)).toBe(0);
  });

  it('has no range on a flat series, so a flat series never divides by zero', () => {
    const excesses = feed(new Array<number>(20).fill(3), NO_FADE);
    expect(excesses.every((excess) => excess === 0)).toBe(true);
  });

  it('maps an excess equal to the margin to 0.5 and stays below 1', () => {
    expect(excessScore(0.01, 0.01)).toBe(0.5);
    expect(excessScore(0, 0.01)).toBe(0);
    expect(excessScore(1e9, 0.01)).toBeLessThan(1);
  });

  it('weighs a record by how rare records have been: in full for a steady series, not for a climbing one', () => {
    const steady = createExtremeState();
    const climbing = createExtremeState();
    let seed = 5;
    const noise = Array.from({ length: 10_000 }, () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    });
    feed(noise, DEFAULT_EXTREME_TUNING, steady);
    feed(
      Array.from({ length: 10_000 }, (_, i) => i),
      DEFAULT_EXTREME_TUNING,
      climbing,
    );
    // Noise that fills its range sets a record now and then, as the range fades a little.
    expect(steady.records).toBeLessThan(0.01);
    expect(recordWeight(steady, 4)).toBeGreaterThan(0.5);
    expect(climbing.records).toBeGreaterThan(0.99);
    expect(recordWeight(climbing, 4)).toBeLessThan(0.01);
    // One record lifts the share by the smoothing rate, no more.
    const before = steady.records;
    extremeExcess(steady, 100, DEFAULT_EXTREME_TUNING);
    expect(steady.records - before).toBeCloseTo(
      DEFAULT_EXTREME_TUNING.recordRate * (1 - before),
      12,
    );
  });

  it('expects about 2 ln n / n records of n steady points', () => {
    expect(expectedRecords(0)).toBe(1);
    expect(expectedRecords(1000)).toBeCloseTo((2 * Math.log(1000)) / 1000, 12);
  });
});
