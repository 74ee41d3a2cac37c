import { describe, expect, it } from 'vitest';
import { simulate, type Controller } from './simulator.ts';

const MINUTE = 60_000;

/** Demand 10 for ten minutes, then 20 for ten minutes (the last row ends the trace). */
const STEP_UP = {
  timestampsMs: [0, 5, 10, 15, 20].map((minutes) => minutes * MINUTE),
  values: [10, 10, 20, 20, 0],
  perReplica: 1,
  startupDelayMs: 3 * MINUTE,
  tickMs: 15_000,
  rateWindowMs: MINUTE,
  initialReplicas: 10,
};

/** Asks for as many replicas as the observed rate needs. */
const following: Controller = {
  learn: () => {},
  decide: (_, __, rate) => Math.ceil(rate),
};

describe('scaling simulator', () => {
  it('charges the detection lag plus the start-up delay to a controller that follows the rate', () => {
    const result = simulate({ ...STEP_UP, controller: following });
    // Demand doubles at 10:00. The 1-minute rate shows all of it at 11:00; earlier ticks add
    // replicas ready from 13:15 on, the last ones asked at 11:00 are ready at 14:00.
    expect(result.underProvisionedMinutes).toBe(4);
    expect(result.minutes).toBe(20);
    // 10 replicas for 10:15 min, then 13 (10:15), 15 (10:30), 18 (10:45), 20 (11:00 on).
    expect(result.replicaHours).toBeCloseTo(
      (10 * 10.25 + 13 * 0.25 + 15 * 0.25 + 18 * 0.25 + 20 * 9) / 60,
      9,
    );
    expect(result.scalingActions).toBe(4);
    expect(result.peakReplicas).toBe(20);
  });

  it('charges nothing to a controller that asks for the rise one start-up delay ahead', () => {
    const ahead: Controller = {
      learn: () => {},
      decide: (nowMs) => (nowMs >= 7 * MINUTE ? 20 : 10),
    };
    const result = simulate({ ...STEP_UP, controller: ahead });
    expect(result.underProvisionedMinutes).toBe(0);
    expect(result.replicaHours).toBeCloseTo((10 * 7 + 20 * 13) / 60, 9);
    expect(result.scalingActions).toBe(1);
  });

  it('removes starting replicas first and counts capacity only once they are ready', () => {
    // Up to 20 at 9:00 (ready at 12:00), back to 10 at 11:00: the starting ones go.
    const flap: Controller = {
      learn: () => {},
      decide: (nowMs) => (nowMs >= 9 * MINUTE && nowMs < 11 * MINUTE ? 20 : 10),
    };
    const result = simulate({ ...STEP_UP, controller: flap });
    // No replica beyond 10 ever became ready: demand 20 is unserved from 10:00 to 20:00.
    expect(result.underProvisionedMinutes).toBe(10);
    expect(result.scalingActions).toBe(2);
  });

  it('lets the controller learn each row only once its interval is over', () => {
    /** [row timestamp, value, time of the first decision after it was learned]. */
    const learned: Array<[number, number, number]> = [];
    const spy: Controller = {
      learn: (timestampMs, value) => learned.push([timestampMs, value, Number.NaN]),
      decide: (nowMs, current) => {
        for (const row of learned) if (Number.isNaN(row[2])) row[2] = nowMs;
        return current;
      },
    };
    simulate({ ...STEP_UP, controller: spy });
    expect(
      learned.map(([timestampMs, value, decidedMs]) => [timestampMs, value, decidedMs]),
    ).toEqual([
      [0, 10, 5 * MINUTE],
      [5 * MINUTE, 10, 10 * MINUTE],
      [10 * MINUTE, 20, 15 * MINUTE],
    ]);
  });
});
