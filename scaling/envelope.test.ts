import { describe, expect, it } from 'vitest';
import { createForecastErrors, envelopeReplicas, ERROR_WINDOW } from './envelope.ts';

/** 90 errors of 0 and 10 of +20: demand runs 20 above its forecast one step in ten. */
function tenPercentSpikes() {
  const errors = createForecastErrors();
  for (let index = 0; index < 100; index++) errors.add(index % 10 === 9 ? 20 : 0);
  return errors;
}

describe('forecast errors', () => {
  it('keeps only the latest ERROR_WINDOW errors and counts the share above a value', () => {
    const errors = createForecastErrors();
    for (let error = 0; error < ERROR_WINDOW + 12; error++) errors.add(error);
    expect(errors.size).toBe(ERROR_WINDOW);
    // 0..11 have left; 12..299 remain.
    expect(errors.shareAbove(11.5)).toBe(1);
    expect(errors.shareAbove(12)).toBe((ERROR_WINDOW - 1) / ERROR_WINDOW);
    expect(errors.shareAbove(150)).toBe(149 / ERROR_WINDOW);
    expect(errors.shareAbove(ERROR_WINDOW + 11)).toBe(0);
    expect(errors.toJSON()[0]).toBe(12);
  });

  it('evicts the oldest copy of a repeated error and ignores non-finite ones', () => {
    const errors = createForecastErrors();
    errors.add(5);
    for (let index = 1; index < ERROR_WINDOW; index++) errors.add(1);
    errors.add(Number.NaN);
    errors.add(Number.POSITIVE_INFINITY);
    expect(errors.size).toBe(ERROR_WINDOW);
    expect(errors.shareAbove(4)).toBe(1 / ERROR_WINDOW);
    errors.add(1); // the 5 is the oldest and leaves
    expect(errors.shareAbove(4)).toBe(0);
    expect(errors.shareAbove(0)).toBe(1);
  });

  it('resumes from its JSON with the same errors in the same order', () => {
    const errors = tenPercentSpikes();
    const resumed = createForecastErrors(errors.toJSON());
    expect(resumed.toJSON()).toEqual(errors.toJSON());
    expect(resumed.shareAbove(10)).toBe(0.1);
    expect(createForecastErrors().shareAbove(0)).toBe(0);
  });
});

describe('envelope replicas', () => {
  const base = { expected: 95, capacityPerReplica: 10, floor: 10, maxReplicas: 100 };

  it('runs the cheapest count: two replicas that end a 10% risk beat none, one does not', () => {
    const errors = tenPercentSpikes();
    // 10 replicas serve 100: outrun when the error exceeds 5 (10%); 11 serve 110, still 10%;
    // 12 serve 120, never. At 0.04 a replica, 2 × 0.04 < 0.1.
    expect(envelopeReplicas({ ...base, errors, riskPerReplica: 0.04 })).toEqual({
      replicas: 12,
      risk: 0,
    });
    // At 0.06 a replica the two cost more than the risk they take away.
    expect(envelopeReplicas({ ...base, errors, riskPerReplica: 0.06 })).toEqual({
      replicas: 10,
      risk: 0.1,
    });
  });

  it('stops where further replicas take away less risk than they cost', () => {
    // Demand exceeds the forecast by 10 (20%), 30 (6%) or 100 (24%) of the time.
    const errors = createForecastErrors([
      ...new Array<number>(50).fill(0),
      ...new Array<number>(20).fill(10),
      ...new Array<number>(6).fill(30),
      ...new Array<number>(24).fill(100),
    ]);
    // Risk by count: 10 → 0.5, 11 → 0.3, 12 → 0.3, 13 to 19 → 0.24, 20 → 0. At 0.04 a
    // replica, 11 (0.3 + 0.04) beats 13 (0.24 + 0.12) and 20 (0 + 0.4).
    expect(envelopeReplicas({ ...base, errors, riskPerReplica: 0.04 })).toEqual({
      replicas: 11,
      risk: 0.3,
    });
    // At 0.01 a replica, covering everything (0.1) is the cheapest.
    expect(envelopeReplicas({ ...base, errors, riskPerReplica: 0.01 })).toEqual({
      replicas: 20,
      risk: 0,
    });
  });

  it('adds nothing to a calm series, never goes below the floor, leaves a costly rise alone', () => {
    const calm = createForecastErrors();
    for (let index = 0; index < 100; index++) calm.add(index % 2 === 0 ? 1 : -1);
    expect(envelopeReplicas({ ...base, errors: calm, riskPerReplica: 0.001 }).replicas).toBe(10);
    // A floor above what the forecast needs stays as it is.
    expect(
      envelopeReplicas({ ...base, floor: 30, errors: tenPercentSpikes(), riskPerReplica: 0.001 })
        .replicas,
    ).toBe(30);
    // Certain to outrun 18 replicas (180), never 19: worth 18 × 0.01 of the certain outrun.
    const rise = { ...base, expected: 185, floor: 1, errors: calm };
    expect(envelopeReplicas({ ...rise, riskPerReplica: 0.01 })).toEqual({ replicas: 19, risk: 0 });
    // Not when 18 replicas cost more than the outrun, nor when a maximum of 18 cannot
    // prevent it: the rise is left to the reactive HPA.
    expect(envelopeReplicas({ ...rise, riskPerReplica: 0.06 })).toEqual({ replicas: 1, risk: 1 });
    expect(envelopeReplicas({ ...rise, riskPerReplica: 0.01, maxReplicas: 18 })).toEqual({
      replicas: 1,
      risk: 1,
    });
  });
});
