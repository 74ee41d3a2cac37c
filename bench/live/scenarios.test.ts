import { describe, expect, it } from 'vitest';
import { ALL_KINDS, BENIGN_KINDS, INCIDENT_KINDS, type Scenario } from './scenario-model.ts';
import { generateCorpus } from './scenarios.ts';
import { createTraffic, frontendRate, type StepTelemetry } from './traffic.ts';

describe('live benchmark corpus', () => {
  const count = 2 * ALL_KINDS.length;
  const corpus = generateCorpus({ seed: 7, count, historySteps: 120, liveSteps: 40 });

  it('covers every benign and incident kind twice, the same for the same seed', () => {
    expect(ALL_KINDS).toHaveLength(BENIGN_KINDS.length + INCIDENT_KINDS.length);
    for (const kind of ALL_KINDS) {
      expect(corpus.filter((scenario) => scenario.kind === kind).length).toBeGreaterThanOrEqual(2);
    }
    expect(generateCorpus({ seed: 7, count, historySteps: 120, liveSteps: 40 })).toEqual(corpus);
    expect(generateCorpus({ seed: 8, count, historySteps: 120, liveSteps: 40 })).not.toEqual(
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

  /** Each step's logs of a scenario, from step 0 to the end of its live part. */
  const logsOf = (kind: string): { scenario: Scenario; steps: StepTelemetry['logs'][] } => {
    const scenario = corpus.find((entry) => entry.kind === kind)!;
    const traffic = createTraffic(scenario);
    const steps = [];
    for (let step = 0; step < scenario.historySteps + scenario.liveSteps; step++)
      steps.push(traffic.step(step).logs);
    return { scenario, steps };
  };
  const template = (body: string) => body.replace(/[0-9a-f]*[0-9][0-9a-f.]*/g, '#');

  it('logs a never-seen ERROR line a few times a step on the faulty service, only in the window', () => {
    const { scenario, steps } = logsOf('new-error-pattern');
    const seen = new Set(
      steps.slice(0, scenario.fromStep).flatMap((logs) => logs.map((log) => template(log.body))),
    );
    const service = scenario.faultServices[0];
    const fresh = steps.map((logs) =>
      logs.filter((log) => log.service === service && !seen.has(template(log.body))),
    );
    expect(fresh.slice(scenario.toStep).flat()).toEqual([]);
    const window = fresh.slice(scenario.fromStep, scenario.toStep);
    const lines = window.flat();
    expect(new Set(lines.map((log) => template(log.body))).size).toBe(1);
    expect(lines.every((log) => log.level === 'ERROR')).toBe(true);
    expect(lines.length / window.length).toBeGreaterThanOrEqual(2.5);
  });

  it("pours a service's known WARN or ERROR line in a log burst, far above its rate in history", () => {
    const { scenario, steps } = logsOf('log-error-burst');
    const change = scenario.change;
    if (change.type !== 'log-burst') throw new Error('not a log burst');
    const rate = (from: number, to: number) =>
      steps
        .slice(from, to)
        .flat()
        .filter((log) => log.service === change.service && log.level === change.level)
        .filter((log) => /connection pool exhausted|lost connection to cache/.test(log.body))
        .length /
      (to - from);
    const before = rate(0, scenario.fromStep);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(1);
    expect(rate(scenario.fromStep, scenario.toStep)).toBeGreaterThan(10);
  });

  it('after a deploy with new INFO lines, every line never seen before is INFO from the new version', () => {
    const { scenario, steps } = logsOf('deploy-new-info-patterns');
    const change = scenario.change;
    if (change.type !== 'deploy-logs') throw new Error('not a deploy');
    const seen = new Set(
      steps.slice(0, scenario.fromStep).flatMap((logs) => logs.map((log) => template(log.body))),
    );
    const fresh = steps.flat().filter((log) => !seen.has(template(log.body)));
    expect(new Set(fresh.map((log) => template(log.body))).size).toBeGreaterThanOrEqual(3);
    for (const log of fresh) {
      expect(log.level).toBe('INFO');
      expect(log.version).toBe(change.version);
    }
  });
});
