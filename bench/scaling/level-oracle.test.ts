import { describe, expect, it } from 'vitest';
import { createDetector } from '../../detector/index.ts';
import { centredMean, LEVEL_ROWS } from './forecast-errors.ts';
import { createLevelOracle } from './level-oracle.ts';

const STEP_MS = 5 * 60_000;
const ROWS = 60;
const timestampsMs = Array.from({ length: ROWS }, (_, row) => row * STEP_MS);
/** A rising level with a zig-zag on top, so the level of a row differs from the row. */
const values = timestampsMs.map((_, row) => 100 + 5 * row + (row % 2 === 0 ? 20 : -20));

describe('createLevelOracle', () => {
  it('forecasts the mean of the rows around each future row, and moves the band with it', () => {
    const oracle = createLevelOracle({ timestampsMs, values });
    const detector = createDetector();
    for (let row = 0; row < 30; row++) {
      oracle.update(timestampsMs[row]!, values[row]!);
      detector.update(timestampsMs[row]!, values[row]!);
    }
    const points = oracle.forecast(3);
    const plain = detector.forecast(3);
    expect(points.map((point) => point.timestampMs)).toEqual([30, 31, 32].map((r) => r * STEP_MS));
    points.forEach((point, index) => {
      const row = 30 + index;
      expect(point.expected).toBeCloseTo(centredMean(values, row), 9);
      // The level of a row leaves the row out: here it is the rising line without the zig-zag.
      expect(point.expected).toBeCloseTo(100 + 5 * row, 9);
      expect(point.upper - point.expected).toBeCloseTo(
        plain[index]!.upper - plain[index]!.expected,
        9,
      );
    });
  });

  it("scores each row against its level, and keeps the detector's forecast past the trace", () => {
    const oracle = createLevelOracle({ timestampsMs, values });
    let last = { expected: 0 };
    for (let row = 0; row < ROWS; row++) last = oracle.update(timestampsMs[row]!, values[row]!);
    expect(last.expected).toBeCloseTo(centredMean(values, ROWS - 1), 9);
    // Near the end fewer rows follow: the mean is of those there are.
    const tail = values.slice(ROWS - 1 - LEVEL_ROWS, ROWS - 1);
    expect(last.expected).toBeCloseTo(tail.reduce((a, b) => a + b, 0) / tail.length, 9);
    const beyond = oracle.forecast(1)[0]!;
    expect(beyond.timestampMs).toBe(ROWS * STEP_MS);
    const detector = createDetector();
    detector.updateBatch(timestampsMs, values);
    expect(beyond.expected).toBe(detector.forecast(1)[0]!.expected);
  });
});
