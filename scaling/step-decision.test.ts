import { describe, expect, it } from 'vitest';
import { parseScalingPolicy, type ScalingPolicy, type ScalingPolicyInput } from './policy.ts';
import { createScaler } from './scaler.ts';
import {
  currentReplicas,
  decideStep,
  learnSteps,
  stepMetrics,
  type ServiceReadings,
  type StepReading,
} from './step-decision.ts';

const MINUTE = 60_000;
const STEP = MINUTE;
const START = Date.UTC(2026, 10, 24, 12);

function policyOf(input: Partial<ScalingPolicyInput> = {}): ScalingPolicy {
  const parsed = parseScalingPolicy({
    minReplicas: 1,
    maxReplicas: 20,
    metrics: [
      { type: 'request', target: 100 },
      { type: 'cpu', target: 60 },
    ],
    ...input,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.policy;
}

/** Readings by metricKey from [step start, reading] pairs. */
function readingsOf(byKey: Record<string, Array<[number, StepReading]>>): ServiceReadings {
  return new Map(Object.entries(byKey).map(([key, steps]) => [key, new Map(steps)]));
}

describe('a scaling step decision', () => {
  it('trusts a reported replica count for its time to live, then the instances seen', () => {
    const reported = { replicas: 6, reportedAt: new Date(START).toISOString() };
    const at = (nowMs: number) =>
      currentReplicas({ reported, seen: 3, nowMs, reportedTtlMs: 10 * MINUTE });
    expect(at(START + 10 * MINUTE)).toEqual({ current: 6, source: 'reported' });
    expect(at(START + 10 * MINUTE + 1)).toEqual({ current: 3, source: 'observed' });
    expect(
      currentReplicas({ reported: undefined, seen: undefined, nowMs: START, reportedTtlMs: 1 }),
    ).toEqual({ current: 0, source: 'observed' });
  });

  it('reads a target measured over replicas per replica, and a total as a total', () => {
    const readings = readingsOf({
      request: [[START, { total: 450, latencyMs: 80, errorRatio: 0 }]],
      cpu: [
        [START, { total: 240, replicas: 3 }],
        [START + STEP, { total: 50, replicas: 0 }],
      ],
    });
    expect(stepMetrics(policyOf(), readings, START)).toEqual({
      request: { total: 450 },
      cpu: { perReplica: 80, replicas: 3 },
    });
    expect(stepMetrics(policyOf(), readings, START + STEP)).toEqual({
      request: undefined,
      cpu: { total: 50 },
    });
  });

  it('teaches the scaler exactly the steps after the last learned, before the step end, in order', () => {
    const policy = policyOf({ metrics: [{ type: 'request', target: 100 }] });
    const steps: Array<[number, StepReading]> = [];
    for (let index = 0; index < 40; index++) {
      steps.push([START + index * STEP, { total: 100 + (index % 5) * 10 }]);
    }
    const taught = createScaler({ policy });
    learnSteps({
      scaler: taught,
      policy,
      readings: readingsOf({ request: steps }),
      learnedStepMs: START + 9 * STEP,
      endMs: START + 30 * STEP,
      stepMs: STEP,
    });
    const byHand = createScaler({ policy });
    for (const [time, reading] of steps.slice(10, 30))
      byHand.observe('request', time, reading.total);
    expect(taught.toJSON()).toEqual(byHand.toJSON());
  });

  it("recommends from the last step's readings and learns capacity only from a step with latency and errors", () => {
    const policy = policyOf();
    const endMs = START + 10 * STEP;
    const last = endMs - STEP;
    const decide = (served: StepReading, current: number) => {
      const scaler = createScaler({ policy });
      const decision = decideStep({
        scaler,
        policy,
        readings: readingsOf({
          request: [[last, served]],
          cpu: [[last, { total: 120, replicas: 2 }]],
        }),
        endMs,
        stepMs: STEP,
        currentReplicas: current,
        apply: false,
      });
      return { decision, samples: scaler.toJSON().capacity?.request?.length };
    };
    const { decision, samples } = decide({ total: 450, latencyMs: 80, errorRatio: 0.01 }, 2);
    // 450 requests per second at 100 each: 5 replicas; CPU 60% on 2 is at its target.
    expect(decision.reactive).toBe(5);
    expect(decision.current).toBe(2);
    expect(samples).toBe(1);
    expect(decide({ total: 450 }, 2).samples).toBe(0);
    expect(decide({ total: 450, latencyMs: 80, errorRatio: 0.01 }, 0).samples).toBe(0);
  });

  it('learns no capacity for a policy without a request target, however its requests are read', () => {
    const policy = policyOf({ metrics: [{ type: 'cpu', target: 60 }] });
    const endMs = START + 10 * STEP;
    const decision = decideStep({
      scaler: createScaler({ policy }),
      policy,
      readings: readingsOf({
        request: [[endMs - STEP, { total: 450, latencyMs: 80, errorRatio: 0.01 }]],
        cpu: [[endMs - STEP, { total: 240, replicas: 2 }]],
      }),
      endMs,
      stepMs: STEP,
      currentReplicas: 2,
      apply: false,
    });
    // 120% per replica against a 60% target: twice the replicas.
    expect(decision.reactive).toBe(4);
    expect(decision.capacity).not.toHaveProperty('request');
  });
});
