import { describe, expect, it } from 'vitest';
import {
  GRACE_STEPS,
  quantile,
  scoreScenario,
  summarize,
  type AlertEvent,
  type Truth,
} from './score.ts';

const truth: Truth = {
  incident: true,
  fromStep: 100,
  toStep: 120,
  noticeStep: 104,
  faultServices: ['payments'],
  affectedServices: ['checkout'],
  faultSignals: ['latency_'],
};

const event = (
  type: AlertEvent['type'],
  step: number,
  service = 'payments',
  alertId = 'a1',
  signals = ['latency_p50'],
): AlertEvent => ({ type, alertId, service, signal: signals[0]!, signals, step });

describe('live benchmark scoring', () => {
  it('counts a page on the faulty service within the window as a detection, its delay from the notice step', () => {
    const outcome = scoreScenario(truth, [
      event('anomaly.opened', 107),
      event('anomaly.updated', 110),
      event('anomaly.resolved', 123),
    ]);
    expect(outcome).toMatchObject({
      detected: true,
      delaySteps: 3,
      firstService: 'payments',
      flaps: 0,
      pages: 1,
      notifications: 3,
      falseAlerts: 0,
    });
  });

  it('gives a page before the notice step a delay of zero, and misses one after the grace', () => {
    expect(scoreScenario(truth, [event('anomaly.opened', 101)]).delaySteps).toBe(0);
    const late = scoreScenario(truth, [event('anomaly.opened', truth.toStep + GRACE_STEPS)]);
    expect(late.detected).toBe(false);
    expect(late.falseAlerts).toBe(1);
  });

  it('counts a resolution while the fault goes on as a flap, and the re-opening as a second page', () => {
    const outcome = scoreScenario(truth, [
      event('anomaly.opened', 104),
      event('anomaly.resolved', 108),
      event('anomaly.opened', 110),
      event('anomaly.resolved', 121),
    ]);
    expect(outcome.flaps).toBe(1);
    expect(outcome.pages).toBe(2);
    expect(outcome.notifications).toBe(4);
    // Resolved one step after the fault's end: the flap's resolution does not count.
    expect(outcome.resolveSteps).toBe(1);
  });

  it('tells pages on affected services from false pages on healthy ones and before the fault', () => {
    const outcome = scoreScenario(truth, [
      event('anomaly.opened', 95, 'payments', 'early'),
      event('anomaly.opened', 102, 'checkout', 'caller'),
      event('anomaly.opened', 103, 'catalog', 'healthy'),
      event('anomaly.opened', 105, 'payments', 'real'),
    ]);
    expect(outcome.firstService).toBe('payments');
    expect(outcome.delaySteps).toBe(1);
    expect(outcome.pages).toBe(2);
    expect(outcome.falseAlerts).toBe(2);
  });

  it('needs the fault’s signals: an error-ratio page on a latency fault is false until its alert takes in latency', () => {
    const noise = scoreScenario(truth, [
      event('anomaly.opened', 104, 'payments', 'e', ['error_ratio']),
    ]);
    expect(noise).toMatchObject({ detected: false, falseAlerts: 1, pages: 0 });
    const grown = scoreScenario(truth, [
      event('anomaly.opened', 104, 'payments', 'e', ['error_ratio']),
      event('anomaly.updated', 109, 'payments', 'e', ['error_ratio', 'latency_p99']),
    ]);
    expect(grown).toMatchObject({
      detected: true,
      delaySteps: 5,
      falseAlerts: 0,
      notifications: 2,
    });
  });

  it('detects by an alert the faulty service joined, from the update that brought it in', () => {
    const joined = (e: AlertEvent, services: string[]): AlertEvent => ({ ...e, services });
    const outcome = scoreScenario(truth, [
      joined(event('anomaly.opened', 103, 'frontend', 'f', ['latency_p50']), ['frontend']),
      joined(event('anomaly.updated', 106, 'frontend', 'f', ['latency_p50']), [
        'frontend',
        'payments',
      ]),
    ]);
    expect(outcome).toMatchObject({ detected: true, delaySteps: 2, firstService: 'frontend' });
    // The frontend's own page, before payments joined it, was not about the fault's service.
    expect(outcome.falseAlerts).toBe(0);
  });

  it('counts every page of a benign scenario as false, and its services never detect', () => {
    const benign: Truth = { ...truth, incident: false, faultServices: [], affectedServices: [] };
    const outcome = scoreScenario(benign, [
      event('anomaly.opened', 105),
      event('anomaly.opened', 130),
    ]);
    expect(outcome).toMatchObject({ detected: false, falseAlerts: 2, pages: 0 });
  });

  it('checks that the incident’s first root-cause candidate names the root service, at the page and at the end', () => {
    const cascade: Truth = {
      ...truth,
      faultServices: ['payments', 'checkout', 'frontend'],
      rootService: 'payments',
    };
    const withCause = (e: AlertEvent, rootCause: string | null): AlertEvent => ({
      ...e,
      rootCause,
    });
    const right = scoreScenario(cascade, [
      withCause(event('anomaly.opened', 104, 'checkout', 'a1'), 'payments'),
      withCause(event('anomaly.updated', 106, 'checkout', 'a1'), 'payments'),
      withCause(event('anomaly.opened', 105, 'catalog', 'other'), 'catalog'),
    ]);
    expect(right).toMatchObject({
      rootCauseAtPage: 'payments',
      rootCauseLast: 'payments',
      rootCauseRight: true,
    });
    // Re-ranked to the caller when a service joined: wrong, though the page was right.
    const turned = scoreScenario(cascade, [
      withCause(event('anomaly.opened', 104, 'payments', 'a1'), 'payments'),
      withCause(event('anomaly.updated', 106, 'payments', 'a1'), 'checkout'),
      withCause(event('anomaly.resolved', 121, 'payments', 'a1'), 'payments'),
    ]);
    expect(turned).toMatchObject({ rootCauseLast: 'checkout', rootCauseRight: false });
    expect(scoreScenario(truth, [event('anomaly.opened', 104)]).rootCauseRight).toBeNull();
    expect(summarize('cascade', true, [right, turned])).toMatchObject({
      rootCauseRight: 1,
      rootCauseJudged: 2,
    });
  });

  it('summarizes recall, delay quantiles, flaps and pages per incident', () => {
    const outcomes = [
      scoreScenario(truth, [event('anomaly.opened', 104)]),
      scoreScenario(truth, [event('anomaly.opened', 106), event('anomaly.resolved', 110)]),
      scoreScenario(truth, [
        event('anomaly.opened', 112),
        event('anomaly.resolved', 124),
        event('anomaly.resolved', 126, 'checkout', 'a2'),
      ]),
      scoreScenario(truth, [event('anomaly.opened', 101), event('anomaly.resolved', 122)]),
      scoreScenario(truth, []),
    ];
    const summary = summarize('p50-shift', true, outcomes);
    expect(summary).toMatchObject({
      scenarios: 5,
      recall: 0.8,
      delayMedian: 0,
      delayP90: 8,
      flaps: 1,
      // Resolved 4 and 2 steps after the fault's end; two alerts still open at the end.
      resolveMedian: 2,
      resolveP90: 4,
      stillOpen: 2,
      pagesPerIncident: 1,
      notificationsPerIncident: 7 / 4,
    });
    expect(quantile([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9)).toBe(8);
    expect(quantile([], 0.5)).toBeNull();
  });
});
