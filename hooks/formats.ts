import type { Alert } from '../alerts/index.ts';
import { explanationText } from '../alerts/index.ts';
import type { HookEvent } from './outbox.ts';
import type { WebhookKind } from './schema.ts';

/** Where links in payloads point: the opsless UI as its users reach it. */
export interface PayloadContext {
  publicUrl: string;
}

/** The page of an alert in the opsless UI. */
export function alertUrl(publicUrl: string, alertId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(alertId)}`;
}

/** Alertmanager's "zero" time, which it uses for the endsAt of a firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An alert as Alertmanager sees it: labels identify it; annotations describe it. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

/**
 * The Alertmanager form of an alert. `alert_id` is a label so that a later incident of the
 * same service and signal is a different Alertmanager alert (a late re-sent resolution of
 * the old one cannot resolve the new one).
 */
export function toAlertmanagerAlert(alert: Alert, context: PayloadContext): AlertmanagerAlert {
  const labels: Record<string, string> = {
    alertname: 'OpslessAnomaly',
    service: alert.service,
    signal: alert.signal,
    severity: alert.severity,
    alert_id: alert.id,
  };
  if (alert.operation !== null) labels.operation = alert.operation;
  return {
    labels,
    annotations: {
      summary: alert.summary,
      explanation: explanationText(alert.explanation),
      signals: alert.signals.join(', '),
      score: alert.score.toFixed(3),
      // Annotations, not labels: the ranking changes as services join the incident, and a
      // changed label set would be another Alertmanager alert.
      ...rootCauseAnnotations(alert),
    },
    startsAt: alert.openedAt,
    ...(alert.resolvedAt === null ? {} : { endsAt: alert.resolvedAt }),
    generatorURL: alertUrl(context.publicUrl, alert.id),
  };
}

/** `root_cause`: the first candidate; `root_causes`: the ranked list with its evidence. */
function rootCauseAnnotations(alert: Alert): Record<string, string> {
  const candidates = alert.rootCause ?? [];
  if (candidates.length === 0) return {};
  return {
    root_cause: candidates[0]!.service,
    root_causes: candidates
      .slice(0, 5)
      .map((candidate) => {
        const where = [candidate.operation, candidate.version, candidate.pod].filter(Boolean);
        const moved = `${candidate.signal} ${round(candidate.before)} → ${round(candidate.during)}`;
        const at = where.length > 0 ? ` (${where.join(', ')})` : '';
        return `${candidate.rank}. ${candidate.service}${at}: ${moved}`;
      })
      .join('; '),
  };
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : String(value);
}

/** Alertmanager's fingerprint of a label set: FNV-1a 64 over sorted names and values. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const prime = 1099511628211n;
  const mask = (1n << 64n) - 1n;
  let hash = 14695981039346656037n;
  const add = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  };
  const encoder = new TextEncoder();
  const separator = Uint8Array.of(255);
  for (const name of Object.keys(labels).sort()) {
    add(encoder.encode(name));
    add(separator);
    add(encoder.encode(labels[name]));
    add(separator);
  }
  return hash.toString(16).padStart(16, '0');
}

function isAlert(data: HookEvent['data']): data is HookEvent['data'] & Alert {
  return typeof data.id === 'string' && typeof data.openedAt === 'string';
}

/** The alert an event is about; a `webhook.test` event gets a made-up one, marked as such. */
function alertOf(event: HookEvent): Alert {
  if (isAlert(event.data)) return event.data;
  return {
    id: `test-${event.timestamp}`,
    service: 'opsless',
    signal: 'webhook.test',
    signals: ['webhook.test'],
    operation: null,
    severity: 'info',
    status: 'open',
    score: 0,
    observed: 0,
    expected: 0,
    peak: 0,
    openedAt: event.timestamp,
    updatedAt: event.timestamp,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    summary: 'a test event from opsless',
    explanation: null,
  };
}

/** Alertmanager's webhook payload (version "4") for one event: one alert per message. */
export function alertmanagerPayload(event: HookEvent, context: PayloadContext): object {
  const alert = alertOf(event);
  const amAlert = toAlertmanagerAlert(alert, context);
  const status = event.type === 'anomaly.resolved' ? 'resolved' : 'firing';
  const groupLabels = { alertname: amAlert.labels.alertname!, service: alert.service };
  return {
    version: '4',
    groupKey: `{}:{alertname="${groupLabels.alertname}", service="${groupLabels.service}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'opsless',
    groupLabels,
    commonLabels: amAlert.labels,
    commonAnnotations: amAlert.annotations,
    externalURL: context.publicUrl,
    alerts: [
      {
        status,
        labels: amAlert.labels,
        annotations: amAlert.annotations,
        startsAt: amAlert.startsAt,
        endsAt: status === 'resolved' ? (amAlert.endsAt ?? event.timestamp) : ZERO_TIME,
        generatorURL: amAlert.generatorURL,
        fingerprint: labelsFingerprint(amAlert.labels),
      },
    ],
  };
}

const PAGERDUTY_ACTIONS: Record<string, 'trigger' | 'acknowledge' | 'resolve'> = {
  'anomaly.opened': 'trigger',
  'anomaly.updated': 'trigger',
  'anomaly.acknowledged': 'acknowledge',
  'anomaly.resolved': 'resolve',
  'webhook.test': 'trigger',
};

/**
 * A PagerDuty Events API v2 event. The alert id is the dedup_key, so opening, updating,
 * acknowledging and resolving all act on one PagerDuty alert.
 */
export function pagerDutyPayload(
  event: HookEvent,
  routingKey: string,
  context: PayloadContext,
): object {
  const alert = alertOf(event);
  const action = PAGERDUTY_ACTIONS[event.type] ?? 'trigger';
  const base = { routing_key: routingKey, event_action: action, dedup_key: alert.id };
  if (action !== 'trigger') return base;
  const url = alertUrl(context.publicUrl, alert.id);
  return {
    ...base,
    payload: {
      summary: alert.summary.slice(0, 1024),
      source: alert.service,
      severity: alert.severity,
      timestamp: alert.openedAt,
      component: alert.operation ?? alert.service,
      group: alert.service,
      class: alert.signal,
      custom_details: {
        signals: alert.signals,
        observed: alert.observed,
        expected: alert.expected,
        score: alert.score,
        explanation: explanationText(alert.explanation),
      },
    },
    client: 'opsless',
    client_url: url,
    links: [{ href: url, text: 'Alert in opsless' }],
  };
}

/** The body a subscription of `kind` receives for an event stored as `eventBody`. */
export function renderBody(
  webhook: { kind: WebhookKind; routingKey: string },
  eventBody: string,
  context: PayloadContext,
): string {
  if (webhook.kind === 'webhook') return eventBody;
  const event = JSON.parse(eventBody) as HookEvent;
  return JSON.stringify(
    webhook.kind === 'alertmanager'
      ? alertmanagerPayload(event, context)
      : pagerDutyPayload(event, webhook.routingKey, context),
  );
}
