/**
 * Where the predictive scaler's forecast errors come from (`bench:scaling --forecast-errors`).
 * Each row's error (demand minus the detector's forecast made `horizon` rows earlier, from
 * the past only) is the sum of
 *
 *   noise: demand minus the centred mean of the rows around it (LEVEL_ROWS either side), and
 *   level: that centred mean minus the forecast.
 *
 * The centred mean reads the future, so it is the best level any forecast could know: the
 * noise share is what no forecast of the level can remove; the level share (shifts, trend,
 * seasonal phase, the forecaster's lag after a burst) is what a better forecast could.
 */
import { createDetector } from '../../detector/index.ts';

/** Rows either side of a row whose mean is its level: ±30 minutes at the 5-minute step. */
export const LEVEL_ROWS = 6;

/** Sums of squares over the rows scored, in units of the trace's mean demand. */
export interface ErrorShares {
  rows: number;
  /** Σ error², Σ noise², Σ level² (the cross term is the rest). */
  error: number;
  noise: number;
  level: number;
}

export interface ForecastErrorOptions {
  timestampsMs: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Rows ahead the forecast is made (1: the next row; 2: the one after). */
  horizon: number;
}

/** The error decomposition of one trace (rows without a forecast or a full level window are skipped). */
export function forecastErrorShares(options: ForecastErrorOptions): ErrorShares {
  const { timestampsMs, values, horizon } = options;
  if (!(Number.isInteger(horizon) && horizon >= 1)) {
    throw new Error(`horizon must be a whole number of rows from 1 (got ${horizon})`);
  }
  const rows = values.length;
  let mean = 0;
  for (let row = 0; row < rows; row++) mean += values[row]! / rows;
  const unit = mean !== 0 ? Math.abs(mean) : 1;
  // forecasts[t]: the forecast of row t made once rows up to t - horizon were learned.
  const forecasts = new Float64Array(rows).fill(Number.NaN);
  const detector = createDetector();
  for (let row = 0; row < rows; row++) {
    if (row + horizon - 1 < rows) {
      const ahead = detector.forecast(horizon)[horizon - 1];
      if (ahead !== undefined) forecasts[row + horizon - 1] = ahead.expected;
    }
    detector.update(timestampsMs[row]!, values[row]!);
  }
  const shares: ErrorShares = { rows: 0, error: 0, noise: 0, level: 0 };
  for (let row = LEVEL_ROWS; row + LEVEL_ROWS < rows; row++) {
    const forecast = forecasts[row]!;
    if (Number.isNaN(forecast)) continue;
    const level = centredMean(values, row);
    const value = values[row]!;
    shares.rows++;
    shares.error += ((value - forecast) / unit) ** 2;
    shares.noise += ((value - level) / unit) ** 2;
    shares.level += ((level - forecast) / unit) ** 2;
  }
  return shares;
}

/** Mean of the LEVEL_ROWS rows either side of `row` (itself left out; fewer at the ends). */
export function centredMean(values: ArrayLike<number>, row: number): number {
  let sum = 0;
  let count = 0;
  const last = Math.min(values.length - 1, row + LEVEL_ROWS);
  for (let other = Math.max(0, row - LEVEL_ROWS); other <= last; other++) {
    if (other === row) continue;
    sum += values[other]!;
    count++;
  }
  return count > 0 ? sum / count : values[row]!;
}

/** Sums decompositions (each already in units of its own trace's mean). */
export function addShares(into: ErrorShares, from: ErrorShares): void {
  into.rows += from.rows;
  into.error += from.error;
  into.noise += from.noise;
  into.level += from.level;
}

/** Horizons reported: the next row, and the row after it (what a 3-minute start-up needs). */
const HORIZONS = [1, 2];

/** Prints each trace's decomposition at each horizon, the overall one, and `RESULT {json}`. */
export function printForecastErrors(
  traces: ReadonlyArray<{
    name: string;
    timestampsMs: ArrayLike<number>;
    values: ArrayLike<number>;
  }>,
): void {
  const percent = (part: number, whole: number): string =>
    `${whole > 0 ? ((100 * part) / whole).toFixed(0) : '0'}%`.padStart(5);
  const line = (name: string, shares: ErrorShares[]): string =>
    `${name.padEnd(48)}` +
    shares
      .map(
        (s) =>
          `  ${Math.sqrt(s.error / Math.max(s.rows, 1)).toFixed(3)} ${percent(s.noise, s.error)} ${percent(s.level, s.error)}`,
      )
      .join('');
  console.log(
    `forecast errors of the detector's baseline, in units of each trace's mean demand; noise = demand minus its centred ±${LEVEL_ROWS}-row mean, level = that mean minus the forecast`,
  );
  console.log(
    `${'trace'.padEnd(48)}${HORIZONS.map((h) => `  ${`rms(${h})`.padEnd(5)} noise level`).join('')}`,
  );
  const overall = HORIZONS.map((): ErrorShares => ({ rows: 0, error: 0, noise: 0, level: 0 }));
  for (const trace of traces) {
    const shares = HORIZONS.map((horizon) => forecastErrorShares({ ...trace, horizon }));
    shares.forEach((s, index) => addShares(overall[index]!, s));
    console.log(line(trace.name, shares));
  }
  console.log(line('overall', overall));
  const result = Object.fromEntries(
    HORIZONS.map((horizon, index) => {
      const s = overall[index]!;
      return [
        `horizon${horizon}`,
        {
          rows: s.rows,
          rmsError: Number(Math.sqrt(s.error / Math.max(s.rows, 1)).toFixed(4)),
          noiseShare: Number((s.noise / s.error).toFixed(4)),
          levelShare: Number((s.level / s.error).toFixed(4)),
        },
      ];
    }),
  );
  console.log(`RESULT ${JSON.stringify({ traces: traces.length, forecastErrors: result })}`);
}
