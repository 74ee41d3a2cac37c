import type { Alert } from '../../alerts/index.ts';
import { explainAnomaly, explainMetric } from '../../alerts/live/index.ts';
import { signalInfo } from '../../signals/index.ts';
import { METRIC_SIGNAL_PREFIX, readMetricUnit } from '../../signals/live/index.ts';
import { alertSummary } from './alert-text.ts';
import { joinOrRank } from './cross-service.ts';
import { explainLogAnomaly, isLogSignal } from './log-judgement.ts';
import type { EvaluatorOptions } from './evaluator-options.ts';
import { headlineFault, type IncidentAction, type OpenIncident } from './incidents.ts';

/** A metric alert's instances are compared with this many steps before it opened. */
const METRIC_BASELINE_STEPS = 10;

/** Writes what an incident decision means for its alert; returns what happened. */
export async function applyAction(
  options: EvaluatorOptions,
  service: string,
  action: IncidentAction,
  atMs: number,
): Promise<'opened' | 'updated' | 'resolved' | 'none'> {
  const now = new Date(Math.max(atMs, options.now())).toISOString();
  const incident = action.incident;
  if (action.kind === 'open') {
    const first = incident.first;
    const signal = first.signal;
    const across = await joinOrRank(options, {
      service,
      signal,
      openedAtMs: incident.openedAtMs,
      atMs,
    });
    if (across.joined) {
      // The service's incident follows the joined alert from now on: its own signals
      // update that alert (the state holds this very object).
      incident.alertId = across.joined.id;
      const alert: Alert = {
        ...across.joined,
        signals: [...new Set([...across.joined.signals, ...incident.signals])],
        severity: higherSeverity(across.joined.severity, incident.severity),
        updatedAt: now,
      };
      await options.alerts.save(alert);
      await options.onAlert?.('anomaly.updated', alert);
      return 'updated';
    }
    const info = signalInfo(signal);
    const stepMs = options.stepMs;
    const window = { service, fromMs: incident.openedAtMs - stepMs, toMs: atMs };
    // A metric is explained by its instances, spans by what is over-represented in them.
    const explanation = isLogSignal(signal)
      ? explainLogAnomaly(first)
      : signal.startsWith(METRIC_SIGNAL_PREFIX)
        ? await explainMetric(options.client, {
            ...window,
            metric: signal.slice(METRIC_SIGNAL_PREFIX.length),
            // Just before: the hour before may hold a restart's warm-up, which is not news.
            baselineMs: METRIC_BASELINE_STEPS * stepMs,
          })
        : await explainAnomaly(options.client, {
            ...window,
            // A drop in traffic is explained by what went missing, not by what remained.
            focus:
              signal === 'request_rate' && first.observed < first.expected ? 'missing' : info.focus,
          });
    const alert: Alert = {
      id: incident.alertId,
      service,
      signal,
      signals: incident.signals,
      operation: first.operation,
      severity: incident.severity,
      status: 'open',
      score: first.score,
      observed: first.observed,
      expected: first.expected,
      peak: first.observed,
      openedAt: new Date(incident.openedAtMs).toISOString(),
      updatedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      summary: await summaryOf(options, service, incident),
      explanation,
      services: [service],
      rootCause: across.rootCause,
    };
    await options.alerts.save(alert);
    await options.onAlert?.('anomaly.opened', alert);
    return 'opened';
  }
  const existing = await options.alerts.get(incident.alertId);
  if (!existing) return 'none';
  if (existing.service !== service) return followJoined(options, existing, action, now);
  if (action.kind === 'resolve') {
    if (existing.status === 'resolved') return 'none'; // a person resolved it already
    const fault = headlineFault(incident);
    const alert: Alert = {
      ...existing,
      ...(fault
        ? {
            observed: fault.current,
            peak: fartherPeak(existing, fault),
            summary: await summaryOf(options, service, incident),
          }
        : {}),
      status: 'resolved',
      updatedAt: now,
      resolvedAt: now,
      resolvedBy: 'opsless',
    };
    await options.alerts.save(alert);
    await options.onAlert?.('anomaly.resolved', alert);
    return 'resolved';
  }
  const reopened = action.kind === 'reopen';
  if (!reopened && existing.status === 'resolved') return 'none';
  const fault = headlineFault(incident);
  const alert: Alert = {
    ...existing,
    // The alert follows the incident: its figures and text are those of now.
    ...(fault
      ? {
          observed: fault.current,
          peak: fartherPeak(existing, fault),
          summary: await summaryOf(options, service, incident),
        }
      : {}),
    status: reopened ? 'open' : existing.status,
    signals: incident.signals,
    // Never lower: a failed remediation may have escalated the alert to critical.
    severity: higherSeverity(existing.severity, incident.severity),
    score: Math.max(existing.score, incident.peakScore),
    updatedAt: now,
    ...(reopened ? { resolvedAt: null, resolvedBy: null } : {}),
  };
  await options.alerts.save(alert);
  if (reopened) await options.onAlert?.('anomaly.opened', alert);
  else if (action.kind === 'update' && action.notify) {
    await options.onAlert?.('anomaly.updated', alert);
  }
  return reopened ? 'opened' : 'updated';
}

/**
 * A joined service's own signals update the incident's alert (signals, severity) but
 * not its headline figures; the alert resolves with its own service.
 */
async function followJoined(
  options: EvaluatorOptions,
  existing: Alert,
  action: IncidentAction,
  now: string,
): Promise<'updated' | 'none'> {
  if (action.kind === 'resolve' || existing.status === 'resolved') return 'none';
  const signals = [...new Set([...existing.signals, ...action.incident.signals])];
  const severity = higherSeverity(existing.severity, action.incident.severity);
  if (signals.length === existing.signals.length && severity === existing.severity) return 'none';
  const alert: Alert = { ...existing, signals, severity, updatedAt: now };
  await options.alerts.save(alert);
  await options.onAlert?.('anomaly.updated', alert);
  return 'updated';
}

/**
 * The alert's peak: the farthest from expected of what it had and what its headline fault
 * reached (a fault restored from an older state may have no peak of its own).
 */
function fartherPeak(existing: Alert, fault: { peak?: number; current: number }): number {
  const candidates = [existing.peak, fault.peak, fault.current].filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value),
  );
  return candidates.reduce((best, value) =>
    Math.abs(value - existing.expected) > Math.abs(best - existing.expected) ? value : best,
  );
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

function higherSeverity(a: Alert['severity'], b: Alert['severity']): Alert['severity'] {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** The alert's summary as its incident stands (see alertSummary). */
async function summaryOf(
  options: EvaluatorOptions,
  service: string,
  incident: OpenIncident,
): Promise<string> {
  const first = incident.first;
  const fault = headlineFault(incident) ?? {
    signal: first.signal,
    current: first.observed,
    expected: first.expected,
    peak: first.observed,
  };
  const metricUnit = first.signal.startsWith(METRIC_SIGNAL_PREFIX)
    ? await readMetricUnit(options.client, {
        service,
        metric: first.signal.slice(METRIC_SIGNAL_PREFIX.length),
      })
    : '';
  return alertSummary({
    service,
    subject: first.operation,
    fault,
    openedAtMs: incident.openedAtMs,
    metricUnit,
  });
}
