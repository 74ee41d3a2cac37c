import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../alerts/index.ts';
import type { EventType, HookEvent } from '../hooks/index.ts';
import type { RemediationRun } from './schema.ts';
import type { RemediationStore } from './store.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();

export interface RunOutcomeOptions {
  store: RemediationStore;
  alerts: AlertStore;
  publish: (type: EventType, data: HookEvent['data']) => Promise<void>;
  notify: (type: EventType, alert: Alert) => Promise<void>;
  logger: Logger;
  now: () => number;
  /**
   * The alert's signal as measured now (null: nothing measured). When given, a resolved
   * alert counts as recovered only if its signal came at least halfway back to what was
   * expected before the incident: the detector also resolves an alert once its baseline
   * has absorbed a lasting shift, which is no recovery.
   */
  signalNow?: ((alert: Alert, nowMs: number) => Promise<number | null>) | undefined;
}

/**
 * How a run ends — skipped, succeeded, or failed with its alert escalated — and the
 * verification that decides between the last two. Each outcome is stored before its event
 * is published.
 */
export function createRunOutcomes(options: RunOutcomeOptions) {
  const { store, now } = options;

  /** A run as subscribers receive it; `service` and `severity` drive their filters. */
  const eventData = (run: RemediationRun, alert: Alert | undefined): HookEvent['data'] => ({
    ...run,
    severity: alert?.severity,
    summary: alert?.summary,
  });

  /** Severity up, sent again as `anomaly.updated`, so Alertmanager and PagerDuty see it. */
  async function escalate(alert: Alert): Promise<Alert> {
    // Alert versions follow updatedAt: never behind the last change.
    const updatedAtMs = Math.max(now(), Date.parse(alert.updatedAt) + 1);
    const escalated: Alert = { ...alert, severity: 'critical', updatedAt: iso(updatedAtMs) };
    await options.alerts.save(escalated);
    await options.notify('anomaly.updated', escalated);
    return escalated;
  }

  /** Ends a run as failed; escalates its alert unless the alert is resolved already. */
  async function fail(run: RemediationRun, reason: string): Promise<void> {
    const failed: RemediationRun = { ...run, status: 'failed', reason, finishedAt: iso(now()) };
    await store.saveRun(failed);
    const alert = await options.alerts.get(run.alertId);
    const after = alert && alert.status !== 'resolved' ? await escalate(alert) : alert;
    await options.publish('remediation.failed', eventData(failed, after));
    options.logger.warn({ remediation: run.id, rule: run.ruleId, reason }, 'remediation failed');
  }

  async function skip(run: RemediationRun, reason: string): Promise<void> {
    await store.saveRun({ ...run, status: 'skipped', reason, finishedAt: iso(now()) });
    options.logger.info({ remediation: run.id, reason }, 'remediation skipped');
  }

  /**
   * Succeeded when opsless resolved the alert and its signal came back by the end of the
   * verification window; failed when the window passed, or a person resolved it (nothing
   * says the signal recovered). Resolves to whether the run ended.
   */
  async function verify(
    run: RemediationRun,
    alert: Alert | undefined,
    nowMs: number,
  ): Promise<boolean> {
    const verifyUntilMs = Date.parse(run.verifyUntil!);
    if (!alert) {
      await fail(run, 'the alert no longer exists');
      return true;
    }
    if (alert.status !== 'resolved') {
      if (nowMs < verifyUntilMs) return false;
      await fail(run, `the signal did not recover by ${run.verifyUntil} (the verification window)`);
      return true;
    }
    const resolvedAtMs = Date.parse(alert.resolvedAt!);
    if (alert.resolvedBy !== 'opsless') {
      await fail(
        run,
        `not verified: resolved by ${alert.resolvedBy ?? 'someone'}, not by the signal recovering`,
      );
      return true;
    }
    if (resolvedAtMs > verifyUntilMs) {
      await fail(run, 'the signal recovered only after the verification window');
      return true;
    }
    const signal = await cameBack(alert, nowMs);
    if (!signal.back) {
      // The signal is read over the last few steps, which may still hold some from before
      // the steps took effect: it has until the end of the window to come back.
      if (nowMs < verifyUntilMs) return false;
      const near = signal.value === null ? '' : ` near ${format(signal.value)}`;
      await fail(
        run,
        `not verified: the alert resolved as the detector took ${alert.signal}${near} for the new normal, but it has not come back to about ${format(alert.expected)}`,
      );
    } else {
      const seconds = Math.max(0, Math.round((resolvedAtMs - Date.parse(run.startedAt!)) / 1000));
      const succeeded: RemediationRun = {
        ...run,
        status: 'succeeded',
        reason: `the signal recovered ${seconds} s after the steps started`,
        finishedAt: iso(nowMs),
      };
      await store.saveRun(succeeded);
      await options.publish('remediation.succeeded', eventData(succeeded, alert));
      options.logger.info({ remediation: run.id, rule: run.ruleId }, 'remediation succeeded');
    }
    return true;
  }

  /**
   * Whether the alert's signal is at least halfway back from its peak to its pre-incident
   * expectation (its `observed` follows the incident: at resolution it is the recovered value).
   */
  async function cameBack(
    alert: Alert,
    nowMs: number,
  ): Promise<{ back: boolean; value: number | null }> {
    if (!options.signalNow) return { back: true, value: null };
    const value = await options.signalNow(alert, nowMs);
    if (value === null) return { back: false, value };
    const back = Math.abs(value - alert.expected) <= 0.5 * Math.abs(alert.peak - alert.expected);
    return { back, value };
  }

  return { eventData, escalate, fail, skip, verify };
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(3);
}
