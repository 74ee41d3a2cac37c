import { describe, expect, it } from 'vitest';
import {
  judgeBurst,
  judgeLogStep,
  LOG_ERRORS_SIGNAL,
  NEW_PATTERN_SIGNAL,
  PATTERN_BURST_SIGNAL,
  type PatternHistory,
  type ServiceLogHistory,
} from './log-judgement.ts';
import { poissonAtLeast } from './count-tails.ts';

const STEP = 60_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const HISTORY: ServiceLogHistory = {
  firstLogMs: NOW - 3 * 3_600_000,
  usualWarnings: 2,
  usualErrors: 1,
  stepMs: STEP,
};

function pattern(overrides: Partial<PatternHistory>): PatternHistory {
  return {
    id: 'p1',
    template: 'payment <*> failed: <*>',
    sample: 'payment 41 failed: timeout',
    firstSeenMs: NOW - 2 * 3_600_000,
    count: 1,
    usualPerStep: 1,
    ...overrides,
  };
}

const judge = (patterns: PatternHistory[], history = HISTORY) =>
  judgeLogStep(history, { timeMs: NOW, warnings: 2, errors: 1, patterns }).anomalies;

describe('log verdicts of one step', () => {
  it('computes Poisson tails', () => {
    expect(poissonAtLeast(0, 3)).toBe(1);
    expect(poissonAtLeast(1, 2)).toBeCloseTo(1 - Math.exp(-2), 10);
    expect(poissonAtLeast(3, 1)).toBeCloseTo(1 - Math.exp(-1) * (1 + 1 + 0.5), 10);
    expect(poissonAtLeast(60, 1)).toBeGreaterThan(0);
    expect(poissonAtLeast(60, 1)).toBeLessThan(1e-80);
  });

  it('calls a count a burst only when rare, large and many times the usual', () => {
    expect(judgeBurst(12, 0.5).burst).toBe(true);
    expect(judgeBurst(9, 0).burst).toBe(false); // too few to page about
    expect(judgeBurst(40, 10).burst).toBe(false); // 4× only
    expect(judgeBurst(4, 1).burst).toBe(false);
  });

  it('opens on a new pattern with a few WARN+ records, naming its template and sample', () => {
    const anomalies = judge([pattern({ firstSeenMs: NOW + 1000, count: 3, usualPerStep: 0 })]);
    expect(anomalies.map((anomaly) => anomaly.signal)).toEqual([NEW_PATTERN_SIGNAL]);
    expect(anomalies[0]!.operation).toContain('payment <*> failed: <*>');
    expect(anomalies[0]!.operation).toContain('payment 41 failed: timeout');
  });

  it('needs a few records and an hour of the service history to call a pattern new', () => {
    expect(judge([pattern({ firstSeenMs: NOW + 1000, count: 2, usualPerStep: 0 })])).toEqual([]);
    const young = { ...HISTORY, firstLogMs: NOW - 30 * 60_000 };
    expect(judge([pattern({ firstSeenMs: NOW + 1000, count: 5 })], young)).toEqual([]);
  });

  it('raises a known pattern far above its rate, not one at its rate', () => {
    const burst = judge([pattern({ count: 30, usualPerStep: 1 })]);
    expect(burst.map((anomaly) => anomaly.signal)).toEqual([PATTERN_BURST_SIGNAL]);
    expect(burst[0]!.upper).toBeLessThan(30);
    expect(judge([pattern({ count: 2, usualPerStep: 1 })])).toEqual([]);
  });

  it('raises the service error rate far above its usual', () => {
    const anomalies = judgeLogStep(HISTORY, {
      timeMs: NOW,
      warnings: 25,
      errors: 25,
      patterns: [],
    }).anomalies;
    expect(anomalies.map((anomaly) => anomaly.signal)).toContain(LOG_ERRORS_SIGNAL);
    expect(anomalies.every((anomaly) => anomaly.alarm)).toBe(true);
  });

  it('lets a pattern, not the rate it is part of, head the incident', () => {
    const anomalies = judgeLogStep(HISTORY, {
      timeMs: NOW,
      warnings: 30,
      errors: 30,
      patterns: [pattern({ count: 30, usualPerStep: 1 })],
    }).anomalies;
    expect(anomalies.filter((anomaly) => anomaly.alarm).map((anomaly) => anomaly.signal)).toEqual([
      PATTERN_BURST_SIGNAL,
    ]);
    expect(anomalies).toHaveLength(3);
  });
});
