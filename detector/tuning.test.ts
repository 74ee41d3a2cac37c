import { describe, expect, it } from 'vitest';
import { calmSeries } from '../test/support/calm-series.ts';
import {
  createDetector,
  DEFAULT_ENGINE_TUNING,
  DEFAULT_THRESHOLD,
  engineTuning,
  restoreDetector,
  type EngineTuningOverrides,
} from './index.ts';

/** The calm series of `length` points, then a point at `spike`. */
function waveThen(length: number, spike: number): { times: number[]; values: number[] } {
  const { times, values } = calmSeries(length);
  times.push(Date.UTC(2026, 0, 1) + length * 300_000);
  values.push(spike);
  return { times, values };
}

describe('engine tuning', () => {
  it('fills what is not overridden from the shipped defaults, nested objects as a whole', () => {
    expect(engineTuning()).toEqual(DEFAULT_ENGINE_TUNING);
    const tuning = engineTuning({ restPoints: 5, agreement: { level: 0.4, bonus: 0 } });
    expect(tuning).toEqual({
      ...DEFAULT_ENGINE_TUNING,
      restPoints: 5,
      agreement: { level: 0.4, bonus: 0 },
    });
  });

  it('rejects a constant out of range, naming it', () => {
    const bad: Array<[EngineTuningOverrides, RegExp]> = [
      [{ halfSurprise: 0 }, /halfSurprise must be a finite number > 0 \(got 0\)/],
      [{ youngPoints: -1 }, /youngPoints must be a finite number >= 0/],
      [{ restPoints: 2.5 }, /restPoints must be a whole number >= 0 \(got 2.5\)/],
      [{ residualWeight: 1.5 }, /residualWeight must be at most 1/],
      [
        { extremeMargins: { ...DEFAULT_ENGINE_TUNING.extremeMargins, mean: Number.NaN } },
        /extremeMargins.mean must be a finite number > 0 \(got NaN\)/,
      ],
    ];
    for (const [overrides, message] of bad) {
      expect(() => createDetector({ tuning: overrides })).toThrow(message);
    }
  });

  it('scores exactly as the defaults when given the defaults', () => {
    const { times, values } = waveThen(1500, 70);
    const plain = createDetector().updateBatch(times, values);
    const tuned = createDetector({ tuning: { ...DEFAULT_ENGINE_TUNING } }).updateBatch(
      times,
      values,
    );
    expect(tuned).toEqual(plain);
  });

  it('changes the score by the constant given, and keeps it after a restore', () => {
    const { times, values } = waveThen(1000, 65);
    // At a daily peak (index 1224), just above the highest value seen: an ordinary
    // residual, news to the range's view only.
    const top = Math.max(...waveThen(1224, 0).values.slice(0, -1));
    const nearTop = waveThen(1224, top + 0.3);
    const lastScore = (overrides: EngineTuningOverrides): number =>
      createDetector({ tuning: overrides }).updateBatch(nearTop.times, nearTop.values).at(-1)!
        .score;
    // The same new extreme needs to go further to score as much with a wider margin.
    const margins = DEFAULT_ENGINE_TUNING.extremeMargins;
    const wide = lastScore({ extremeMargins: { ...margins, value: margins.value * 20 } });
    expect(lastScore({})).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(wide).toBeLessThan(DEFAULT_THRESHOLD);

    // Without a rest after an alarm a second, higher extreme alarms too. The tuning is not
    // in the saved state: a detector restored with it rests as little as the original.
    const learned = createDetector({ tuning: { restPoints: 0 } });
    learned.updateBatch(times.slice(0, -1), values.slice(0, -1));
    const secondAlarm = (detector: ReturnType<typeof createDetector>): number => {
      expect(detector.update(times.at(-1)!, 65).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
      return detector.update(times.at(-1)! + 300_000, 70).score;
    };
    const state = learned.toJSON();
    expect(
      secondAlarm(restoreDetector(state, { tuning: { restPoints: 0 } })),
    ).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(secondAlarm(restoreDetector(state))).toBeLessThan(DEFAULT_THRESHOLD);
    expect(secondAlarm(learned)).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });
});
