import { describe, expect, it } from 'vitest';
import {
  conservativePercentile,
  judgeErrorRatio,
  expectationVariance,
  judgeRequestCount,
  judgeSpanAlarm,
  requestCountExpectation,
  wilsonLowerBound,
  type StepSample,
} from './volume.ts';
import { countAtLeast, countAtMost, poissonAtLeast, poissonAtMost } from './count-tails.ts';

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

  it("pools a busy route's high last steps to be sure of a burst, not its earlier ones", () => {
    const burst = { requests: 10, errors: 3 }; // 30% where 2% is usual: unsure in one step
    const before = Array.from({ length: 5 }, () => quiet(10));
    expect(judgeErrorRatio([...before, burst], 0.02).alarming).toBe(false);
    expect(judgeErrorRatio([...before, burst, burst], 0.02)).toEqual({
      alarming: true,
      pooledSteps: 2,
    });
    // Once the last step is healthy again, the burst before it is not pooled into it.
    expect(judgeErrorRatio([...before, burst, burst, quiet(10)], 0.02).alarming).toBe(false);
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
        recent: [step(requests), step(requests)],
        baselineRatio: 0,
      });
    expect(judge(10)).toBe(false); // two steps of 10: a p99 of 20 requests
    expect(judge(2500)).toBe(true);
  });

  it("pools a quiet route's last steps for a median, when each of them is high", () => {
    const slowStep = (requests: number, p50: number): StepSample => ({ ...step(requests), p50 });
    const judge = (recent: Array<StepSample | undefined>) =>
      judgeSpanAlarm({
        signal: 'latency_p50',
        alarm: true,
        upper: 30,
        value: recent[recent.length - 1]!.p50,
        recent,
        baselineRatio: 0,
      });
    expect(judge([slowStep(6, 50)])).toBe(false); // 6 requests: too few alone
    expect(judge([slowStep(60, 50)])).toBe(false); // enough requests, but one step may be noise
    expect(judge([slowStep(60, 25), slowStep(60, 50)])).toBe(false);
    expect(judge([slowStep(60, 40), slowStep(60, 50)])).toBe(true);
    // A creep the band follows: the step before need only be halfway to the band's edge.
    const creeping = (previous: number) =>
      judgeSpanAlarm({
        signal: 'latency_p50',
        alarm: true,
        upper: 30,
        expected: 20,
        value: 32,
        recent: [slowStep(60, previous), slowStep(60, 32)],
        baselineRatio: 0,
      });
    expect(creeping(26)).toBe(true);
    expect(creeping(24)).toBe(false);
    expect(judge([slowStep(6, 45), slowStep(6, 50)])).toBe(true); // 12 over two high steps
    expect(judge([slowStep(6, 25), slowStep(6, 50)])).toBe(false); // the step before was normal
    // Pooling goes back three steps at most: four steps of three requests are not enough.
    const three = slowStep(3, 50);
    expect(judge([three, three, three, three])).toBe(false);
    expect(judge([three, three, slowStep(4, 50)])).toBe(true);
  });

  it('reads how sure a median is from the quantiles below it, where the step has them', () => {
    // 23 requests, 13 of them on a slow route: the median is a slow request, the 30% point not.
    const mixed = (p50: number): StepSample => ({
      ...step(23),
      p50,
      belowMedian: [44, 49, 56],
    });
    // At 23 requests the rank's bound is 0.5 − 1.645·√(0.25/23) = 0.33: 49 + 0.29 × 7.
    expect(conservativePercentile(mixed(127), 0.5)).toBeCloseTo(51.0, 1);
    const judge = (recent: StepSample[]) =>
      judgeSpanAlarm({
        signal: 'latency_p50',
        alarm: true,
        upper: 80,
        expected: 57,
        value: recent[recent.length - 1]!.p50,
        recent,
        baselineRatio: 0,
      });
    const withoutBelow = ({ belowMedian: _, ...rest }: StepSample): StepSample => rest;
    expect(judge([mixed(110), mixed(127)])).toBe(false);
    expect(judge([mixed(110), mixed(127)].map(withoutBelow))).toBe(true);
    // Every request slower: the points below the median move with it.
    const shifted: StepSample = { ...step(23), p50: 127, belowMedian: [98, 106, 117] };
    expect(judge([shifted, shifted])).toBe(true);
  });
});

describe('request counts', () => {
  const sample = (requests: number): StepSample => ({
    requests,
    errorRatio: 0,
    p50: 0,
    p95: 0,
    p99: 0,
  });
  const rateAlarm = (counts: number[], expectedPerSecond: number) =>
    judgeSpanAlarm({
      signal: 'request_rate',
      alarm: true,
      upper: expectedPerSecond * 1.05,
      expected: expectedPerSecond,
      value: counts.at(-1)! / 10,
      recent: counts.map(sample),
      baselineRatio: 0,
      stepSeconds: 10,
    });

  it('does not page on a step a little short of a steady expectation', () => {
    // 41 requests where 46 were expected: under one Poisson deviation.
    expect(judgeRequestCount([46, 47, 41], 46)).toBe(false);
    expect(rateAlarm([46, 47, 41], 4.6)).toBe(false);
  });

  it('pages on a busy route that gets nothing, at once', () => {
    expect(judgeRequestCount([46, 45, 0], 46)).toBe(true);
    expect(rateAlarm([46, 45, 0], 4.6)).toBe(true);
  });

  it('needs a few empty steps of a quiet route, all on the same side', () => {
    // None where 4 were expected happens once in 55 steps; twice in a row, once in 3,000
    // (about two days of one-minute steps); three times, once in 160,000.
    expect(judgeRequestCount([4, 0], 4)).toBe(false);
    expect(judgeRequestCount([0, 0], 4)).toBe(false);
    expect(judgeRequestCount([0, 0, 0], 4)).toBe(true);
    expect(judgeRequestCount([0, 5, 0], 4)).toBe(false);
  });

  it('reads the Poisson law itself, whose upper tail is heavy at a few requests a step', () => {
    // 9 where 2 were expected is 1 in 4,200 (a normal deviation of 4.9 says 1 in 2 million).
    expect(judgeRequestCount([2, 9], 2)).toBe(false);
    expect(judgeRequestCount([2, 11], 2)).toBe(true);
    expect(poissonAtLeast(7, 2)).toBeCloseTo(0.004534, 5);
    expect(poissonAtMost(0, 16)).toBeCloseTo(Math.exp(-16), 12);
    expect(poissonAtMost(1000, 1000)).toBeCloseTo(0.5084, 4);
    expect(poissonAtLeast(1100, 1000)).toBeLessThan(0.0013);
    expect(poissonAtLeast(1090, 1000)).toBeGreaterThan(0.0013);
  });

  it('widens the law by what the forecast itself may be off', () => {
    // Negative binomial, shape 2, mean 3: P(0) = 0.4², P(1) = 2 × 0.4² × 0.6.
    expect(countAtMost(0, 3, 4.5)).toBeCloseTo(0.16, 12);
    expect(countAtMost(1, 3, 4.5)).toBeCloseTo(0.352, 12);
    expect(countAtLeast(2, 3, 4.5)).toBeCloseTo(0.648, 10);
    expect(countAtLeast(9, 1, 0)).toBeCloseTo(poissonAtLeast(9, 1), 15);
    // 9 where 1 was forecast is sure on the Poisson law (1 in 900,000), not when the
    // route's counts spread 0.7 requests² beyond it (1 in 1,200).
    expect(judgeRequestCount([1, 9], 1)).toBe(true);
    expect(judgeRequestCount([1, 9], 1, 0.7)).toBe(false);
    // A band of 3 deviations of √(46 + 100) around 46: 100 of that is the forecast's.
    expect(expectationVariance(46, 46 + 3 * Math.sqrt(146))).toBeCloseTo(100, 9);
    expect(expectationVariance(46, 50)).toBe(0);
    // The forecast's error is the same over the steps pooled: three steps 30% under a
    // busy route's forecast are no surer than one.
    expect(judgeRequestCount([700, 700, 700], 1000, 100 * 100)).toBe(false);
    expect(judgeRequestCount([700, 700, 700], 1000)).toBe(true);
  });

  it("judges a count against the route's usual count as well as the forecast", () => {
    const judge = (
      counts: number[],
      forecast: number,
      usual: number | undefined,
      alarm: boolean | null,
    ) =>
      judgeSpanAlarm({
        signal: 'request_rate',
        alarm,
        upper: forecast / 60,
        expected: forecast / 60,
        value: counts.at(-1)! / 60,
        recent: counts.map(sample),
        baselineRatio: 0,
        usualPerStep: usual,
        stepSeconds: 60,
      });
    expect(requestCountExpectation(1, 2.2, true)).toBe(2.2);
    expect(requestCountExpectation(1, 2.2, false)).toBe(1);
    expect(requestCountExpectation(4, undefined, false)).toBe(4);
    // A forecast of one request where the route usually has 2.2: 10 is not yet sure.
    expect(judge([1, 10], 1, undefined, true)).toBe(true);
    expect(judge([1, 10], 1, 2.2, true)).toBe(false);
    // Three empty steps where 4 were forecast, on a route of 1.5 a step: no page.
    expect(judge([0, 0, 0], 4, undefined, null)).toBe(true);
    expect(judge([0, 0, 0], 4, 1.5, null)).toBeNull();
    // Above the forecast at a trough, below the usual count: away from neither.
    expect(judge([2, 12], 2, undefined, true)).toBe(true);
    expect(judge([2, 12], 2, 15, true)).toBe(false);
    // Far below a usual 40 is not a drop either while above the forecast.
    expect(judge([2, 12], 2, 40, true)).toBe(false);
  });

  it('pages on a route silent for three steps even when its band holds zero', () => {
    // The engine found zero inside a band widened by the day's wave: no alarm of its own.
    const inBand = (counts: number[], expectedPerSecond: number, width = 2.2) =>
      judgeSpanAlarm({
        signal: 'request_rate',
        alarm: null,
        upper: expectedPerSecond * width,
        expected: expectedPerSecond,
        value: counts.at(-1)! / 60,
        recent: counts.map(sample),
        baselineRatio: 0,
        stepSeconds: 60,
      });
    expect(inBand([24, 0], 0.4)).toBeNull();
    // Two empty steps are a lull a forecast running high can see on a quiet route.
    expect(inBand([24, 0, 0], 0.4)).toBeNull();
    expect(inBand([24, 0, 0, 0], 0.4)).toBe(true);
    // However wide the band (the forecast's error widens the law of a count, not of a stop):
    // seven requests a step, none for three steps.
    expect(inBand([7, 0, 0, 0], 7 / 60, 4)).toBe(true);
    expect(judgeRequestCount([0, 0, 0], 7, expectationVariance(7, 7 * 4))).toBe(false);
    // A route of two requests a step is silent now and then: no page.
    expect(inBand([2, 0, 0, 0], 2 / 60)).toBeNull();
    expect(inBand([24, 20, 18], 0.4)).toBeNull();
  });

  it('pages on a surge far beyond a count of noise', () => {
    expect(judgeRequestCount([46, 140], 46)).toBe(true);
    expect(judgeRequestCount([46, 60], 46)).toBe(false);
  });
});
