/**
 * A forecaster that knows the level ahead (`bench:scaling --level-oracle`): the detector
 * engine, with each expected value replaced by the mean of the rows around it in the trace
 * (centredMean: LEVEL_ROWS either side, the row itself left out), future rows included.
 * No real forecaster can do this; what it buys over the detector's forecast is the most any
 * better forecast of the level could buy. The noise of the row itself stays unknown.
 */
import { createDetector, type Detector, type Verdict } from '../../detector/index.ts';
import { centredMean } from './forecast-errors.ts';

export interface LevelOracleOptions {
  timestampsMs: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** The detector engine, its expected values (and bands with them) moved to the trace's level. */
export function createLevelOracle(options: LevelOracleOptions): Detector {
  const { timestampsMs, values } = options;
  const rowOf = new Map<number, number>();
  for (let row = 0; row < timestampsMs.length; row++) rowOf.set(timestampsMs[row]!, row);
  const detector = createDetector();
  /** A verdict or forecast point moved to the level at its time (outside the trace: as is). */
  const moved = <T extends { expected: number; lower: number; upper: number }>(
    timestampMs: number,
    point: T,
  ): T => {
    const row = rowOf.get(timestampMs);
    if (row === undefined) return point;
    const shift = centredMean(values, row) - point.expected;
    return {
      ...point,
      expected: point.expected + shift,
      lower: point.lower + shift,
      upper: point.upper + shift,
    };
  };
  return {
    update: (timestampMs, value): Verdict =>
      moved(timestampMs, detector.update(timestampMs, value)),
    updateBatch: (times, points) =>
      detector.updateBatch(times, points).map((verdict, index) => moved(times[index]!, verdict)),
    forecast: (steps) => detector.forecast(steps).map((point) => moved(point.timestampMs, point)),
    rest: () => detector.rest(),
    toJSON: () => detector.toJSON(),
  };
}
