import type { z } from 'zod';
import type { Alert } from '../alerts/index.ts';
import { RemediationRule } from './schema.ts';

export type RuleParse = { ok: true; rule: RemediationRule } | { ok: false; errors: string[] };

/** `path: message` for each issue, e.g. `steps.0.url: must be an http or https URL`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'rule'}: ${issue.message}`);
}

/** Validates a rule (from the API, the rules file or storage), filling in the defaults. */
export function parseRule(input: unknown): RuleParse {
  const parsed = RemediationRule.safeParse(input);
  return parsed.success
    ? { ok: true, rule: parsed.data }
    : { ok: false, errors: describeIssues(parsed.error) };
}

/** Whether a signal pattern (`latency_p99`, `latency_*`, `*`) matches a signal. */
export function signalMatches(pattern: string, signal: string): boolean {
  if (pattern === '*') return true;
  return pattern.endsWith('*') ? signal.startsWith(pattern.slice(0, -1)) : signal === pattern;
}

const SEVERITY_RANK: Record<Alert['severity'], number> = { info: 0, warning: 1, critical: 2 };

/**
 * Whether a rule answers an alert at `nowMs`: the alert is open, about the rule's service,
 * one of its signals matches, it is severe enough and has been open for `forSeconds`.
 */
export function ruleMatches(rule: RemediationRule, alert: Alert, nowMs: number): boolean {
  return ruleService(rule, alert, nowMs) !== null;
}

/**
 * The service a rule acts on for an alert (null: the rule does not answer it). An alert of
 * one incident across services (`services`, joined along calls) is about each of them: a
 * rule of a joined service answers it and acts on that service — a slow release of a
 * callee is often paged first on its caller.
 */
export function ruleService(rule: RemediationRule, alert: Alert, nowMs: number): string | null {
  const { match } = rule;
  if (alert.status !== 'open') return null;
  const services = alert.services ?? [alert.service];
  const service =
    match.service === '*'
      ? alert.service
      : match.service === alert.service || services.includes(match.service)
        ? match.service
        : null;
  if (service === null) return null;
  const signals = alert.signals.includes(alert.signal)
    ? alert.signals
    : [alert.signal, ...alert.signals];
  if (!signals.some((signal) => signalMatches(match.signal, signal))) return null;
  if (
    match.minSeverity !== undefined &&
    SEVERITY_RANK[alert.severity] < SEVERITY_RANK[match.minSeverity]
  ) {
    return null;
  }
  return nowMs - Date.parse(alert.openedAt) >= match.forSeconds * 1000 ? service : null;
}
