import { describe, expect, it } from 'vitest';
import { createDetector, DEFAULT_THRESHOLD } from '../index.ts';
import { stepAlarm } from './evaluator.ts';
import { confirmMetricAlarm } from './scoring.ts';

describe('stepAlarm', () => {
  const band = { lower: 90, upper: 110 };

  it('alarms on a high score outside the band, keeps a low one as a plain anomaly', () => {
    expect(stepAlarm({ ...band, score: 0.9 }, 130, DEFAULT_THRESHOLD)).toBe(true);
    expect(stepAlarm({ ...band, score: 0.2 }, 130, DEFAULT_THRESHOLD)).toBe(false);
    expect(stepAlarm({ ...band, score: 0.9 }, 70, DEFAULT_THRESHOLD)).toBe(true);
  });

  it('alarms only the way the signal is bad', () => {
    const high = { ...band, score: 0.9 };
    expect(stepAlarm(high, 70, DEFAULT_THRESHOLD, 'up')).toBeNull(); // a latency falling: good news
    expect(stepAlarm(high, 130, DEFAULT_THRESHOLD, 'up')).toBe(true);
    expect(stepAlarm(high, 130, DEFAULT_THRESHOLD, 'down')).toBeNull();
    expect(stepAlarm(high, 70, DEFAULT_THRESHOLD, 'down')).toBe(true);
    expect(stepAlarm({ ...band, score: 0.2 }, 70, DEFAULT_THRESHOLD, 'up')).toBeNull();
  });

  it('never alarms inside the band, however high the score', () => {
    expect(stepAlarm({ ...band, score: 0.99 }, 110, DEFAULT_THRESHOLD)).toBeNull();
    expect(stepAlarm({ ...band, score: 0.99 }, 95, DEFAULT_THRESHOLD)).toBeNull();
  });

  it('keeps a steadily growing service quiet although it sets new highs', () => {
    // Two weeks of a daily cycle growing 2% a week, with 5% noise, at one-minute steps.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const detector = createDetector();
    let highScores = 0;
    let alarms = 0;
    for (let i = 0; i < 14 * 1440; i++) {
      const daily = 1 + 0.6 * Math.sin(((i % 1440) / 1440 - 0.25) * 2 * Math.PI);
      const noise = Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
      const value = 100 * daily * (1 + (0.02 * i) / (7 * 1440)) * (1 + 0.05 * noise);
      const verdict = detector.update(Date.UTC(2026, 0, 1) + i * 60_000, value);
      if (i < 7 * 1440) continue;
      if (verdict.score >= DEFAULT_THRESHOLD) highScores++;
      if (stepAlarm(verdict, value, DEFAULT_THRESHOLD)) alarms++;
    }
    expect(highScores).toBeGreaterThan(alarms); // the engine's new extremes, within the band
    expect(alarms).toBeLessThanOrEqual(3);
  });
});

describe('confirmMetricAlarm (a metric alarms on two steps)', () => {
  const band = { expected: 100, lower: 80, upper: 120 };
  const before = (value: number | undefined, scoredHigh = false) => ({ value, scoredHigh });

  it('holds back a step that alarms alone, and alarms when two in a row are out', () => {
    expect(confirmMetricAlarm(true, 150, band, before(100))).toBe(false);
    expect(confirmMetricAlarm(true, 150, band, before(undefined))).toBe(false);
    // The step before was out of the band too (120 is its edge) and this one scores high …
    expect(confirmMetricAlarm(true, 150, band, before(121))).toBe(true);
    // … not when it was only halfway out: a lone spike after an ordinary high reading.
    expect(confirmMetricAlarm(true, 150, band, before(115))).toBe(false);
    // … or the step before scored high and this one, out of the band, does not (a level
    // held is no new extreme).
    expect(confirmMetricAlarm(false, 150, band, before(150, true))).toBe(true);
    expect(confirmMetricAlarm(false, 150, band, before(150, false))).toBe(false);
  });

  it('takes the side of the step judged, and leaves steps inside the band alone', () => {
    expect(confirmMetricAlarm(true, 50, band, before(75))).toBe(true);
    expect(confirmMetricAlarm(true, 50, band, before(85))).toBe(false);
    expect(confirmMetricAlarm(true, 50, band, before(125))).toBe(false);
    expect(confirmMetricAlarm(null, 100, band, before(150, true))).toBeNull();
  });
});
