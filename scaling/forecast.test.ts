import { describe, expect, it } from 'vitest';
import { createDetector, type ForecastPoint } from '../detector/index.ts';
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
      predictiveReplicas({ policy, nowMs, forecasts: { request: points }, headroom: 0 }).replicas;
    // From 1 min, ready at 4 min: only the first step (100 / 50).
    expect(at(MINUTE)).toBe(2);
    // From 2 min, ready at 5 min: the second step begins then (300 / 50).
    expect(at(2 * MINUTE)).toBe(6);
    // From 6 min: the first step is over; the third has not come within reach.
    expect(at(6 * MINUTE)).toBe(6);
    expect(at(7 * MINUTE)).toBe(18);
  });

  it('aims the given fraction of the band above the expected value', () => {
    const result = predictiveReplicas({
      policy,
      nowMs: 3 * MINUTE,
      forecasts: { request: points },
      headroom: 1,
    });
    expect(result.replicas).toBe(7); // 330 / 50 = 6.6
    expect(result.proposals).toEqual({ request: 7 });
    const third = predictiveReplicas({
      policy,
      nowMs: 3 * MINUTE,
      forecasts: { request: points },
      headroom: 1 / 3,
    });
    expect(third.replicas).toBe(7); // 310 / 50 = 6.2, rounded up
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
      headroom: 0,
    });
    expect(both.proposals).toEqual({ request: 2, queue_depth: 8 });
    expect(both.replicas).toBe(8);
    const late = predictiveReplicas({
      policy: two,
      nowMs: 8 * MINUTE,
      forecasts: { request: points },
      headroom: 0,
    });
    expect(late.proposals).toEqual({ request: 18, queue_depth: null });
    expect(late.replicas).toBe(10);
    expect(predictiveReplicas({ policy: two, nowMs: 0, forecasts: {} }).replicas).toBeNull();
  });
});

describe('scaler', () => {
  /** A scaler that learned every 5-minute step before `untilMs` (each once it was over). */
  function trained(policy: ScalingPolicy, untilMs: number) {
    const scaler = createScaler({ policy, headroom: 0 });
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
    expect(ahead.predictive).toBeGreaterThanOrEqual(4);
    expect(ahead.predictive).toBeLessThanOrEqual(5);
    expect(ahead.final).toBe(ahead.predictive);
    expect(ahead.forecast.request).toHaveLength(24);
    expect(ahead.reasons).toContain(`scale out ahead of the forecast to ${ahead.predictive}`);
  });

  it('keeps the reactive count when it is the larger: the forecast never scales in', () => {
    const nowMs = START + 4 * DAY + 3 * 60 * MINUTE;
    const decision = trained(policyOf({}), nowMs).recommend({
      nowMs,
      currentReplicas: 2,
      metrics: { request: { total: 1500 } },
    });
    expect(decision.predictive).toBe(1);
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
    expect(decision.predictive).toBeGreaterThanOrEqual(4);
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
      headroom: 0,
      state: JSON.parse(JSON.stringify(scaler.toJSON())) as ReturnType<typeof scaler.toJSON>,
    });
    const input = { nowMs: morning(57), currentReplicas: 1, metrics: {} };
    expect(resumed.recommend(input)).toEqual(scaler.recommend(input));
  });
});
