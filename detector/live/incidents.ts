/**
 * Turns per-step anomaly verdicts of one service's signals into alert decisions.
 * Pure: the evaluator feeds it one step at a time and carries the state between
 * steps (and across restarts, as JSON). One incident of a service is one alert,
 * whatever number of its signals go wrong and for however many steps.
 */
import { movesBadWay, signalInfo } from '../../signals/index.ts';

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
  /** The band of normal values at this step (before the model learned the value). */
  lower?: number;
  upper?: number;
}

/** A value a series took at a step, anomalous or not: what recovery is judged on. */
export interface Observation {
  signal: string;
  operation: string | null;
  observed: number;
  /**
   * False when the value is out of its band but the step's volume cannot tell it from
   * noise (the p99 of five requests, the error ratio of two): no showing of a fault.
   */
  credible?: boolean;
}

/**
 * A series that alarmed in an incident, and what it looked like before: the incident
 * resolves when each of these is back near that, not when a model has got used to it.
 */
export interface Fault {
  signal: string;
  operation: string | null;
  /** The expectation and band of the step it first alarmed at. */
  expected: number;
  lower: number;
  upper: number;
  /** The value farthest from `expected`, and the last one seen. */
  peak: number;
  current: number;
  /**
   * Observed steps it has been recovered since it last showed (steps inside the band but
   * not back near the expectation pause the count).
   */
  recoveredSteps: number;
  /**
   * Observed steps from its first alarm to the last step it showed (outside its band), and
   * how many of them it showed at: how often the fault shows (absent in states saved before
   * they existed: its first step only).
   */
  heldSteps?: number;
  faultySteps?: number;
  /** Observed steps since it last showed, recovered or not (absent: recoveredSteps). */
  sinceShowing?: number;
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
  /** The series that alarmed, by seriesName (absent in states saved before it existed). */
  faults?: Record<string, Fault>;
  /** Steps in a row in which no fault was observed (no requests, no metric points). */
  unobservedSteps?: number;
  /** The headline fault's distance from its expectation when last notified. */
  notifiedDeviation?: number;
}

/**
 * A fault without a band (its alarm came from pooled steps, inside the engine's band) is
 * recovered back within this share of its peak distance from the expectation.
 */
const RECOVERED_SHARE = 0.2;
/** An incident none of whose faults was observed for this many steps resolves (it went away). */
const UNOBSERVED_RESOLVE_STEPS = 30;
/** A notification goes out again when the headline's distance from normal doubles. */
const NOTIFY_FACTOR = 2;

export function seriesName(series: { signal: string; operation: string | null }): string {
  return `${series.signal}\u0000${series.operation ?? ''}`;
}

/**
 * Hysteresis: an alert opens on a value outside the band (three standard deviations of the
 * residual), and a step counts toward recovery only back within this share of the band's
 * half-width of the expectation (one and a half): a fault hovering about the band's edge
 * stays one incident, while a healthy series is within it most steps (about 87% of them
 * for a normal residual), so a real recovery still resolves within a few steps.
 */
const RESOLVE_BAND_SHARE = 0.5;
/**
 * The chance, at most, that a fault still going on looks recovered for as many steps in a
 * row as its resolution takes: one alert in a hundred resolving under a live fault.
 */
const FLAP_CHANCE = 0.01;
/** However rarely a fault showed, this many recovered steps resolve it. */
const MAX_RESOLVE_STEPS = 30;

/**
 * Recovered steps a fault needs before it resolves: at least `minimum`, and enough that a
 * fault showing at the share of steps it showed at so far (faultySteps of heldSteps, up to
 * its last showing) would have shown again with a chance of 1 − FLAP_CHANCE. A tail
 * regression touching a few percent of requests, or errors of a route of two requests a
 * step, leave many steps that look healthy: their alerts wait longer than a fault seen at
 * every step.
 */
export function stepsToResolve(fault: Fault, minimum: number): number {
  const held = Math.max(1, fault.heldSteps ?? 1);
  const share = Math.min(1, (fault.faultySteps ?? held) / held);
  if (share >= 1) return minimum;
  const needed = Math.ceil(Math.log(FLAP_CHANCE) / Math.log(1 - share));
  return Math.min(MAX_RESOLVE_STEPS, Math.max(minimum, needed));
}

/**
 * Back near what it was before the incident (well inside its band then, or, without one,
 * most of the way back from its peak), on the side the signal is bad on: a latency below
 * its band is recovered.
 */
export function recovered(fault: Fault, value: number): boolean {
  const bad = signalInfo(fault.signal).bad;
  // Only a band-less fault is judged against its peak: one spike at the start of an
  // incident would make a lasting, milder fault look recovered.
  const reach =
    fault.lower < fault.upper
      ? {
          below: RESOLVE_BAND_SHARE * (fault.expected - fault.lower),
          above: RESOLVE_BAND_SHARE * (fault.upper - fault.expected),
        }
      : {
          below: RECOVERED_SHARE * Math.abs(fault.peak - fault.expected),
          above: RECOVERED_SHARE * Math.abs(fault.peak - fault.expected),
        };
  const tooHigh = value > fault.expected + reach.above && movesBadWay(bad, value, fault.expected);
  const tooLow = value < fault.expected - reach.below && movesBadWay(bad, value, fault.expected);
  return !tooHigh && !tooLow;
}

/** The fault the alert is about (the first that alarmed). */
export function headlineFault(incident: OpenIncident): Fault | undefined {
  return incident.faults?.[seriesName(incident.first)];
}

export interface IncidentState {
  open: OpenIncident | null;
  anomalousSteps: number;
  normalSteps: number;
  /** The last resolved incident, which a quick relapse reopens. */
  resolved: (OpenIncident & { resolvedAtStep: number }) | null;
  step: number;
  /** Start of the last step advanced over, ms (kept by the evaluator; absent before it). */
  lastStepMs?: number;
}

export type IncidentAction =
  | { kind: 'open'; incident: OpenIncident; anomalies: Anomaly[] }
  | { kind: 'reopen'; incident: OpenIncident; anomalies: Anomaly[] }
  | {
      kind: 'update';
      incident: OpenIncident;
      anomalies: Anomaly[];
      severityChanged: boolean;
      /** Worth a notification (severity, signals or the size of the fault changed much). */
      notify: boolean;
    }
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
  observations?: readonly Observation[],
): { state: IncidentState; action: IncidentAction | null } {
  const step = state.step + 1;
  const open = state.open;
  if (open?.faults) return followIncident(state, open, reported, policy, observations);
  // Outside its band, a signal of the open incident keeps it open; any other signal
  // needs an alarm to count.
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
            notify: true,
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
  // A relapse of the alert's own headline series reopens it, its figures those of now;
  // another series alarming soon after is a fault of its own, with an alert that says so.
  const headline = state.resolved && seriesName(state.resolved.first);
  const relapse = anomalies.find((anomaly) => seriesName(anomaly) === headline);
  if (
    state.resolved &&
    relapse &&
    step - state.resolved.resolvedAtStep <= policy.reopenWithinSteps
  ) {
    const { resolvedAtStep: _resolvedAtStep, ...previous } = state.resolved; // dropped: reopened
    const signals = [
      ...new Set([...previous.signals, ...anomalies.map((anomaly) => anomaly.signal)]),
    ];
    const peakScore = Math.max(previous.peakScore, peak);
    const faults = previous.faults ? structuredClone(previous.faults) : {};
    for (const fault of Object.values(faults)) fault.recoveredSteps = 0;
    for (const anomaly of anomalies) {
      const fault = faults[seriesName(anomaly)];
      if (!fault) {
        faults[seriesName(anomaly)] = faultOf(anomaly);
        continue;
      }
      fault.current = anomaly.observed;
      if (Math.abs(anomaly.observed - fault.expected) > Math.abs(fault.peak - fault.expected))
        fault.peak = anomaly.observed;
    }
    const incident: OpenIncident = {
      ...previous,
      signals,
      peakScore,
      severity: severityOf(peakScore),
      faults,
      unobservedSteps: 0,
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
    faults: faultsOf(anomalies),
    unobservedSteps: 0,
    notifiedDeviation: Math.abs(strongest.observed - strongest.expected),
  };
  return {
    state: { open: incident, anomalousSteps, normalSteps: 0, resolved: state.resolved, step },
    action: { kind: 'open', incident, anomalies },
  };
}

function faultOf(anomaly: Anomaly): Fault {
  const lower = anomaly.lower ?? anomaly.expected;
  const upper = anomaly.upper ?? anomaly.expected;
  // An alarm inside the band (an error ratio judged over pooled steps) says the band is too
  // wide to tell recovery by: only getting back near the expectation counts then.
  const inBand = anomaly.observed >= lower && anomaly.observed <= upper;
  return {
    signal: anomaly.signal,
    operation: anomaly.operation,
    expected: anomaly.expected,
    lower: inBand ? anomaly.expected : lower,
    upper: inBand ? anomaly.expected : upper,
    peak: anomaly.observed,
    current: anomaly.observed,
    recoveredSteps: 0,
    heldSteps: 1,
    faultySteps: 1,
  };
}

function faultsOf(alarms: readonly Anomaly[]): Record<string, Fault> {
  const faults: Record<string, Fault> = {};
  for (const anomaly of alarms) faults[seriesName(anomaly)] ??= faultOf(anomaly);
  return faults;
}

/**
 * Whether a value not recovered shows the fault: outside the band the fault opened with, on
 * its bad side (a fault without a band shows at every value not recovered).
 */
function shows(fault: Fault, value: number): boolean {
  if (fault.lower >= fault.upper) return true;
  const outside = value > fault.upper || value < fault.lower;
  return outside && movesBadWay(signalInfo(fault.signal).bad, value, fault.expected);
}

/**
 * One step of an open incident: its faults' figures follow the values observed, and it
 * resolves once every fault has been recovered (recovered()) for policy.resolveAfterSteps
 * observed steps in a row, or more for a fault that often looked recovered while it went on
 * (stepsToResolve). Without `observations`, the reported anomalies are all that was
 * observed and every other fault counts as recovered at this step.
 */
function followIncident(
  state: IncidentState,
  open: OpenIncident,
  reported: Anomaly[],
  policy: IncidentPolicy,
  observations: readonly Observation[] | undefined,
): { state: IncidentState; action: IncidentAction | null } {
  const step = state.step + 1;
  const faults = structuredClone(open.faults ?? {});
  const alarms = reported.filter((anomaly) => anomaly.alarm);
  for (const anomaly of alarms) faults[seriesName(anomaly)] ??= faultOf(anomaly);
  const seen = new Map<string, number>();
  const doubtful = new Set<string>();
  for (const entry of observations ?? reported) {
    seen.set(seriesName(entry), entry.observed);
    if ('credible' in entry && entry.credible === false) doubtful.add(seriesName(entry));
  }
  let observedAny = false;
  let moved = false;
  for (const [name, fault] of Object.entries(faults)) {
    const value = seen.get(name);
    if (value === undefined) {
      if (observations === undefined) fault.recoveredSteps++;
      observedAny ||= observations === undefined;
      continue;
    }
    observedAny = true;
    moved ||= fault.current !== value;
    fault.current = value;
    if (Math.abs(value - fault.expected) > Math.abs(fault.peak - fault.expected))
      fault.peak = value;
    const since = fault.sinceShowing ?? fault.recoveredSteps;
    if (shows(fault, value) && !doubtful.has(name)) {
      // The steps since it last showed were the fault's too: they join its record.
      fault.heldSteps = (fault.heldSteps ?? 1) + since + 1;
      fault.faultySteps = (fault.faultySteps ?? 1) + 1;
      fault.recoveredSteps = 0;
      fault.sinceShowing = 0;
    } else {
      // Inside the band but not back near the expectation is not recovered yet, nor a
      // showing of the fault (a healthy series is there at some steps: counted as the
      // fault's, they made a recovered checkout look ever more intermittent, and it never
      // resolved): it pauses the count.
      if (recovered(fault, value)) fault.recoveredSteps++;
      fault.sinceShowing = since + 1;
    }
  }
  const unobservedSteps = observedAny ? 0 : (open.unobservedSteps ?? 0) + 1;
  const relevant = reported.filter(
    (anomaly) => anomaly.alarm || open.signals.includes(anomaly.signal),
  );
  const anomalousSteps = relevant.length > 0 ? state.anomalousSteps + 1 : 0;
  const normalSteps = relevant.length > 0 ? 0 : state.normalSteps + 1;
  const signals = [...new Set([...open.signals, ...alarms.map((anomaly) => anomaly.signal)])];
  const peakScore = Math.max(open.peakScore, ...relevant.map((anomaly) => anomaly.score));
  const severity = peakScore >= policy.criticalScore ? 'critical' : 'warning';
  const headline = faults[seriesName(open.first)];
  const deviation = headline ? Math.abs(headline.current - headline.expected) : 0;
  const notifiedDeviation = open.notifiedDeviation ?? deviation;
  const grew = deviation >= NOTIFY_FACTOR * notifiedDeviation && deviation > 0;
  const notify = grew || severity !== open.severity || signals.length !== open.signals.length;
  const incident: OpenIncident = {
    ...open,
    signals,
    peakScore,
    severity,
    faults,
    unobservedSteps,
    notifiedDeviation: notify ? deviation : notifiedDeviation,
  };
  const gone = Object.values(faults).every(
    (fault) => fault.recoveredSteps >= stepsToResolve(fault, policy.resolveAfterSteps),
  );
  if (gone || unobservedSteps >= UNOBSERVED_RESOLVE_STEPS) {
    return {
      state: {
        open: null,
        anomalousSteps: 0,
        normalSteps,
        resolved: { ...incident, resolvedAtStep: step },
        step,
      },
      action: { kind: 'resolve', incident },
    };
  }
  return {
    state: { ...state, open: incident, anomalousSteps, normalSteps, step },
    action:
      moved || notify || peakScore !== open.peakScore
        ? {
            kind: 'update',
            incident,
            anomalies: relevant,
            severityChanged: severity !== open.severity,
            notify,
          }
        : null,
  };
}
