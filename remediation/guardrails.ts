import type { RemediationRule, RunStatus } from './schema.ts';

/** A run that acted or was let through to act, as the guardrails see it. */
export interface PastAction {
  id: string;
  ruleId: string;
  service: string;
  status: RunStatus;
  /** When it started its steps, or was created when it has not started (ms since the epoch). */
  atMs: number;
}

export interface GuardrailInput {
  rule: RemediationRule;
  service: string;
  nowMs: number;
  /** The kill switch, from the environment or the API. */
  killSwitch: boolean;
  /** Runs not skipped nor rejected: the running and verifying ones, and the last hour's (at least). */
  actions: readonly PastAction[];
  /** Actions every rule together may take in any hour. */
  maxActionsPerHourGlobal: number;
}

export type GuardrailDecision =
  | { kind: 'skip'; reason: string }
  | { kind: 'dryRun'; reason: string }
  | { kind: 'approval' }
  | { kind: 'run' };

const HOUR_MS = 3_600_000;

/**
 * What a rule may do about a new alert, guardrails first, in this order: the kill switch;
 * another run of the service still running or being verified (its outcome would be
 * unreadable); the rule's cooldown on this service; the rule's and the global actions per
 * hour; then the mode (dry run, approval, auto). Every skip carries its reason, starting
 * with a stable word: `kill switch`, `verifying another`, `cooldown`, `rate limit`, `dry run`.
 */
export function decide(input: GuardrailInput): GuardrailDecision {
  const { rule, service, nowMs, actions } = input;
  if (input.killSwitch) {
    return { kind: 'skip', reason: 'kill switch: remediations are stopped' };
  }
  const busy = actions.find(
    (action) =>
      action.service === service && (action.status === 'running' || action.status === 'verifying'),
  );
  if (busy) {
    return {
      kind: 'skip',
      reason: `verifying another: remediation ${busy.id} of ${service} is ${busy.status === 'running' ? 'running' : 'being verified'}`,
    };
  }
  const cooldownMs = rule.cooldownSeconds * 1000;
  const last = actions
    .filter((action) => action.ruleId === rule.id && action.service === service)
    .reduce<PastAction | undefined>(
      (latest, action) => (latest === undefined || action.atMs > latest.atMs ? action : latest),
      undefined,
    );
  if (last && nowMs - last.atMs < cooldownMs) {
    const ago = Math.round((nowMs - last.atMs) / 1000);
    return {
      kind: 'skip',
      reason: `cooldown: rule ${rule.id} acted on ${service} ${ago} s ago (remediation ${last.id}); cooldown ${rule.cooldownSeconds} s`,
    };
  }
  const lastHour = actions.filter((action) => nowMs - action.atMs < HOUR_MS);
  const byRule = lastHour.filter((action) => action.ruleId === rule.id).length;
  if (byRule >= rule.maxActionsPerHour) {
    return {
      kind: 'skip',
      reason: `rate limit: rule ${rule.id} took ${byRule} actions in the last hour (max ${rule.maxActionsPerHour})`,
    };
  }
  if (lastHour.length >= input.maxActionsPerHourGlobal) {
    return {
      kind: 'skip',
      reason: `rate limit: ${lastHour.length} actions in the last hour across all rules (OPSLESS_REMEDIATION_MAX_PER_HOUR ${input.maxActionsPerHourGlobal})`,
    };
  }
  switch (rule.mode) {
    case 'dryRun':
      return {
        kind: 'dryRun',
        reason: 'dry run: the rule is in dryRun mode; the steps were not run',
      };
    case 'approval':
      return { kind: 'approval' };
    case 'auto':
      return { kind: 'run' };
  }
}
