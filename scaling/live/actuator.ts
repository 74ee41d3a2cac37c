import { newMessageId, webhookHeaders, type AllowList } from '../../hooks/index.ts';
import { attemptDelivery } from '../../hooks/live/index.ts';
import type { DecisionRecord, LatestDecision, StoredPolicy } from './store.ts';

export interface ActuatorOptions {
  /** Targets opened deliberately for actuator URLs (OPSLESS_WEBHOOK_ALLOW). */
  allow?: AllowList | undefined;
  /** How long the actuator has to answer, ms (default 10 s). */
  timeoutMs?: number | undefined;
}

/** What asked for a change: the policy's scaler, or a remediation step. */
export type ScaleSource = 'scaler' | 'remediation';

/**
 * Sends a decision to the policy's webhook actuator, signed with the policy's secret
 * (unless the policy is a dry run or has no actuator), and says what happened as the
 * audit log's entry.
 */
export async function actuate(
  stored: StoredPolicy,
  decision: Omit<LatestDecision, 'forecast'>,
  previous: number,
  source: ScaleSource,
  options: ActuatorOptions,
): Promise<{ ok: boolean; record: DecisionRecord }> {
  const record: DecisionRecord = {
    service: stored.service,
    time: decision.time,
    current: decision.current,
    reactive: decision.reactive,
    predictive: decision.predictive,
    final: decision.final,
    previous,
    reasons: decision.reasons,
    source,
    dryRun: decision.dryRun,
    outcome: 'dry-run',
    detail: '',
  };
  const actuator = stored.policy.actuator;
  if (!actuator) return { ok: true, record: { ...record, outcome: 'no-actuator' } };
  if (actuator.dryRun) return { ok: true, record };
  const body = JSON.stringify({
    type: 'scaling.decision',
    timestamp: decision.time,
    data: {
      service: stored.service,
      current: decision.current,
      desired: decision.final,
      reactive: decision.reactive,
      predictive: decision.predictive,
      reasons: decision.reasons,
      source,
    },
  });
  const attempt = await attemptDelivery({
    url: actuator.url,
    headers: webhookHeaders(
      // Signed at the wall-clock time of sending, as receivers check it.
      { id: newMessageId(), timestampSeconds: Math.floor(Date.now() / 1000), body },
      [stored.secret],
    ),
    body,
    timeoutMs: options.timeoutMs ?? 10_000,
    allow: options.allow,
  });
  const ok = attempt.kind === 'delivered';
  return {
    ok,
    record: {
      ...record,
      outcome: ok ? 'sent' : 'failed',
      detail: ok ? `actuator answered ${attempt.status}` : attempt.reason,
    },
  };
}
