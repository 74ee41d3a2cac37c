import { describe, expect, it } from 'vitest';
import { createDetector, type ForecastPoint } from '../detector/index.ts';
import { createForecastErrors, MIN_ERRORS } from './envelope.ts';
import { predictiveReplicas } from './forecast.ts';
import { parseScalingPolicy, type ScalingPolicy, type ScalingPolicyInput } from './policy.ts';
import { createScaler } from './scaler.ts';

const MINUTE = 60_000;
const STEP = 5 * MINUTE;
const DAY = 1440 * MINUTE;
/** Monday 2024-01-01 00:00 UTC. */
const START = Date.UTC(2024, 0, 1);

/** Requests per second: 100 at night, 400 from 08:00 to 20:00, with ±5% deterministic noise. */
function demandAt(timeMs: number): number {
  const hour = ((timeMs - START) % DAY) / (60 * MINUTE);
  const level = hour >= 8 && hour < 20 ? 400 : 100;
  const step = Math.round((timeMs - START) / STEP);
  const noise = (((step * 7919) % 101) / 100 - 0.5) * 0.1;
  return level * (1 + noise);
}

function policyOf(input: Partial<ScalingPolicyInput>): ScalingPolicy {
  const parsed = parseScalingPolicy({
    minReplicas: 1,
    maxReplicas: 50,
    metrics: [{ type: 'request', target: 100 }],
    predictive: { enabled: true, lookahead: '2h', startupDelay: '3m' },
    ...input,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.policy;
}

describe('detector forecast', () => {
  it("forecasts tomorrow's 08:00 rise from the past only", () => {
    const detector = createDetector();
    // Four days and seven hours: the last point learned is 07:00 on the fifth day.
    const until = START + 4 * DAY + 7 * 60 * MINUTE;
    for (let time = START; time <= until; time += STEP) detector.update(time, demandAt(time));
    const points = detector.forecast(24);
    expect(points).toHaveLength(24);
    expect(points[0]!.timestampMs).toBe(until + STEP);
    expect(points[23]!.timestampMs).toBe(until + 24 * STEP);
    const at = (hour: number, minute: number) =>
      points.find(
        (point) => point.timestampMs === START + 4 * DAY + (hour * 60 + minute) * MINUTE,
      )!;
    expect(at(7, 55).expected).toBeGreaterThan(90);
    expect(at(7, 55).expected).toBeLessThan(110);
    for (const minute of [0, 30, 55]) {
      expect(at(8, minute).expected).toBeGreaterThan(360);
      expect(at(8, minute).expected).toBeLessThan(440);
    }
    for (const point of points) {
      expect(point.lower).toBeLessThanOrEqual(point.expected);
      expect(point.upper).toBeGreaterThanOrEqual(point.expected);
    }
  });

  it('forecasts the next step exactly as the next update expects it, and changes no score', () => {
    const plain = createDetector();
    const asked = createDetector();
    let checked = 0;
    for (let time = START; time < START + 3 * DAY; time += STEP) {
      const next = asked.forecast(3)[0];
      const verdict = asked.update(time, demandAt(time));
      expect(plain.update(time, demandAt(time))).toEqual(verdict);
      if (next) {
        expect(next.timestampMs).toBe(time);
        expect(next.expected).toBe(verdict.expected);
        expect([next.lower, next.upper]).toEqual([verdict.lower, verdict.upper]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(800);
  });

  it('has no forecast before the sampling interval is known, and refuses absurd horizons', () => {
    const detector = createDetector();
    expect(detector.forecast(5)).toEqual([]);
    detector.update(START, 1);
    expect(detector.forecast(5)).toEqual([]);
    expect(() => detector.forecast(-1)).toThrow(/steps must be a whole number/);
    expect(() => detector.forecast(1e6)).toThrow(/steps must be a whole number/);
  });
});

describe('predictive replicas', () => {
  const points: ForecastPoint[] = [
    { timestampMs: 0, expected: 100, lower: 70, upper: 130 },
    { timestampMs: 5 * MINUTE, expected: 300, lower: 270, upper: 330 },
    { timestampMs: 10 * MINUTE, expected: 900, lower: 870, upper: 930 },
  ];
  const policy = policyOf({ metrics: [{ type: 'request', target: 50 }] });

  it('provisions for the highest forecast step that starts before a replica started now is ready', () => {
    const at = (nowMs: number) =>
      predictiveReplicas({ policy, nowMs, forecasts: { request: points } }).replicas;
    // From 1 min, ready at 4 min: only the first step (100 / 50).
    expect(at(MINUTE)).toBe(2);
    // From 2 min, ready at 5 min: the second step begins then (300 / 50).
    expect(at(2 * MINUTE)).toBe(6);
    // From 6 min: the first step is over; the third has not come within reach.
    expect(at(6 * MINUTE)).toBe(6);
    expect(at(7 * MINUTE)).toBe(18);
  });

  describe('with a noise envelope', () => {
    /** Demand 70 above the forecast one step in ten (a replica serves 50 / 0.7 ≈ 71.4). */
    const spiky = () => {
      const errors = createForecastErrors();
      for (let index = 0; index < 100; index++) errors.add(index % 10 === 9 ? 70 : 0);
      return errors;
    };
    const flat = (stepMinutes: number): ForecastPoint[] =>
      [0, 1, 2].map((index) => ({
        timestampMs: index * stepMinutes * MINUTE,
        expected: 300,
        lower: 300,
        upper: 300,
      }));
    const decide = (input: {
      floor?: number;
      riskPerReplica?: number;
      stepMinutes?: number;
      errors?: ReturnType<typeof createForecastErrors>;
    }) =>
      predictiveReplicas({
        policy,
        nowMs: MINUTE,
        forecasts: { request: flat(input.stepMinutes ?? 5) },
        errors: { request: input.errors ?? spiky() },
        ...(input.floor === undefined ? {} : { floor: input.floor }),
        ...(input.riskPerReplica === undefined ? {} : { riskPerReplica: input.riskPerReplica }),
      });

    it('adds to the reactive count the replicas that take away enough risk', () => {
      // 4 replicas (286 at capacity) surely outrun 300; 5 (357) outrun 370 one step in ten;
      // 6 (428) never. Per 5-minute step and 3-minute start-up, 0.05 counts 0.083 a replica.
      expect(decide({ floor: 4, riskPerReplica: 0.05 }).replicas).toBe(6);
      // 0.15 counts 0.25: the fifth replica (0.25 + 0.1 < 1) pays, the sixth does not.
      expect(decide({ floor: 4, riskPerReplica: 0.15 }).replicas).toBe(5);
      // The reactive count is a floor: the envelope only adds.
      expect(decide({ floor: 8, riskPerReplica: 0.05 }).replicas).toBe(8);
      expect(decide({ floor: 4, riskPerReplica: 0.05 }).reasons[0]).toMatch(
        /→ 6, 0\.0% chance recent noise outruns it$/,
      );
    });

    it('asks more of a replica when a step lasts longer than the start-up delay', () => {
      // 3-minute steps, as long as the start-up: 0.065 < 0.1, the sixth replica pays.
      expect(decide({ floor: 1, riskPerReplica: 0.065, stepMinutes: 3 }).replicas).toBe(6);
      // 5-minute steps: it counts 0.065 × 5 / 3 ≈ 0.108 > 0.1, and no longer pays.
      expect(decide({ floor: 1, riskPerReplica: 0.065, stepMinutes: 5 }).replicas).toBe(5);
    });

    it("takes a replica's capacity as its target over the policy's targetShareOfCapacity", () => {
      const exact = createForecastErrors(new Array<number>(MIN_ERRORS).fill(0));
      const at = (targetShareOfCapacity: number) =>
        predictiveReplicas({
          policy: { ...policy, predictive: { ...policy.predictive, targetShareOfCapacity } },
          nowMs: MINUTE,
          forecasts: { request: flat(5) },
          errors: { request: exact },
          floor: 1,
        }).replicas;
      // 300 with forecasts that are never wrong: 50 / 0.5 = 100 a replica, 50 / 1 = 50.
      expect(at(0.5)).toBe(3);
      expect(at(1)).toBe(6);
    });

    it('trusts the envelope from MIN_ERRORS errors; before, the forecast at the target', () => {
      const exact = (count: number) => createForecastErrors(new Array<number>(count).fill(0));
      // 300 at the target of 50 per replica.
      expect(decide({ floor: 1, errors: exact(MIN_ERRORS - 1) }).replicas).toBe(6);
      // Forecasts that are never wrong: 300 at capacity (71.4 per replica).
      expect(decide({ floor: 1, errors: exact(MIN_ERRORS) }).replicas).toBe(5);
    });
  });

  it('takes the largest count over metrics, clamped to maxReplicas; null without a forecast', () => {
    const two = policyOf({
      maxReplicas: 10,
      metrics: [
        { type: 'request', target: 50 },
        { type: 'queue_depth', target: 10 },
      ],
    });
    const queue: ForecastPoint[] = [{ timestampMs: 0, expected: 80, lower: 80, upper: 80 }];
    const both = predictiveReplicas({
      policy: two,
      nowMs: 0,
      forecasts: { request: points, queue_depth: queue },
    });
    expect(both.proposals).toEqual({ request: 2, queue_depth: 8 });
    expect(both.replicas).toBe(8);
    const late = predictiveReplicas({
      policy: two,
      nowMs: 8 * MINUTE,
      forecasts: { request: points },
    });
    expect(late.proposals).toEqual({ request: 18, queue_depth: null });
    expect(late.replicas).toBe(10);
    expect(predictiveReplicas({ policy: two, nowMs: 0, forecasts: {} }).replicas).toBeNull();
  });
});

describe('scaler', () => {
  /** A scaler that learned every 5-minute step before `untilMs` (each once it was over). */
  function trained(policy: ScalingPolicy, untilMs: number) {
    const scaler = createScaler({ policy });
    for (let time = START; time + STEP <= untilMs; time += STEP) {
      scaler.observe('request', time, demandAt(time));
    }
    return scaler;
  }
  const morning = (minute: number) => START + 4 * DAY + (7 * 60 + minute) * MINUTE;
  const decide = (policy: ScalingPolicy, nowMs: number) =>
    trained(policy, nowMs).recommend({
      nowMs,
      currentReplicas: 1,
      metrics: { request: { total: demandAt(nowMs - MINUTE) } },
    });

  it('scales out the start-up delay before the forecast 08:00 rise, while the reactive HPA sees none', () => {
    const policy = policyOf({});
    const early = decide(policy, morning(50));
    // At 07:50 a replica started now serves from 07:53: the night level is enough.
    expect(early.reactive).toBe(1);
    expect(early.predictive).toBeLessThanOrEqual(2);
    const ahead = decide(policy, morning(57));
    expect(ahead.reactive).toBe(1);
    // 400 at 08:00 fits 3 replicas at capacity (100 / 0.7 each); the reactive HPA brings the
    // service to its target once the rise is seen.
    expect(ahead.predictive).toBeGreaterThanOrEqual(3);
    expect(ahead.predictive).toBeLessThanOrEqual(4);
    expect(ahead.final).toBe(ahead.predictive);
    expect(ahead.forecast.request).toHaveLength(24);
    expect(ahead.reasons).toContain(`scale out ahead of the forecast to ${ahead.predictive}`);
  });

  it('runs predictive replicas through the scale-up rate limits, as reactive ones', () => {
    const limited = policyOf({
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    });
    const ahead = decide(limited, morning(57));
    expect(ahead.predictive).toBeGreaterThanOrEqual(3);
    // From 1 replica, one pod a minute.
    expect(ahead.final).toBe(2);
    expect(ahead.reasons.some((reason) => reason.includes('scale-up limited to 2'))).toBe(true);
  });

  it('removes predictive replicas only through the scale-down stabilisation window', () => {
    const policy = policyOf({});
    // 19:57: the forecast still holds the day's 400 until 20:00; the reactive HPA sees little.
    const nowMs = START + 4 * DAY + (19 * 60 + 57) * MINUTE;
    const scaler = trained(policy, nowMs);
    const quiet = { request: { total: 50 } };
    const ahead = scaler.recommend({ nowMs, currentReplicas: 1, metrics: quiet });
    expect(ahead.reactive).toBe(1);
    expect(ahead.final).toBeGreaterThanOrEqual(3);
    // 20:01, once the 19:55 step is learned: the night's forecast needs 1, but the window
    // (300 s by default) still holds what was recommended 4 minutes ago.
    const lastStep = START + 4 * DAY + (19 * 60 + 55) * MINUTE;
    scaler.observe('request', lastStep, demandAt(lastStep));
    const later = scaler.recommend({
      nowMs: nowMs + 4 * MINUTE,
      currentReplicas: ahead.final,
      metrics: quiet,
    });
    expect(later.final).toBe(ahead.final);
    expect(later.reasons.some((reason) => reason.includes('scale-down stabilised'))).toBe(true);
  });

  it('sizes the forecast with the capacity learned from telemetry once confident', () => {
    const policy = policyOf({});
    const nowMs = morning(57);
    const assumed = trained(policy, nowMs);
    const learning = trained(policy, nowMs);
    // Replicas that saturate at 50 requests/s, not the 100 / 0.7 the target implies.
    for (let i = 0; i < 40; i++) {
      const load = 60 + i;
      learning.observeCapacity('request', {
        loadPerReplica: load,
        latency: 200,
        errorRatio: 1 - 50 / load,
      });
    }
    const metrics = { request: { total: demandAt(nowMs - MINUTE) } };
    const before = assumed.recommend({ nowMs, currentReplicas: 1, metrics });
    const after = learning.recommend({ nowMs, currentReplicas: 1, metrics });
    expect(after.capacity.request).toMatchObject({ basis: 'saturation', perReplica: 50 });
    expect(before.capacity.request?.perReplica).toBeNull();
    // 400 requests/s on replicas of 50, aimed at 70%: twice as many as on replicas of 143.
    expect(after.predictive!).toBeGreaterThanOrEqual(2 * before.predictive! - 1);
    expect(after.reasons.some((reason) => reason.includes('learned capacity 50'))).toBe(true);
  });

  it('keeps the reactive count when it is the larger: the forecast never scales in', () => {
    const nowMs = START + 4 * DAY + 3 * 60 * MINUTE;
    const decision = trained(policyOf({}), nowMs).recommend({
      nowMs,
      currentReplicas: 2,
      metrics: { request: { total: 1500 } },
    });
    // The night needs 1; the envelope starts from the reactive count and adds nothing.
    expect(decision.predictive).toBe(6);
    expect(decision.reactive).toBe(6);
    expect(decision.final).toBe(6);
  });

  it('forecasts from the latest step it was taught', () => {
    const policy = policyOf({});
    const scaler = trained(policy, morning(0));
    const input = { nowMs: morning(0), currentReplicas: 1, metrics: {} };
    expect(scaler.recommend(input).forecast.request![0]!.timestampMs).toBe(morning(0));
    scaler.observe('request', morning(0), demandAt(morning(0)));
    expect(scaler.recommend(input).forecast.request![0]!.timestampMs).toBe(morning(5));
  });

  it('in forecastOnly mode reports the predictive count but acts on the reactive one', () => {
    const decision = decide(
      policyOf({ predictive: { enabled: true, mode: 'forecastOnly', startupDelay: '3m' } }),
      morning(57),
    );
    expect(decision.predictive).toBeGreaterThanOrEqual(3);
    expect(decision.final).toBe(decision.reactive);
  });

  it('with predictive scaling off, is the HPA alone and returns no forecast', () => {
    const decision = decide(policyOf({ predictive: { enabled: false } }), morning(57));
    expect(decision).toMatchObject({ predictive: null, final: 1, forecast: {} });
  });

  it('resumes from JSON with the same forecast', () => {
    const policy = policyOf({});
    const scaler = trained(policy, morning(0));
    const resumed = createScaler({
      policy,
      state: JSON.parse(JSON.stringify(scaler.toJSON())) as ReturnType<typeof scaler.toJSON>,
    });
    const input = { nowMs: morning(57), currentReplicas: 1, metrics: {} };
    expect(resumed.recommend(input)).toEqual(scaler.recommend(input));
  });

  it('learns its forecast errors and runs a replica ahead of noise a calm series does not have', () => {
    /** 100 requests per second, and one step in ten `spike` more. */
    const series = (spike: number) => {
      const scaler = createScaler({ policy: policyOf({}) });
      for (let step = 0; step < 300; step++) {
        scaler.observe('request', START + step * STEP, 100 + (step % 10 === 9 ? spike : 0));
      }
      return scaler;
    };
    const nowMs = START + 300 * STEP;
    const input = { nowMs, currentReplicas: 1, metrics: { request: { total: 100 } } };
    // One replica serves 100 / 0.7 ≈ 143: a spike of 60 outruns it one step in ten, and a
    // second replica costs 0.019 × 5 / 3 ≈ 0.03 of that 0.1.
    expect(series(60).recommend(input)).toMatchObject({ reactive: 1, predictive: 2, final: 2 });
    expect(series(0).recommend(input)).toMatchObject({ reactive: 1, predictive: 1, final: 1 });
    // The detector has no forecast for its first 17 steps; every later step left an error.
    const errors = series(60).toJSON().errors?.request ?? [];
    expect(errors).toHaveLength(300 - 17);
  });

  it('resumes a state saved before forecast errors were kept, with the forecast alone', () => {
    const policy = policyOf({});
    const scaler = trained(policy, morning(0));
    const { errors: _dropped, ...older } = scaler.toJSON();
    const resumed = createScaler({ policy, state: older });
    const input = { nowMs: morning(57), currentReplicas: 1, metrics: {} };
    const decision = resumed.recommend(input);
    // The steps from 07:55 and 08:00 at the target of 100 per replica, as before the envelope.
    const steps = decision.forecast.request!.filter(
      (point) => point.timestampMs >= morning(55) && point.timestampMs <= morning(60),
    );
    expect(steps).toHaveLength(2);
    const atTarget = Math.ceil(Math.max(...steps.map((point) => point.expected)) / 100);
    expect(decision.predictive).toBe(atTarget);
    // With its errors the scaler holds the rise at capacity instead: fewer replicas.
    expect(scaler.recommend(input).predictive).toBeLessThan(atTarget);
    expect(resumed.toJSON().errors).toEqual({ request: [] });
  });
});
