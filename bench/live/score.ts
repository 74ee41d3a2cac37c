/**
 * Scoring of alert timelines against what each scenario knows of its fault. Pure: the
 * timelines come from the harness (or, in tests, by hand).
 */

/** A notification the evaluator sent, at the global step whose evaluation sent it. */
export interface AlertEvent {
  type: 'anomaly.opened' | 'anomaly.updated' | 'anomaly.resolved';
  alertId: string;
  service: string;
  /** Every service of the alert: a service that joined its incident is one of them. */
  services?: readonly string[];
  /** The alert's headline signal and every signal it carries by then. */
  signal: string;
  signals: readonly string[];
  /** The service the alert's root-cause ranking put first when it was sent (null: none). */
  rootCause?: string | null;
  step: number;
  /** The alert's text when sent. */
  summary?: string;
}

export interface Truth {
  incident: boolean;
  /** The fault (or benign event): [fromStep, toStep). */
  fromStep: number;
  toStep: number;
  /** From here the fault is as large as the documented magnitude; delay counts from it. */
  noticeStep: number;
  faultServices: readonly string[];
  /** Services the fault reaches: their pages within the window are neither false nor detections. */
  affectedServices: readonly string[];
  /** Signals the fault moves; a signal matches a prefix (`latency_` covers p50, p95, p99). */
  faultSignals: readonly string[];
  /**
   * Where a fault was injected that others follow (a cascade): the incident's first
   * root-cause candidate should name it. Null when the kind has no such service.
   */
  rootService?: string | null;
}

export interface Outcome {
  detected: boolean;
  /** Steps from the notice step to the first notification about the fault (0 when at or before it). */
  delaySteps: number | null;
  /** The service and headline signal of the first alert about the fault. */
  firstService: string | null;
  firstSignal: string | null;
  /**
   * The first root-cause candidate of the incident's alert, at its page (the detection)
   * and as its last notification in the window left it (joined services re-rank it).
   */
  rootCauseAtPage: string | null;
  rootCauseLast: string | null;
  /** Whether both name the scenario's root service (null when it has none, or undetected). */
  rootCauseRight: boolean | null;
  /** Alerts of the incident resolved while the fault went on. */
  flaps: number;
  /**
   * Steps from the fault's end to the resolution of the alert that detected it (0: at the
   * first evaluation after it); null when undetected or still open when the scenario ended.
   */
  resolveSteps: number | null;
  /** Pages (`anomaly.opened`, re-openings included) for the incident, on faulty and affected services. */
  pages: number;
  /** Every notification of the incident's alerts: pages, updates and resolutions. */
  notifications: number;
  /** Pages that are not about the fault: benign scenarios, other services, outside the window. */
  falseAlerts: number;
}

/** Steps after a fault's end during which a page still counts as a (late) detection. */
export const GRACE_STEPS = 3;

export function scoreScenario(truth: Truth, events: readonly AlertEvent[]): Outcome {
  const inWindow = (event: AlertEvent) =>
    truth.incident && event.step >= truth.fromStep && event.step < truth.toStep + GRACE_STEPS;
  const about = (event: AlertEvent) =>
    event.signals.some((signal) => truth.faultSignals.some((prefix) => signal.startsWith(prefix)));
  const on = (event: AlertEvent, services: readonly string[]) =>
    (event.services ?? [event.service]).some((service) => services.includes(service));
  const opened = events.filter((event) => event.type === 'anomaly.opened');
  // An alert that opens on something else and then takes in the fault's signals (an update)
  // shows the fault to whoever looks at it: it detects from that update. So does an alert
  // the faulty service joined (its incident reached another service's alert first).
  const first = events.find(
    (event) =>
      event.type !== 'anomaly.resolved' &&
      inWindow(event) &&
      on(event, truth.faultServices) &&
      about(event),
  );
  const pages = opened.filter(
    (event) =>
      inWindow(event) &&
      about(event) &&
      on(event, [...truth.faultServices, ...truth.affectedServices]),
  );
  const incidentAlerts = new Set(pages.map((event) => event.alertId));
  if (first) incidentAlerts.add(first.alertId);
  const flaps = events.filter(
    (event) =>
      event.type === 'anomaly.resolved' &&
      incidentAlerts.has(event.alertId) &&
      event.step < truth.toStep,
  ).length;
  const incidentEvents = first
    ? events.filter(
        (event) =>
          event.alertId === first.alertId && event.type !== 'anomaly.resolved' && inWindow(event),
      )
    : [];
  const resolution = first
    ? events.find(
        (event) =>
          event.type === 'anomaly.resolved' &&
          event.alertId === first.alertId &&
          event.step >= truth.toStep,
      )
    : undefined;
  const rootCauseAtPage = first?.rootCause ?? null;
  const rootCauseLast = incidentEvents.at(-1)?.rootCause ?? null;
  return {
    detected: first !== undefined,
    delaySteps: first === undefined ? null : Math.max(0, first.step - truth.noticeStep),
    firstService: first?.service ?? null,
    firstSignal: first?.signal ?? null,
    rootCauseAtPage,
    rootCauseLast,
    rootCauseRight:
      truth.rootService && first
        ? rootCauseAtPage === truth.rootService && rootCauseLast === truth.rootService
        : null,
    flaps,
    resolveSteps: resolution ? resolution.step - truth.toStep : null,
    pages: pages.length,
    notifications: events.filter((event) => incidentAlerts.has(event.alertId)).length,
    // The page of an alert that became the incident's by an update was not false either.
    falseAlerts: opened.filter(
      (event) => !pages.includes(event) && !incidentAlerts.has(event.alertId),
    ).length,
  };
}

export interface KindSummary {
  kind: string;
  incident: boolean;
  scenarios: number;
  /** Incidents: share detected. */
  recall: number | null;
  /** Benign: pages per benign event; incidents: pages outside the fault, per scenario. */
  falseAlertsPerScenario: number;
  delayMedian: number | null;
  delayP90: number | null;
  flaps: number;
  /** Detected incidents: steps from the fault's end to their alert's resolution. */
  resolveMedian: number | null;
  resolveP90: number | null;
  /** Detected incidents whose alert was still open when their scenario ended. */
  stillOpen: number;
  pagesPerIncident: number | null;
  notificationsPerIncident: number | null;
  /** Detected incidents with a root service whose first root-cause candidate named it, of those. */
  rootCauseRight: number | null;
  rootCauseJudged: number;
}

/** Per-kind (or overall, with kind `all`) figures of scored scenarios. */
export function summarize(
  kind: string,
  incident: boolean,
  outcomes: readonly Outcome[],
): KindSummary {
  const detected = outcomes.filter((outcome) => outcome.detected);
  const delays = detected.map((outcome) => outcome.delaySteps!).sort((a, b) => a - b);
  const resolves = detected
    .filter((outcome) => outcome.resolveSteps !== null)
    .map((outcome) => outcome.resolveSteps!)
    .sort((a, b) => a - b);
  const judged = detected.filter((outcome) => outcome.rootCauseRight !== null);
  const mean = (values: number[]) =>
    values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    kind,
    incident,
    scenarios: outcomes.length,
    recall: incident && outcomes.length > 0 ? detected.length / outcomes.length : null,
    falseAlertsPerScenario:
      outcomes.length === 0
        ? 0
        : outcomes.reduce((sum, o) => sum + o.falseAlerts, 0) / outcomes.length,
    delayMedian: quantile(delays, 0.5),
    delayP90: quantile(delays, 0.9),
    flaps: outcomes.reduce((sum, outcome) => sum + outcome.flaps, 0),
    resolveMedian: quantile(resolves, 0.5),
    resolveP90: quantile(resolves, 0.9),
    stillOpen: detected.length - resolves.length,
    pagesPerIncident: incident ? mean(detected.map((outcome) => outcome.pages)) : null,
    notificationsPerIncident: incident
      ? mean(detected.map((outcome) => outcome.notifications))
      : null,
    rootCauseRight:
      judged.length === 0 ? null : judged.filter((outcome) => outcome.rootCauseRight).length,
    rootCauseJudged: judged.length,
  };
}

/** Nearest-rank quantile of sorted values (null when empty). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
