import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../alerts/index.ts';
import type { AllowList, EventType, HookEvent } from '../hooks/index.ts';
import { decide, type PastAction } from './guardrails.ts';
import { createRunOutcomes, iso, type RunOutcomeOptions } from './outcomes.ts';
import { ruleService } from './rule.ts';
import { MAX_STEP_TIMEOUT_SECONDS, type RemediationRun, type StepResult } from './schema.ts';
import { plannedSteps, runStep, type ScaleActuator } from './steps.ts';
import { createRemediationStore, type RemediationStore, type StoredRule } from './store.ts';

export interface RemediationLoopOptions {
  client: ClickHouseClient;
  alerts: AlertStore;
  /** Puts a `remediation.*` event in the webhook outbox. */
  publish: (type: EventType, data: HookEvent['data']) => Promise<void>;
  /** Sends an alert event to subscribers and Alertmanager (escalation). */
  notify: (type: EventType, alert: Alert) => Promise<void>;
  /** The scaling actuator for `scale` steps; without it they fail. */
  scale?: ScaleActuator | undefined;
  logger: Logger;
  now?: () => number;
  /** Time between passes, ms (default 5000). */
  intervalMs?: number;
  /** `OPSLESS_REMEDIATION_DISABLED=true`: nothing new runs, whatever the API switch says. */
  killSwitchEnv?: boolean;
  /** `OPSLESS_REMEDIATION_MAX_PER_HOUR`: actions of every rule together per hour (default 10). */
  maxActionsPerHourGlobal?: number;
  /** Webhook step targets opened deliberately (`OPSLESS_WEBHOOK_ALLOW`). */
  allow?: AllowList;
  /** Default: the remediation store on `client`. */
  store?: RemediationStore;
  /** See RunOutcomeOptions.signalNow: without it, a resolved alert counts as recovered. */
  signalNow?: RunOutcomeOptions['signalNow'];
}

export interface PassReport {
  /** Runs recorded for new (rule, alert) pairs, whatever their status. */
  created: number;
  /** Runs whose steps started. */
  started: number;
  /** Runs that ended: succeeded, failed or skipped after waiting. */
  finished: number;
}

export interface RemediationLoop {
  /** One pass, and the steps it started; for tests and tools. */
  runOnce(): Promise<PassReport>;
  /** A pass every `intervalMs` until closed (steps run in the background). */
  start(): void;
  /** Stops the timer and waits for the pass and the steps that are running; idempotent. */
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;
/** Extra time an interrupted run is given beyond its steps' timeouts before it is failed. */
const INTERRUPTED_GRACE_MS = 60_000;

/** A run's id: one per (rule, alert), so a pair is never recorded twice, even by two processes. */
export function runId(ruleId: string, alertId: string): string {
  const digest = createHash('sha256').update(`${ruleId}\n${alertId}`).digest('hex');
  return `rem_${digest.slice(0, 24)}`;
}

/**
 * The remediation loop (detector shard 0). Each pass moves every active run on — starts
 * approved runs, verifies the ones whose steps are done, fails runs a restart interrupted —
 * then looks at open alerts: each (rule, alert) pair a rule matches and no run exists for
 * gets one run, decided by the guardrails (kill switch, verifying another, cooldown, rate
 * limits) and the rule's mode. Every state is in ClickHouse, so another process continues
 * where this one stopped; the steps that run are tracked here so a pass does not take a
 * run in progress for an interrupted one.
 */
export function createRemediationLoop(options: RemediationLoopOptions): RemediationLoop {
  const store = options.store ?? createRemediationStore(options.client);
  const now = options.now ?? Date.now;
  const maxGlobal = options.maxActionsPerHourGlobal ?? 10;
  const inFlight = new Set<string>();
  const executions = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let passing: Promise<{ report: PassReport; started: Promise<void>[] }> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;

  const { eventData, fail, skip, verify } = createRunOutcomes({
    store,
    alerts: options.alerts,
    publish: options.publish,
    notify: options.notify,
    logger: options.logger,
    now,
    signalNow: options.signalNow,
  });

  /** Runs the steps in order, each within its timeout; a failure stops the run. */
  async function execute(run: RemediationRun, stored: StoredRule, alert: Alert): Promise<void> {
    inFlight.add(run.id);
    try {
      await options.publish('remediation.started', eventData(run, alert));
      options.logger.info({ remediation: run.id, rule: run.ruleId }, 'remediation started');
      const steps: StepResult[] = plannedSteps(stored.rule.steps);
      let current = run;
      for (const [index, step] of stored.rule.steps.entries()) {
        const result = await runStep(step, index, {
          run,
          alert,
          secret: stored.secret,
          allow: options.allow,
          scale: options.scale,
        });
        steps[index] = result;
        if (result.status === 'failed') {
          for (const later of steps.slice(index + 1)) later.status = 'not_run';
          await fail(
            { ...current, steps },
            `step ${index} (${step.type}) failed: ${result.error ?? 'unknown error'}`,
          );
          return;
        }
        // Each result is stored as it comes, so the audit log shows how far a run got.
        current = { ...current, steps: [...steps] };
        await store.saveRun(current);
      }
      const verifyUntilMs = now() + stored.rule.verifyWithinSeconds * 1000;
      await store.saveRun({ ...current, status: 'verifying', verifyUntil: iso(verifyUntilMs) });
    } finally {
      inFlight.delete(run.id);
    }
  }

  /** Starts a run's steps in the background; `started` collects them for runOnce. */
  function launch(run: RemediationRun, stored: StoredRule, alert: Alert, started: Promise<void>[]) {
    const execution = execute(run, stored, alert).catch((error: unknown) =>
      options.logger.error({ err: error, remediation: run.id }, 'remediation steps failed'),
    );
    executions.add(execution);
    void execution.finally(() => executions.delete(execution));
    started.push(execution);
  }

  /** Moves one active run on: verifies it, starts it once approved, or ends it. */
  async function advance(
    run: RemediationRun,
    context: {
      nowMs: number;
      killSwitch: boolean;
      stored: StoredRule | undefined;
      alert: Alert | undefined;
      /** Services with a run in progress (steps or verification). */
      busy: Set<string>;
      started: Promise<void>[];
    },
  ): Promise<'ended' | 'started' | 'waiting'> {
    const { nowMs, stored, alert } = context;
    if (run.status === 'verifying') {
      return (await verify(run, alert, nowMs)) ? 'ended' : 'waiting';
    }
    if (run.status === 'running' && run.startedAt !== null) {
      // Not in flight here: the process running its steps stopped (or this is a restart).
      const deadlineMs =
        Date.parse(run.startedAt) +
        run.steps.length * MAX_STEP_TIMEOUT_SECONDS * 1000 +
        INTERRUPTED_GRACE_MS;
      if (nowMs <= deadlineMs) return 'waiting';
      await fail(run, 'interrupted: opsless stopped while the steps ran; they were not resumed');
      return 'ended';
    }
    const approved = run.status === 'running';
    if (!alert || alert.status === 'resolved') {
      await skip(run, `alert resolved before the run ${approved ? 'started' : 'was approved'}`);
      return 'ended';
    }
    if (!stored) {
      await skip(run, `the rule ${run.ruleId} was deleted`);
      return 'ended';
    }
    if (!approved) return 'waiting'; // for a person to approve or reject it
    if (JSON.stringify(plannedSteps(stored.rule.steps)) !== JSON.stringify(run.steps)) {
      await skip(run, 'the rule steps changed after approval was asked; nothing ran');
      return 'ended';
    }
    if (context.killSwitch) {
      await skip(run, 'kill switch: remediations are stopped');
      return 'ended';
    }
    // Approved: it waits while another run of the service is in progress.
    if (context.busy.has(run.service)) return 'waiting';
    context.busy.add(run.service);
    const running: RemediationRun = { ...run, startedAt: iso(nowMs) };
    await store.saveRun(running);
    launch(running, stored, alert, context.started);
    return 'started';
  }

  async function pass(): Promise<{ report: PassReport; started: Promise<void>[] }> {
    const nowMs = now();
    const report: PassReport = { created: 0, started: 0, finished: 0 };
    const started: Promise<void>[] = [];
    const killSwitch = options.killSwitchEnv === true || (await store.killSwitch()).engaged;
    const rules = new Map((await store.listRules()).map((stored) => [stored.rule.id, stored]));
    const alerts = new Map<string, Alert | undefined>();
    const alertOf = async (id: string) => {
      if (!alerts.has(id)) alerts.set(id, await options.alerts.get(id));
      return alerts.get(id);
    };

    // 1. Move the active runs on.
    const active = await store.activeRuns();
    const busy = new Set(
      active
        .filter((run) => run.status === 'verifying' || (run.status === 'running' && run.startedAt))
        .map((run) => run.service),
    );
    for (const run of active) {
      if (inFlight.has(run.id)) continue;
      try {
        const outcome = await advance(run, {
          nowMs,
          killSwitch,
          stored: rules.get(run.ruleId),
          alert: await alertOf(run.alertId),
          busy,
          started,
        });
        if (outcome === 'ended') report.finished++;
        if (outcome === 'started') report.started++;
      } catch (error) {
        options.logger.error({ err: error, remediation: run.id }, 'remediation pass failed');
      }
    }

    // 2. New (rule, alert) pairs.
    if (rules.size === 0) return { report, started };
    const open = (await options.alerts.list({ status: 'open', limit: 1000 })).sort(
      (a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt) || a.id.localeCompare(b.id),
    );
    const candidates = open.flatMap((alert) =>
      [...rules.values()].flatMap((stored) => {
        const service = ruleService(stored.rule, alert, nowMs);
        return service === null ? [] : [{ stored, alert, service }];
      }),
    );
    if (candidates.length === 0) return { report, started };
    const existing = new Set(
      (await store.runsOfAlerts([...new Set(candidates.map(({ alert }) => alert.id))])).map(
        (run) => run.id,
      ),
    );
    const lookbackMs = Math.max(
      HOUR_MS,
      ...[...rules.values()].map((stored) => stored.rule.cooldownSeconds * 1000),
    );
    // What acted within the longest cooldown or the hour, and every run still in progress
    // however long ago it started (read again: the first part of the pass moved some on).
    const recent = [
      ...(await store.actionsSince(nowMs - lookbackMs)),
      ...(await store.activeRuns()),
    ];
    const actions: PastAction[] = [...new Map(recent.map((run) => [run.id, run])).values()].map(
      (run) => ({
        id: run.id,
        ruleId: run.ruleId,
        service: run.service,
        status: run.status,
        atMs: Date.parse(run.startedAt ?? run.createdAt),
      }),
    );

    for (const { stored, alert, service } of candidates) {
      const { rule } = stored;
      const id = runId(rule.id, alert.id);
      if (existing.has(id)) continue;
      existing.add(id);
      try {
        const decision = decide({
          rule,
          service,
          nowMs,
          killSwitch,
          actions,
          maxActionsPerHourGlobal: maxGlobal,
        });
        const run: RemediationRun = {
          id,
          ruleId: rule.id,
          alertId: alert.id,
          service,
          signal: alert.signal,
          mode: rule.mode,
          status: 'skipped',
          reason: null,
          steps: plannedSteps(rule.steps),
          createdAt: iso(nowMs),
          startedAt: null,
          verifyUntil: null,
          finishedAt: null,
          approvedBy: null,
        };
        report.created++;
        if (decision.kind === 'skip' || decision.kind === 'dryRun') {
          // Recorded once: the pair has a run now, so later passes leave it be.
          await skip(
            { ...run, steps: decision.kind === 'dryRun' ? run.steps : [] },
            decision.reason,
          );
          continue;
        }
        const action = { id, ruleId: rule.id, service, atMs: nowMs };
        if (decision.kind === 'approval') {
          const pending: RemediationRun = { ...run, status: 'pending_approval' };
          await store.saveRun(pending);
          actions.push({ ...action, status: 'pending_approval' });
          await options.publish('remediation.pending_approval', eventData(pending, alert));
          options.logger.info({ remediation: id, rule: rule.id }, 'remediation awaits approval');
          continue;
        }
        const running: RemediationRun = { ...run, status: 'running', startedAt: iso(nowMs) };
        await store.saveRun(running);
        actions.push({ ...action, status: 'running' });
        launch(running, stored, alert, started);
        report.started++;
      } catch (error) {
        options.logger.error({ err: error, rule: rule.id, alert: alert.id }, 'remediation failed');
      }
    }
    return { report, started };
  }

  const passOnce = () => {
    passing ??= pass().finally(() => (passing = undefined));
    return passing;
  };

  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      passOnce()
        .then(({ report }) => options.logger.debug({ ...report }, 'remediation pass'))
        .catch((error: unknown) => options.logger.error({ err: error }, 'remediation pass failed'))
        .finally(schedule);
    }, options.intervalMs ?? 5_000).unref();
  };

  return {
    async runOnce() {
      const { report, started } = await passOnce();
      await Promise.all(started);
      return report;
    },
    start: schedule,
    close: () =>
      (closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await passing?.catch(() => undefined);
        // A half-done remediation is worse than a slower stop; steps are bounded by timeouts.
        await Promise.allSettled([...executions]);
      })()),
  };
}
