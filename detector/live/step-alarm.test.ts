import { describe, expect, it } from 'vitest';
import { createDetector, DEFAULT_THRESHOLD } from '../index.ts';
import { stepAlarm } from './evaluator.ts';
import { confirmedByPrevious, METRIC_LOOKBACK_STEPS } from './scoring.ts';

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

describe('confirmedByPrevious (a metric alarms on two steps)', () => {
  const verdict = { expected: 100, lower: 80, upper: 120 };
  const at = (points: Array<[number, number]>) => new Map(points);

  it('needs the point before at least halfway to the band on the same side', () => {
    expect(
      confirmedByPrevious(
        at([
          [0, 100],
          [10, 150],
        ]),
        10,
        10,
        verdict,
      ),
    ).toBe(false);
    expect(
      confirmedByPrevious(
        at([
          [0, 111],
          [10, 150],
        ]),
        10,
        10,
        verdict,
      ),
    ).toBe(true);
    expect(
      confirmedByPrevious(
        at([
          [0, 109],
          [10, 150],
        ]),
        10,
        10,
        verdict,
      ),
    ).toBe(false);
    expect(
      confirmedByPrevious(
        at([
          [0, 85],
          [10, 50],
        ]),
        10,
        10,
        verdict,
      ),
    ).toBe(true);
    // Halfway on the other side is no support.
    expect(
      confirmedByPrevious(
        at([
          [0, 85],
          [10, 150],
        ]),
        10,
        10,
        verdict,
      ),
    ).toBe(false);
  });

  it('takes the last point the series sent, not more than the lookback before', () => {
    // Exported every 60 s, judged at 10 s steps.
    expect(
      confirmedByPrevious(
        at([
          [0, 130],
          [60, 150],
        ]),
        60,
        10,
        verdict,
      ),
    ).toBe(true);
    const far = (METRIC_LOOKBACK_STEPS + 1) * 10;
    expect(
      confirmedByPrevious(
        at([
          [0, 130],
          [far, 150],
        ]),
        far,
        10,
        verdict,
      ),
    ).toBe(false);
    expect(confirmedByPrevious(at([[10, 150]]), 10, 10, verdict)).toBe(false);
  });
});
