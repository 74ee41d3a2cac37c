import { describe, expect, it } from 'vitest';
import { ALL_KINDS, BENIGN_KINDS, INCIDENT_KINDS, generateCorpus } from './scenarios.ts';
import { createTraffic, frontendRate } from './traffic.ts';

describe('live benchmark corpus', () => {
  const corpus = generateCorpus({ seed: 7, count: 40, historySteps: 120, liveSteps: 40 });

  it('covers every benign and incident kind at least twice in forty scenarios, the same for the same seed', () => {
    expect(ALL_KINDS).toHaveLength(BENIGN_KINDS.length + INCIDENT_KINDS.length);
    for (const kind of ALL_KINDS) {
      expect(corpus.filter((scenario) => scenario.kind === kind).length).toBeGreaterThanOrEqual(2);
    }
    expect(generateCorpus({ seed: 7, count: 40, historySteps: 120, liveSteps: 40 })).toEqual(
      corpus,
    );
    expect(generateCorpus({ seed: 8, count: 40, historySteps: 120, liveSteps: 40 })).not.toEqual(
      corpus,
    );
  });

  it('puts every fault in the live part, with services only for incidents', () => {
    for (const scenario of corpus) {
      expect(scenario.fromStep).toBeGreaterThanOrEqual(scenario.historySteps);
      expect(scenario.toStep).toBeGreaterThan(scenario.noticeStep);
      expect(scenario.toStep).toBeLessThanOrEqual(scenario.historySteps + scenario.liveSteps);
      expect(scenario.faultServices.length > 0).toBe(scenario.incident);
    }
  });

  it('makes a p50 shift slower and an error burst fail only on their service and only in their window', () => {
    const check = (
      kind: string,
      measure: (spans: ReturnType<ReturnType<typeof createTraffic>['step']>['spans']) => number,
    ) => {
      const scenario = corpus.find((entry) => entry.kind === kind)!;
      const traffic = createTraffic(scenario);
      const per = { before: [] as number[], during: [] as number[] };
      for (let step = 0; step < scenario.toStep; step++) {
        const spans = traffic
          .step(step)
          .spans.filter((span) => span.service === scenario.faultServices[0]);
        if (step >= scenario.fromStep - 20 && step < scenario.fromStep)
          per.before.push(measure(spans));
        if (step >= scenario.noticeStep) per.during.push(measure(spans));
      }
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      return { before: mean(per.before), during: mean(per.during) };
    };
    const median = (spans: Array<{ durationMs: number }>) =>
      spans.map((span) => span.durationMs).sort((a, b) => a - b)[Math.floor(spans.length / 2)] ?? 0;
    const latency = check('p50-shift', median);
    expect(latency.during / latency.before).toBeGreaterThan(1.4);
    const errors = check(
      'error-burst-high',
      (spans) => spans.filter((span) => span.error).length / Math.max(1, spans.length),
    );
    expect(errors.before).toBeLessThan(0.02);
    expect(errors.during).toBeGreaterThan(0.06);
  });

  it('sends a surge no larger than history has seen, and a weekend history has seen once', () => {
    const surge = corpus.find((entry) => entry.kind === 'surge')!;
    expect(surge.change.type === 'surge' && surge.change.factor).toBeLessThanOrEqual(
      Math.max(...surge.shape.historySurges.map((entry) => entry.factor)),
    );
    const weekly = corpus.find((entry) => entry.kind === 'weekly-wave')!;
    const weekend = weekly.shape.weekend!;
    const low = (step: number) =>
      frontendRate(weekly, step) < weekly.shape.baseRate * weekend.factor * 1.4;
    expect(low(weekly.fromStep + 5)).toBe(true);
    expect(low(weekly.fromStep - weekend.periodSteps + 5)).toBe(true);
    expect(weekly.fromStep - weekend.periodSteps).toBeGreaterThanOrEqual(0);
  });
});
