import { describe, expect, it } from 'vitest';
import { createHpa, type HpaState, type MetricReading } from './hpa.ts';
import { parseScalingPolicy, type ScalingPolicy, type ScalingPolicyInput } from './policy.ts';

function policyOf(input: Partial<ScalingPolicyInput>): ScalingPolicy {
  const parsed = parseScalingPolicy({
    minReplicas: 1,
    maxReplicas: 100,
    metrics: [{ type: 'cpu', target: 100 }],
    ...input,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.policy;
}

/** No stabilisation and no rate limit: the replica calculator alone. */
const UNDAMPED: ScalingPolicyInput['behavior'] = {
  scaleUp: { policies: [{ type: 'Percent', value: 10_000, periodSeconds: 1 }] },
  scaleDown: {
    stabilizationWindowSeconds: 0,
    policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }],
  },
};

const cpu = (perReplica: number, replicas?: number): Record<string, MetricReading> => ({
  cpu: replicas === undefined ? { perReplica } : { perReplica, replicas },
});
/** Requests per second in total, against a target of 100 per replica: `replicas` worth. */
const load = (replicas: number): Record<string, MetricReading> => ({
  request: { total: replicas * 100 },
});
const REQUESTS: Partial<ScalingPolicyInput> = { metrics: [{ type: 'request', target: 100 }] };

/** Calls recommend every `everyMs`, applying each answer, as the HPA controller does. */
function run(
  policy: ScalingPolicy,
  options: {
    startReplicas: number;
    fromMs?: number;
    untilMs: number;
    everyMs?: number;
    metrics: (replicas: number, nowMs: number) => Record<string, MetricReading>;
  },
): Array<[number, number]> {
  const hpa = createHpa(policy);
  const trace: Array<[number, number]> = [];
  let replicas = options.startReplicas;
  for (
    let nowMs = options.fromMs ?? 0;
    nowMs <= options.untilMs;
    nowMs += options.everyMs ?? 15_000
  ) {
    replicas = hpa.recommend({
      nowMs,
      currentReplicas: replicas,
      metrics: options.metrics(replicas, nowMs),
    }).desired;
    trace.push([nowMs / 1000, replicas]);
  }
  return trace;
}

describe('HPA replica calculation (Kubernetes docs, algorithm details)', () => {
  const policy = policyOf({
    metrics: [{ type: 'metric', name: 'm', target: 100 }],
    behavior: UNDAMPED,
  });

  it('doubles the replicas when the metric is 200m against a target of 100m', () => {
    const hpa = createHpa(policy);
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 1,
      metrics: { 'metric:m': { perReplica: 200 } },
    });
    expect(result.desired).toBe(2);
    expect(result.proposals).toEqual({ 'metric:m': 2 });
  });

  it('halves the replicas when the metric is 50m against 100m', () => {
    const hpa = createHpa(policy);
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 8,
      metrics: { 'metric:m': { perReplica: 50 } },
    });
    expect(result.desired).toBe(4);
  });

  it('skips any change while the ratio is within the 0.1 tolerance', () => {
    const hpa = createHpa(policy);
    const at = (perReplica: number) =>
      hpa.recommend({ nowMs: 0, currentReplicas: 10, metrics: { 'metric:m': { perReplica } } })
        .desired;
    expect(at(110)).toBe(10);
    expect(at(90)).toBe(10);
    expect(at(111)).toBe(12);
    expect(at(89)).toBe(9);
  });

  it('takes the largest count over several metrics', () => {
    const hpa = createHpa(
      policyOf({
        metrics: [
          { type: 'cpu', target: 70 },
          { type: 'request', target: 100 },
          { type: 'queue_depth', target: 50 },
        ],
        behavior: UNDAMPED,
      }),
    );
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 4,
      metrics: { cpu: { perReplica: 35 }, request: { total: 900 }, queue_depth: { total: 100 } },
    });
    expect(result.proposals).toEqual({ cpu: 2, request: 9, queue_depth: 2 });
    expect(result.desired).toBe(9);
  });

  it('sizes a total (AverageValue) target as ceil(total / target), whatever the current count', () => {
    const hpa = createHpa(
      policyOf({ metrics: [{ type: 'request', target: 1000 }], behavior: UNDAMPED }),
    );
    expect(
      hpa.recommend({ nowMs: 0, currentReplicas: 3, metrics: { request: { total: 12_500 } } })
        .desired,
    ).toBe(13);
  });
});

describe('HPA missing metrics', () => {
  const twoMetrics = policyOf({
    metrics: [
      { type: 'cpu', target: 50 },
      { type: 'request', target: 100 },
    ],
    behavior: UNDAMPED,
  });

  it('scales up on the metrics it can read when one cannot be read', () => {
    const hpa = createHpa(twoMetrics);
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 4,
      metrics: { request: { total: 800 } },
    });
    expect(result.desired).toBe(8);
    expect(result.proposals).toEqual({ cpu: null, request: 8 });
  });

  it('does not scale down while a metric cannot be read', () => {
    const hpa = createHpa(twoMetrics);
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 4,
      metrics: { request: { total: 100 } },
    });
    expect(result.desired).toBe(4);
    expect(result.reasons.at(-1)).toMatch(/could not be read.*scale down/);
  });

  it('keeps the count when no metric can be read', () => {
    const hpa = createHpa(twoMetrics);
    expect(hpa.recommend({ nowMs: 0, currentReplicas: 4, metrics: {} }).desired).toBe(4);
  });

  it('assumes replicas that did not report sit at the target going down (100% for CPU) and at 0 going up', () => {
    const hpa = createHpa(policyOf({ metrics: [{ type: 'cpu', target: 50 }], behavior: UNDAMPED }));
    const recommend = (perReplica: number, reporting: number) =>
      hpa.recommend({ nowMs: 0, currentReplicas: 4, metrics: cpu(perReplica, reporting) }).desired;
    // 25% over 3 replicas is a ratio of 0.5; the 4th counts as 100% (ratio 2): (1.5 + 2) / 4 → 4.
    expect(recommend(25, 3)).toBe(4);
    // 10% over 3 (ratio 0.2) and the 4th at ratio 2: (0.6 + 2) / 4 = 0.65 → ceil(2.6) = 3.
    expect(recommend(10, 3)).toBe(3);
    // 100% over 3 (ratio 2) and the 4th at 0: 6 / 4 = 1.5 → 6, not the 8 of all four at 100%.
    expect(recommend(100, 3)).toBe(6);
    // 60% over 2 (ratio 1.2) and two at 0: 2.4 / 4 = 0.6 reverses the direction → no change.
    expect(recommend(60, 2)).toBe(4);
  });

  it('cannot read a per-replica metric at zero replicas, and stays at zero without demand', () => {
    const hpa = createHpa(
      policyOf({
        minReplicas: 0,
        metrics: [
          { type: 'cpu', target: 50 },
          { type: 'request', target: 100 },
        ],
      }),
    );
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 0,
      metrics: { cpu: { perReplica: 0 }, request: { total: 0 } },
    });
    expect(result.proposals).toEqual({ cpu: null, request: 0 });
    expect(result.desired).toBe(0);
  });
});

describe('HPA scale to and from zero, min and max', () => {
  it('scales from zero on demand, within the default rate limit (4 pods per 15 s from 0)', () => {
    const policy = policyOf({ minReplicas: 0, metrics: [{ type: 'queue_depth', target: 10 }] });
    const trace = run(policy, {
      startReplicas: 0,
      untilMs: 45_000,
      metrics: () => ({ queue_depth: { total: 95 } }),
    });
    expect(trace).toEqual([
      [0, 4],
      [15, 8],
      [30, 10],
      [45, 10],
    ]);
  });

  it('scales from zero to one for the least demand', () => {
    const hpa = createHpa(
      policyOf({ minReplicas: 0, metrics: [{ type: 'request', target: 100 }] }),
    );
    expect(
      hpa.recommend({ nowMs: 0, currentReplicas: 0, metrics: { request: { total: 0.5 } } }).desired,
    ).toBe(1);
  });

  it('treats zero replicas with minReplicas above zero as scaling disabled', () => {
    const hpa = createHpa(policyOf({ minReplicas: 2, metrics: [{ type: 'request', target: 10 }] }));
    const result = hpa.recommend({
      nowMs: 0,
      currentReplicas: 0,
      metrics: { request: { total: 500 } },
    });
    expect(result.desired).toBe(0);
    expect(result.reasons).toEqual([expect.stringMatching(/disabled/)]);
  });

  it('brings a count outside [min, max] back inside without reading metrics', () => {
    const hpa = createHpa(policyOf({ minReplicas: 3, maxReplicas: 10 }));
    expect(hpa.recommend({ nowMs: 0, currentReplicas: 12, metrics: {} }).desired).toBe(10);
    expect(hpa.recommend({ nowMs: 1, currentReplicas: 1, metrics: {} }).desired).toBe(3);
  });

  it('caps a scale-up at maxReplicas and a scale-down at minReplicas', () => {
    const policy = policyOf({ minReplicas: 2, maxReplicas: 5, behavior: UNDAMPED });
    const hpa = createHpa(policy);
    expect(hpa.recommend({ nowMs: 0, currentReplicas: 4, metrics: cpu(400) }).desired).toBe(5);
    expect(hpa.recommend({ nowMs: 1, currentReplicas: 4, metrics: cpu(10) }).desired).toBe(2);
  });
});

describe('HPA behavior (Kubernetes docs, configurable scaling behavior)', () => {
  it('by default adds at most max(4 pods, 100%) per 15 s', () => {
    const trace = run(policyOf(REQUESTS), {
      startReplicas: 1,
      untilMs: 90_000,
      metrics: () => load(100),
    });
    expect(trace.map(([, replicas]) => replicas)).toEqual([5, 10, 20, 40, 80, 100, 100]);
  });

  it('counts changes made within the period: a second call 5 s later adds nothing more', () => {
    const hpa = createHpa(policyOf(REQUESTS));
    expect(hpa.recommend({ nowMs: 0, currentReplicas: 1, metrics: load(50) }).desired).toBe(5);
    expect(hpa.recommend({ nowMs: 5000, currentReplicas: 5, metrics: load(50) }).desired).toBe(5);
    expect(hpa.recommend({ nowMs: 15_000, currentReplicas: 5, metrics: load(50) }).desired).toBe(
      10,
    );
  });

  it('rounds a Percent scale-up up, so that 10% of 5 replicas still adds one', () => {
    const policy = policyOf({
      ...REQUESTS,
      behavior: { scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } },
    });
    const trace = run(policy, { startReplicas: 5, untilMs: 120_000, metrics: () => load(20) });
    expect(trace.filter(([seconds]) => seconds % 60 === 0).map(([, r]) => r)).toEqual([6, 7, 8]);
  });

  it('by default scales down only to the highest recommendation of the last 300 s', () => {
    // Load falls from 10 replicas' worth to 6 at 60 s and to 3 at 120 s.
    const falling = run(policyOf(REQUESTS), {
      startReplicas: 10,
      untilMs: 480_000,
      metrics: (_, nowMs) => load(nowMs < 60_000 ? 10 : nowMs < 120_000 ? 6 : 3),
    });
    const at = (seconds: number) => falling.find(([time]) => time === seconds)![1];
    // The last recommendation of 10 was made at 45 s: it rules until it leaves the window.
    expect(at(330)).toBe(10);
    expect(at(345)).toBe(6);
    // The last recommendation of 6 was made at 105 s.
    expect(at(390)).toBe(6);
    expect(at(405)).toBe(3);
  });

  it('holds the replicas found at start for the scale-down window', () => {
    const hpa = createHpa(policyOf(REQUESTS));
    expect(hpa.recommend({ nowMs: 0, currentReplicas: 8, metrics: load(1) }).desired).toBe(8);
    expect(hpa.recommend({ nowMs: 299_000, currentReplicas: 8, metrics: load(1) }).desired).toBe(8);
    expect(hpa.recommend({ nowMs: 301_000, currentReplicas: 8, metrics: load(1) }).desired).toBe(1);
  });

  it('with scale-up stabilisation, scales up only to the lowest recommendation of the window', () => {
    const hpa = createHpa(
      policyOf({ ...REQUESTS, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } }),
    );
    expect(hpa.recommend({ nowMs: 0, currentReplicas: 2, metrics: load(2) }).desired).toBe(2);
    expect(hpa.recommend({ nowMs: 15_000, currentReplicas: 2, metrics: load(6) }).desired).toBe(2);
    // At 61 s the recommendations made at 0 s (2 found at start, 2) have left the window.
    expect(hpa.recommend({ nowMs: 61_000, currentReplicas: 2, metrics: load(6) }).desired).toBe(6);
  });

  it('removes 8 of 80 replicas per minute with Pods 4 and Percent 10 per 60 s, then 4 below 40', () => {
    const policy = policyOf({
      ...REQUESTS,
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 0,
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 60 },
            { type: 'Percent', value: 10, periodSeconds: 60 },
          ],
        },
      },
    });
    const trace = run(policy, {
      startReplicas: 80,
      untilMs: 600_000,
      metrics: () => load(10),
    });
    const perMinute = trace
      .filter(([seconds]) => seconds % 60 === 0)
      .map(([, replicas]) => replicas);
    // 72 → 64 removes 8 (7.2 rounded up), as the docs say; below 40, 4 at a time.
    expect(perMinute).toEqual([72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20]);
    // Between the minutes nothing moves: the period's budget is spent.
    expect(trace.find(([seconds]) => seconds === 45)![1]).toBe(72);
  });

  it('limits scale-down to 10% per minute (docs example)', () => {
    const policy = policyOf({
      ...REQUESTS,
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 0,
          policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
        },
      },
    });
    const trace = run(policy, {
      startReplicas: 100,
      untilMs: 180_000,
      metrics: () => load(10),
    });
    expect(trace.filter(([seconds]) => seconds % 60 === 0).map(([, r]) => r)).toEqual([
      90, 81, 72, 64,
    ]);
  });

  it('with selectPolicy Min, removes no more than 5 pods per minute even when 10% is more', () => {
    const policy = policyOf({
      ...REQUESTS,
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Min',
          policies: [
            { type: 'Percent', value: 10, periodSeconds: 60 },
            { type: 'Pods', value: 5, periodSeconds: 60 },
          ],
        },
      },
    });
    const trace = run(policy, {
      startReplicas: 100,
      untilMs: 120_000,
      metrics: () => load(10),
    });
    expect(trace.filter(([seconds]) => seconds % 60 === 0).map(([, r]) => r)).toEqual([95, 90, 85]);
  });

  it('with selectPolicy Disabled, never scales down', () => {
    const policy = policyOf({ ...REQUESTS, behavior: { scaleDown: { selectPolicy: 'Disabled' } } });
    const trace = run(policy, {
      startReplicas: 10,
      untilMs: 900_000,
      metrics: () => load(1),
    });
    expect(new Set(trace.map(([, replicas]) => replicas))).toEqual(new Set([10]));
  });

  it('in dry run (apply false) records no scale event, so the rate limit does not bind', () => {
    const hpa = createHpa(policyOf(REQUESTS));
    const ask = (nowMs: number) =>
      hpa.recommend({ nowMs, currentReplicas: 1, metrics: load(50), apply: false }).desired;
    expect([ask(0), ask(5000), ask(10_000)]).toEqual([5, 5, 5]);
  });
});

describe('HPA state', () => {
  it('resumes from JSON with the same answers', () => {
    const policy = policyOf({});
    const inputs = Array.from({ length: 60 }, (_, index) => ({
      nowMs: index * 15_000,
      perReplica: 20 + ((index * 37) % 150),
    }));
    const whole = createHpa(policy);
    let replicas = 3;
    const expected = inputs.map(({ nowMs, perReplica }) => {
      replicas = whole.recommend({
        nowMs,
        currentReplicas: replicas,
        metrics: cpu(perReplica),
      }).desired;
      return replicas;
    });
    let first = createHpa(policy);
    replicas = 3;
    const actual = inputs.map(({ nowMs, perReplica }, index) => {
      if (index === 30) {
        first = createHpa(policy, JSON.parse(JSON.stringify(first.toJSON())) as HpaState);
      }
      replicas = first.recommend({
        nowMs,
        currentReplicas: replicas,
        metrics: cpu(perReplica),
      }).desired;
      return replicas;
    });
    expect(actual).toEqual(expected);
    expect(new Set(expected).size).toBeGreaterThan(3);
  });
});
