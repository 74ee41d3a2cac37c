import { describe, expect, it } from 'vitest';
import { agreedScore, type AgreementTuning } from './agreement.ts';

const TUNING: AgreementTuning = { level: 0.3, bonus: 0.3 };

describe('agreement of views', () => {
  it('raises the strongest score by the bonus share when another view is elevated too', () => {
    // A forecast miss (0.4) and a novel step (0.35), each under 0.5, reach it together.
    expect(agreedScore([0.4, 0.35], TUNING)).toBeCloseTo(0.52, 12);
    expect(agreedScore([0.35, 0.4], TUNING)).toBeCloseTo(0.52, 12);
  });

  it('keeps the strongest score as it is when no other view reaches the level', () => {
    expect(agreedScore([0.4, 0.29], TUNING)).toBe(0.4);
    expect(agreedScore([0.2, 0.1], TUNING)).toBe(0.2);
    expect(agreedScore([0.9], TUNING)).toBe(0.9);
    expect(agreedScore([0, 0], TUNING)).toBe(0);
  });

  it('adds one bonus per other elevated view, closing at most half the gap to 1', () => {
    expect(agreedScore([0.4, 0.3, 0.3], TUNING)).toBeCloseTo(0.64, 12);
    expect(agreedScore([0.9, 0.8], TUNING)).toBeCloseTo(0.95, 12);
    // So a score halved in the rest after an alarm stays below 0.5.
    expect(agreedScore([0.999, 0.999], TUNING) / 2).toBeLessThan(0.5);
    expect(agreedScore([1, 1], TUNING)).toBe(1);
  });
});
