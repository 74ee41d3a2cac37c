import { describe, expect, it } from 'vitest';
import { forecastErrorShares } from './forecast-errors.ts';

const STEP_MS = 5 * 60_000;
const ROWS = 2_000;
const timestampsMs = Array.from({ length: ROWS }, (_, row) => row * STEP_MS);

/** Uniform noise in [-1, 1] from a fixed sequence, so the test repeats. */
function noise(rows: number): number[] {
  let state = 1;
  return Array.from({ length: rows }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 2 * (state / 2147483648) - 1;
  });
}

describe('forecastErrorShares', () => {
  it('puts the errors of noise around a steady level in the noise share', () => {
    const values = noise(ROWS).map((n) => 100 + 10 * n);
    const shares = forecastErrorShares({ timestampsMs, values, horizon: 1 });
    expect(shares.rows).toBeGreaterThan(ROWS - 40);
    // The centred mean of 12 noisy rows keeps 1/12 of their noise, and the forecast some of
    // its own: not all of white noise's error lands in the noise share.
    expect(shares.noise / shares.error).toBeGreaterThan(0.8);
    expect(shares.level / shares.error).toBeLessThan(0.25);
    expect(shares.noise).toBeGreaterThan(3 * shares.level);
  });

  it('puts the lag behind a moving level in the level share', () => {
    // A level rising and falling between 100 and 300 over five hours (no daily or weekly
    // season to learn), with a little noise: the forecaster trails the trend.
    const jitter = noise(ROWS);
    const values = timestampsMs.map((_, row) => {
      const phase = (row % 60) / 30;
      return 100 + 200 * (phase <= 1 ? phase : 2 - phase) + jitter[row]!;
    });
    const shares = forecastErrorShares({ timestampsMs, values, horizon: 2 });
    expect(shares.level / shares.error).toBeGreaterThan(0.5);
    expect(shares.level).toBeGreaterThan(2 * shares.noise);
  });

  it('reads errors in units of the mean demand, whatever the scale of the trace', () => {
    const values = noise(ROWS).map((n) => 100 + 10 * n);
    const small = forecastErrorShares({ timestampsMs, values, horizon: 1 });
    const large = forecastErrorShares({
      timestampsMs,
      values: values.map((v) => v * 1000),
      horizon: 1,
    });
    expect(large.error).toBeCloseTo(small.error, 6);
    expect(small.error / small.rows).toBeGreaterThan(0.002);
    expect(small.error / small.rows).toBeLessThan(0.02);
  });

  it('rejects a horizon that is not a whole number of rows from 1', () => {
    expect(() => forecastErrorShares({ timestampsMs, values: [1, 2], horizon: 0 })).toThrow(
      /horizon must be a whole number of rows from 1 \(got 0\)/,
    );
  });
});
