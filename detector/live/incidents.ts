/**
 * Turns per-step anomaly verdicts of one service's signals into alert decisions.
 * Pure: the evaluator feeds it one step at a time and carries the state between
 * steps (and across restarts, as JSON). One incident of a service is one alert,
 * whatever number of its signals go wrong and for however many steps.
 */

export interface Anomaly {
  signal: string;
  operation: string | null;
  score: number;
  observed: number;
  expected: number;
  /**
   * True when the score crossed the threshold: such a step can open an incident. False
   * when the value is only outside its band: that keeps an open incident of this signal
   * open (the engine damps the scores of an incident it has already reported) but
   * opens nothing and adds nothing to an incident.
   */
  alarm: boolean;
}

export interface IncidentPolicy {
  /** Consecutive anomalous steps before an alert opens (default 1). */
  openAfterSteps: number;
  /** Consecutive normal steps before an open alert resolves (default 3). */
  resolveAfterSteps: number;
  /** A new anomaly this many steps after a resolution reopens that alert instead (default 5): flapping. */
  reopenWithinSteps: number;
  /** Scores at or above this make an alert critical rather than a warning (default 0.99). */
  criticalScore: number;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  openAfterSteps: 1,
  resolveAfterSteps: 3,
  reopenWithinSteps: 5,
  criticalScore: 0.99,
};

export interface OpenIncident {
  alertId: string;
  openedAtMs: number;
  /** The anomaly that opened it (the alert's headline signal). */
  first: Anomaly;
  signals: string[];
  peakScore: number;
  severity: 'warning' | 'critical';
}

export interface IncidentState {
  open: OpenIncident | null;
  anomalousSteps: number;
  normalSteps: number;
  /** The last resolved incident, which a quick relapse reopens. */
  resolved: (OpenIncident & { resolvedAtStep: number }) | null;
  step: number;
}

export type IncidentAction =
  | { kind: 'open'; incident: OpenIncident; anomalies: Anomaly[] }
  | { kind: 'reopen'; incident: OpenIncident; anomalies: Anomaly[] }
  | { kind: 'update'; incident: OpenIncident; anomalies: Anomaly[]; severityChanged: boolean }
  | { kind: 'resolve'; incident: OpenIncident };

export function initialIncidentState(): IncidentState {
  return { open: null, anomalousSteps: 0, normalSteps: 0, resolved: null, step: 0 };
}

/**
 * Advances the state by one step. `reported` are the service's signals that are anomalous
 * at this step (empty when all are normal), alarms and values outside their band. `newAlertId`
 * names an alert when one opens.
 */
export function advanceIncident(
  state: IncidentState,
  timeMs: number,
  reported: Anomaly[],
  newAlertId: () => string,
  policy: IncidentPolicy = DEFAULT_INCIDENT_POLICY,
): { state: IncidentState; action: IncidentAction | null } {
  const step = state.step + 1;
  // Outside its band, a signal of the open incident keeps it open; any other signal
  // needs an alarm to count.
  const open = state.open;
  const anomalies = reported.filter(
    (anomaly) => anomaly.alarm || (open !== null && open.signals.includes(anomaly.signal)),
  );
  if (anomalies.length === 0) {
    const normalSteps = state.normalSteps + 1;
    if (state.open && normalSteps >= policy.resolveAfterSteps) {
      return {
        state: {
          open: null,
          anomalousSteps: 0,
          normalSteps,
          resolved: { ...state.open, resolvedAtStep: step },
          step,
        },
        action: { kind: 'resolve', incident: state.open },
      };
    }
    return { state: { ...state, anomalousSteps: 0, normalSteps, step }, action: null };
  }

  const anomalousSteps = state.anomalousSteps + 1;
  const peak = Math.max(...anomalies.map((anomaly) => anomaly.score));
  const severityOf = (score: number) => (score >= policy.criticalScore ? 'critical' : 'warning');
  if (state.open) {
    const signals = [
      ...new Set([...state.open.signals, ...anomalies.map((anomaly) => anomaly.signal)]),
    ];
    const peakScore = Math.max(state.open.peakScore, peak);
    const incident: OpenIncident = {
      ...state.open,
      signals,
      peakScore,
      severity: severityOf(peakScore),
    };
    const changed =
      incident.severity !== state.open.severity || signals.length !== state.open.signals.length;
    return {
      state: { ...state, open: incident, anomalousSteps, normalSteps: 0, step },
      action: changed
        ? {
            kind: 'update',
            incident,
            anomalies,
            severityChanged: incident.severity !== state.open.severity,
          }
        : null,
    };
  }
  if (anomalousSteps < policy.openAfterSteps) {
    return { state: { ...state, anomalousSteps, normalSteps: 0, step }, action: null };
  }
  const strongest = anomalies.reduce((best, anomaly) =>
    anomaly.score > best.score ? anomaly : best,
  );
  if (state.resolved && step - state.resolved.resolvedAtStep <= policy.reopenWithinSteps) {
    const { resolvedAtStep: _resolvedAtStep, ...previous } = state.resolved; // dropped: reopened
    const signals = [
      ...new Set([...previous.signals, ...anomalies.map((anomaly) => anomaly.signal)]),
    ];
    const peakScore = Math.max(previous.peakScore, peak);
    const incident: OpenIncident = {
      ...previous,
      signals,
      peakScore,
      severity: severityOf(peakScore),
    };
    return {
      state: { open: incident, anomalousSteps, normalSteps: 0, resolved: null, step },
      action: { kind: 'reopen', incident, anomalies },
    };
  }
  const incident: OpenIncident = {
    alertId: newAlertId(),
    openedAtMs: timeMs,
    first: strongest,
    signals: [...new Set(anomalies.map((anomaly) => anomaly.signal))],
    peakScore: peak,
    severity: severityOf(peak),
  };
  return {
    state: { open: incident, anomalousSteps, normalSteps: 0, resolved: state.resolved, step },
    action: { kind: 'open', incident, anomalies },
  };
}
