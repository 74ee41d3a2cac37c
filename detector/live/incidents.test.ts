import { describe, expect, it } from 'vitest';
import {
  advanceIncident,
  DEFAULT_INCIDENT_POLICY,
  headlineFault,
  initialIncidentState,
  type Anomaly,
  type Observation,
  type IncidentAction,
  type IncidentPolicy,
} from './incidents.ts';

const latency = (score = 0.95): Anomaly => ({
  signal: 'latency_p99',
  operation: null,
  score,
  observed: 800,
  expected: 100,
  alarm: true,
});
/** The latency still outside its band, its score damped below the threshold. */
const stillSlow = (): Anomaly => ({ ...latency(0.3), alarm: false });
const errors = (score = 0.97): Anomaly => ({
  signal: 'error_ratio',
  operation: null,
  score,
  observed: 0.3,
  expected: 0.01,
  alarm: true,
});

/** Runs steps of anomalies through the state machine; returns the actions by step. */
function run(steps: Anomaly[][], policy?: Partial<IncidentPolicy>): Array<IncidentAction | null> {
  let state = initialIncidentState();
  let ids = 0;
  const actions: Array<IncidentAction | null> = [];
  steps.forEach((anomalies, index) => {
    const next = advanceIncident(state, index * 60_000, anomalies, () => `alert-${++ids}`, {
      openAfterSteps: 1,
      resolveAfterSteps: 3,
      reopenWithinSteps: 5,
      criticalScore: 0.99,
      ...policy,
    });
    state = next.state;
    actions.push(next.action);
  });
  return actions;
}

const kinds = (actions: Array<IncidentAction | null>) =>
  actions.map((action) => action?.kind ?? '-').join(' ');

describe('incidents', () => {
  it('opens one alert for an incident however long it lasts, and resolves it after three normal steps', () => {
    const actions = run([[], [latency()], [latency()], [latency()], [], [], [], []]);
    expect(kinds(actions)).toBe('- open - - - - resolve -');
    expect(actions[1]).toMatchObject({
      incident: {
        alertId: 'alert-1',
        openedAtMs: 60_000,
        signals: ['latency_p99'],
        severity: 'warning',
      },
    });
  });

  it('groups another signal of the same service into the open alert and raises severity', () => {
    const actions = run([[latency()], [latency(), errors(0.995)], [errors()]]);
    expect(kinds(actions)).toBe('open update -');
    expect(actions[1]).toMatchObject({
      kind: 'update',
      severityChanged: true,
      incident: {
        alertId: 'alert-1',
        signals: ['latency_p99', 'error_ratio'],
        severity: 'critical',
      },
    });
  });

  it('does not resolve on a single normal step in the middle of an incident', () => {
    // Seen at two steps of three, the fault needs five quiet steps (a third each: 1/3^5 < 1%).
    expect(kinds(run([[latency()], [], [latency()], [], [], [], [], []]))).toBe(
      'open - - - - - - resolve',
    );
  });

  it('reopens the same alert when the signal relapses soon after resolving (flapping), but opens a new one later', () => {
    const flapping = run([[latency()], [], [], [], [latency()]]);
    expect(kinds(flapping)).toBe('open - - resolve reopen');
    expect(flapping[4]).toMatchObject({ incident: { alertId: 'alert-1' } });
    const later = run([[latency()], [], [], [], [], [], [], [], [], [], [latency()]]);
    expect(kinds(later)).toBe('open - - resolve - - - - - - open');
    expect(later[10]).toMatchObject({ incident: { alertId: 'alert-2' } });
  });

  it('reopens with the figures of the relapse, and gives another signal alarming soon after an alert of its own', () => {
    const worse = { ...latency(), observed: 950 };
    const relapse = run([[latency()], [], [], [], [worse]]);
    expect(kinds(relapse)).toBe('open - - resolve reopen');
    const reopened = relapse[4]!.incident;
    expect(headlineFault(reopened)).toMatchObject({ current: 950, peak: 950, expected: 100 });
    const other = run([[latency()], [], [], [], [errors()]]);
    expect(kinds(other)).toBe('open - - resolve open');
    expect(other[4]).toMatchObject({
      incident: { alertId: 'alert-2', first: { signal: 'error_ratio' } },
    });
  });

  it('waits for the configured number of anomalous steps before opening', () => {
    expect(kinds(run([[latency()], [], [latency()], [latency()]], { openAfterSteps: 2 }))).toBe(
      '- - - open',
    );
  });

  it('keeps an incident open while its signal stays outside the band, though scores fall', () => {
    const actions = run([[latency()], [stillSlow()], [stillSlow()], [stillSlow()], [], [], []]);
    expect(actions.map((action) => action?.kind ?? null)).toEqual([
      'open',
      null,
      null,
      null,
      null,
      null,
      'resolve',
    ]);
  });

  it('does not open an incident for a value outside its band without an alarm', () => {
    expect(run([[stillSlow()], [stillSlow()], [stillSlow()]])).toEqual([null, null, null]);
  });

  describe('with every observed value (as the evaluator reports them)', () => {
    const queue = (observed: number, alarm = false): Anomaly => ({
      signal: 'metric:messaging.queue.depth',
      operation: null,
      score: alarm ? 0.9 : 0.2,
      observed,
      expected: 10,
      lower: 8,
      upper: 12,
      alarm,
    });
    const seen = (observed: number): Observation => ({
      signal: 'metric:messaging.queue.depth',
      operation: null,
      observed,
    });
    /** Steps of [anomalies, observations]; returns the actions. */
    function follow(steps: Array<[Anomaly[], Observation[]]>): Array<IncidentAction | null> {
      let state = initialIncidentState();
      return steps.map(([anomalies, observations], index) => {
        const next = advanceIncident(
          state,
          index * 10_000,
          anomalies,
          () => 'alert-1',
          DEFAULT_INCIDENT_POLICY,
          observations,
        );
        state = next.state;
        return next.action;
      });
    }

    it('keeps a queue at ten times its level open once the band has absorbed the climb', () => {
      const steps: Array<[Anomaly[], Observation[]]> = [[[queue(30, true)], [seen(30)]]];
      // The model gets used to the climb: no anomaly any more, yet the queue is at 100+.
      for (let i = 0; i < 40; i++) steps.push([[], [seen(100 + i)]]);
      const actions = follow(steps);
      expect(actions.some((action) => action?.kind === 'resolve')).toBe(false);
      const last = actions.findLast((action) => action?.kind === 'update');
      expect(last).toMatchObject({ incident: { faults: {} } });
      expect(headlineFault(last!.incident)).toMatchObject({
        current: 139,
        peak: 139,
        expected: 10,
      });
    });

    it('resolves once the value is back well inside its band before the incident (or below it) for three steps', () => {
      // Band 8..12 about 10: recovered at 11 or less (half the band's width above); 13, past
      // the band's edge, shows the fault again; 3, below the band, is good news for a queue.
      const actions = follow([
        [[queue(300, true)], [seen(300)]],
        [[], [seen(11)]],
        [[], [seen(13)]],
        [[], [seen(10)]],
        [[], [seen(3)]],
        [[], [seen(9)]],
        [[], [seen(10)]],
        [[], [seen(8)]],
      ]);
      // Back, then at the edge again: seen at two steps of three, it needs five quiet ones.
      expect(actions.map((action) => action?.kind ?? '-')).toEqual([
        'open',
        'update',
        'update',
        'update',
        'update',
        'update',
        'update',
        'resolve',
      ]);
    });

    it('resolves a recovered series that strays between half its band and its edge now and then', () => {
      // Healthy again from the second step: 10 at most steps, 11.5 (past half the band,
      // inside it) at every other one, as a healthy series is at some steps. Such a step
      // pauses the count of recovered steps but is no showing of the fault: the third
      // recovered step resolves it.
      const steps: Array<[Anomaly[], Observation[]]> = [[[queue(300, true)], [seen(300)]]];
      for (let i = 0; i < 3; i++) steps.push([[], [seen(11.5)]], [[], [seen(10)]]);
      const kinds = follow(steps).map((action) => action?.kind ?? '-');
      expect(kinds.indexOf('resolve')).toBe(steps.length - 1);
    });

    it('takes an out-of-band value its volume cannot vouch for as no showing of the fault', () => {
      // The p99 of a handful of requests is their slowest one: out of the band now and then.
      const noisy: Observation = { ...seen(300), credible: false };
      const steps: Array<[Anomaly[], Observation[]]> = [
        [[queue(300, true)], [seen(300)]],
        [[], [seen(10)]],
        [[], [noisy]],
        [[], [seen(10)]],
        [[], [seen(10)]],
      ];
      expect(
        follow(steps)
          .map((action) => action?.kind ?? '-')
          .at(-1),
      ).toBe('resolve');
      // Vouched for, the same value shows the fault again: the count starts over.
      steps[2] = [[], [seen(300)]];
      expect(follow(steps).map((action) => action?.kind)).not.toContain('resolve');
    });

    it('waits longer to resolve a fault that often looked recovered while it went on', () => {
      // A tail regression: the queue is high at one step in two, back in band at the others.
      const steps: Array<[Anomaly[], Observation[]]> = [[[queue(300, true)], [seen(300)]]];
      for (let i = 0; i < 4; i++) steps.push([[], [seen(10)]], [[], [seen(300)]]);
      const flapping = follow(steps).map((action) => action?.kind ?? '-');
      expect(flapping).not.toContain('resolve');
      // Shown at 5 steps of 9, it needs 6 healthy steps in a row (0.44^6 < 1%), not 3.
      for (let i = 0; i < 6; i++) steps.push([[], [seen(10)]]);
      const kinds = follow(steps).map((action) => action?.kind ?? '-');
      expect(kinds.indexOf('resolve')).toBe(steps.length - 1);
      const steady = follow([
        [[queue(300, true)], [seen(300)]],
        [[], [seen(10)]],
        [[], [seen(10)]],
        [[], [seen(10)]],
      ]);
      expect(steady.map((action) => action?.kind ?? '-')).toContain('resolve');
    });

    it('counts only the steps the series was observed in toward recovery', () => {
      const actions = follow([
        [[queue(300, true)], [seen(300)]],
        [[], [seen(11)]],
        [[], []],
        [[], []],
        [[], [seen(11)]],
        [[], []],
        [[], [seen(10)]],
      ]);
      expect(actions.map((action) => action?.kind ?? '-').join(' ')).toBe(
        'open update - - - - resolve',
      );
    });

    it('notifies again only when the fault has grown much since the last notification', () => {
      const actions = follow([
        [[queue(30, true)], [seen(30)]],
        [[], [seen(35)]],
        [[], [seen(55)]],
        [[], [seen(60)]],
        [[], [seen(120)]],
      ]);
      expect(actions.map((action) => (action?.kind === 'update' ? action.notify : null))).toEqual([
        null,
        false,
        true,
        false,
        true,
      ]);
    });

    it('does not take a lasting fault for recovered because it is milder than its first spike', () => {
      const steps: Array<[Anomaly[], Observation[]]> = [[[queue(500, true)], [seen(500)]]];
      for (let i = 0; i < 10; i++) steps.push([[], [seen(40)]]);
      expect(follow(steps).some((action) => action?.kind === 'resolve')).toBe(false);
    });
  });
});
