import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../alerts/index.ts';
import type { AllowList, EventType, HookEvent } from '../hooks/index.ts';
import { createStepRunner } from './execution.ts';
import { decide } from './guardrails.ts';
import { createRunOutcomes, iso, type RunOutcomeOptions } from './outcomes.ts';
import type { RemediationRun } from './schema.ts';
import type { ScaleActuator } from './steps.ts';
import { createRemediationStore, type RemediationStore, type StoredRule } from './store.ts';
import {
  actionLookbackMs,
  busyServices,
  moveRun,
  newRun,
  pastActions,
  runCandidates,
} from './triage.ts';

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

/** What one pass reads once and what it reports. */
interface Pass {
  nowMs: number;
  killSwitch: boolean;
  rules: Map<string, StoredRule>;
  report: PassReport;
  /** The steps it started, for runOnce to wait for. */
  started: Promise<void>[];
}

/**
 * The remediation loop (detector shard 0). Each pass moves every active run on — starts
 * approved runs, verifies the ones whose steps are done, fails runs a restart interrupted —
 * then looks at open alerts: each (rule, alert) pair a rule matches and no run exists for
 * gets one run, decided by the guardrails (kill switch, verifying another, cooldown, rate
 * limits) and the rule's mode. Every state is in ClickHouse, so another process continues
 * where this one stopped. What to do is decided in triage.ts and guardrails.ts, steps run
 * in execution.ts, runs end in outcomes.ts; this module reads, writes and schedules.
 */
export function createRemediationLoop(options: RemediationLoopOptions): RemediationLoop {
  const store = options.store ?? createRemediationStore(options.client);
  const now = options.now ?? Date.now;
  const maxGlobal = options.maxActionsPerHourGlobal ?? 10;
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
  const steps = createStepRunner({
    store,
    publish: options.publish,
    logger: options.logger,
    now,
    allow: options.allow,
    scale: options.scale,
    eventData,
    fail,
  });

  /** Step 1 of a pass: moves each active run on (see moveRun). */
  async function advanceActive(pass: Pass): Promise<void> {
    const { nowMs, killSwitch, rules, report, started } = pass;
    const alerts = new Map<string, Alert | undefined>();
    const alertOf = async (id: string) => {
      if (!alerts.has(id)) alerts.set(id, await options.alerts.get(id));
      return alerts.get(id);
    };
    const active = await store.activeRuns();
    const busy = busyServices(active);
    for (const run of active) {
      if (steps.running(run.id)) continue;
      try {
        const stored = rules.get(run.ruleId);
        const alert = await alertOf(run.alertId);
        const move = moveRun(run, { nowMs, killSwitch, rule: stored?.rule, alert, busy });
        switch (move.kind) {
          case 'verify':
            if (await verify(run, alert, nowMs)) report.finished++;
            break;
          case 'wait':
            break;
          case 'fail':
            await fail(run, move.reason);
            report.finished++;
            break;
          case 'skip':
            await skip(run, move.reason);
            report.finished++;
            break;
          case 'start': {
            busy.add(run.service);
            const running: RemediationRun = { ...run, startedAt: iso(nowMs) };
            await store.saveRun(running);
            started.push(steps.launch(running, stored!, alert!));
            report.started++;
            break;
          }
        }
      } catch (error) {
        options.logger.error({ err: error, remediation: run.id }, 'remediation pass failed');
      }
    }
  }

  /** Step 2 of a pass: a run for each new (rule, alert) pair, as the guardrails decide. */
  async function openNewRuns(pass: Pass): Promise<void> {
    const { nowMs, killSwitch, rules, report, started } = pass;
    const open = await options.alerts.list({ status: 'open', limit: 1000 });
    const candidates = runCandidates(rules.values(), open, nowMs);
    if (candidates.length === 0) return;
    const existing = new Set(
      (await store.runsOfAlerts([...new Set(candidates.map(({ alert }) => alert.id))])).map(
        (run) => run.id,
      ),
    );
    const lookbackMs = actionLookbackMs([...rules.values()].map((stored) => stored.rule));
    // What acted within the longest cooldown or the hour, and every run still in progress
    // however long ago it started (read again: the first part of the pass moved some on).
    const actions = pastActions([
      ...(await store.actionsSince(nowMs - lookbackMs)),
      ...(await store.activeRuns()),
    ]);
    for (const candidate of candidates) {
      if (existing.has(candidate.id)) continue;
      existing.add(candidate.id);
      try {
        const decision = decide({
          rule: candidate.stored.rule,
          service: candidate.service,
          nowMs,
          killSwitch,
          actions,
          maxActionsPerHourGlobal: maxGlobal,
        });
        const run = newRun(candidate, nowMs);
        report.created++;
        if (decision.kind === 'skip' || decision.kind === 'dryRun') {
          // Recorded once: the pair has a run now, so later passes leave it be.
          await skip(
            { ...run, steps: decision.kind === 'dryRun' ? run.steps : [] },
            decision.reason,
          );
          continue;
        }
        const action = { id: run.id, ruleId: run.ruleId, service: run.service, atMs: nowMs };
        if (decision.kind === 'approval') {
          const pending: RemediationRun = { ...run, status: 'pending_approval' };
          await store.saveRun(pending);
          actions.push({ ...action, status: 'pending_approval' });
          await options.publish(
            'remediation.pending_approval',
            eventData(pending, candidate.alert),
          );
          options.logger.info(
            { remediation: run.id, rule: run.ruleId },
            'remediation awaits approval',
          );
          continue;
        }
        const running: RemediationRun = { ...run, status: 'running', startedAt: iso(nowMs) };
        await store.saveRun(running);
        actions.push({ ...action, status: 'running' });
        started.push(steps.launch(running, candidate.stored, candidate.alert));
        report.started++;
      } catch (error) {
        options.logger.error(
          { err: error, rule: candidate.stored.rule.id, alert: candidate.alert.id },
          'remediation failed',
        );
      }
    }
  }

  async function runPass(): Promise<{ report: PassReport; started: Promise<void>[] }> {
    const pass: Pass = {
      nowMs: now(),
      killSwitch: options.killSwitchEnv === true || (await store.killSwitch()).engaged,
      rules: new Map((await store.listRules()).map((stored) => [stored.rule.id, stored])),
      report: { created: 0, started: 0, finished: 0 },
      started: [],
    };
    await advanceActive(pass);
    if (pass.rules.size > 0) await openNewRuns(pass);
    return { report: pass.report, started: pass.started };
  }

  const passOnce = () => {
    passing ??= runPass().finally(() => (passing = undefined));
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
        await steps.settle();
      })()),
  };
}
