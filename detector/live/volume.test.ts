import { describe, expect, it } from 'vitest';
import {
  conservativePercentile,
  judgeErrorRatio,
  judgeSpanAlarm,
  wilsonLowerBound,
  type StepSample,
} from './volume.ts';

const quiet = (requests: number) => ({ requests, errors: 0 });

describe('error ratios at low volume', () => {
  it('bounds a ratio from below, tighter with more requests', () => {
    expect(wilsonLowerBound(1, 4, 3)).toBeLessThan(0.05);
    expect(wilsonLowerBound(50, 100, 3)).toBeGreaterThan(0.35);
    expect(wilsonLowerBound(0, 10, 3)).toBeCloseTo(0, 12);
    expect(wilsonLowerBound(0, 0, 3)).toBe(0);
  });

  it('does not call one error in four requests an incident', () => {
    const steps = [...Array.from({ length: 9 }, () => quiet(3)), { requests: 4, errors: 1 }];
    expect(judgeErrorRatio(steps, 0.01).alarming).toBe(false);
    // Nor the same step alone, with nothing before it to pool.
    expect(judgeErrorRatio([{ requests: 4, errors: 1 }], 0).alarming).toBe(false);
  });

  it('calls half the requests failing for several steps an incident', () => {
    const failing = { requests: 2, errors: 1 };
    const before = Array.from({ length: 7 }, () => quiet(2));
    expect(judgeErrorRatio([...before, failing], 0.01).alarming).toBe(false);
    expect(judgeErrorRatio([...before, failing, failing, failing, failing], 0.01)).toEqual({
      alarming: true,
      pooledSteps: 5,
    });
  });

  it('needs a rise over the usual ratio, not only a high one', () => {
    const step = [{ requests: 200, errors: 40 }];
    expect(judgeErrorRatio(step, 0.01).alarming).toBe(true);
    expect(judgeErrorRatio(step, 0.15).alarming).toBe(false); // 20% where 15% is usual
  });
});

describe('percentiles at low volume', () => {
  const step = (requests: number): StepSample => ({
    requests,
    errorRatio: 0,
    p50: 20,
    p95: 60,
    p99: 400,
  });

  it('has no percentile to judge below the minimum count', () => {
    expect(conservativePercentile(step(3), 0.5)).toBeNull();
    expect(conservativePercentile(step(3), 0.99)).toBeNull();
  });

  it('reads a p99 of few requests no higher than the lower ranks it rests on', () => {
    const few = conservativePercentile(step(20), 0.99)!;
    const many = conservativePercentile(step(5000), 0.99)!;
    expect(few).toBeLessThan(100); // near the step's p95 (60), far below its p99 (400)
    expect(many).toBeGreaterThan(300);
  });

  it('keeps a p99 alarm of a step of few requests to a plain anomaly', () => {
    const judge = (requests: number) =>
      judgeSpanAlarm({
        signal: 'latency_p99',
        alarm: true,
        upper: 150,
        value: 400,
        recent: [step(requests)],
        baselineRatio: 0,
      });
    expect(judge(20)).toBe(false);
    expect(judge(5000)).toBe(true);
  });
});
