import { createHash } from 'node:crypto';
import type { Alert } from '../alerts/index.ts';
import type { PastAction } from './guardrails.ts';
import { iso } from './outcomes.ts';
import { ruleService } from './rule.ts';
import { MAX_STEP_TIMEOUT_SECONDS, type RemediationRule, type RemediationRun } from './schema.ts';
import { plannedSteps } from './step-plan.ts';

/**
 * The remediation loop's decisions, apart from what it reads and writes: what becomes of an
 * active run, which (rule, alert) pairs need a run, and the runs the guardrails look at.
 * Pure: runs, rules, alerts and the time come in; what to do goes out.
 */

const HOUR_MS = 3_600_000;
/** Extra time an interrupted run is given beyond its steps' timeouts before it is failed. */
const INTERRUPTED_GRACE_MS = 60_000;

/** A run's id: one per (rule, alert), so a pair is never recorded twice, even by two processes. */
export function runId(ruleId: string, alertId: string): string {
  const digest = createHash('sha256').update(`${ruleId}\n${alertId}`).digest('hex');
  return `rem_${digest.slice(0, 24)}`;
}

/** What becomes of an active run: verified, left waiting, ended (skipped or failed), or started. */
export type RunMove =
  | { kind: 'verify' }
  | { kind: 'wait' }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string }
  | { kind: 'start' };

export interface RunMoveContext {
  nowMs: number;
  killSwitch: boolean;
  /** The run's rule (undefined: deleted). */
  rule: RemediationRule | undefined;
  /** The run's alert (undefined: gone). */
  alert: Alert | undefined;
  /** Services with a run in progress (steps or verification). */
  busy: ReadonlySet<string>;
}

/**
 * The next move of an active run whose steps no one in this process is running: a run
 * being verified is verified; one whose steps started and outlived their timeouts was
 * interrupted by a stop; one waiting to start starts once approved, unless its alert
 * resolved, its rule went or changed, the kill switch is on, or its service is busy.
 */
export function moveRun(run: RemediationRun, context: RunMoveContext): RunMove {
  const { nowMs, rule, alert } = context;
  if (run.status === 'verifying') return { kind: 'verify' };
  if (run.status === 'running' && run.startedAt !== null) {
    // Not in flight here: the process running its steps stopped (or this is a restart).
    const deadlineMs =
      Date.parse(run.startedAt) +
      run.steps.length * MAX_STEP_TIMEOUT_SECONDS * 1000 +
      INTERRUPTED_GRACE_MS;
    if (nowMs <= deadlineMs) return { kind: 'wait' };
    return {
      kind: 'fail',
      reason: 'interrupted: opsless stopped while the steps ran; they were not resumed',
    };
  }
  const approved = run.status === 'running';
  if (!alert || alert.status === 'resolved') {
    return {
      kind: 'skip',
      reason: `alert resolved before the run ${approved ? 'started' : 'was approved'}`,
    };
  }
  if (!rule) return { kind: 'skip', reason: `the rule ${run.ruleId} was deleted` };
  if (!approved) return { kind: 'wait' }; // for a person to approve or reject it
  if (JSON.stringify(plannedSteps(rule.steps)) !== JSON.stringify(run.steps)) {
    return { kind: 'skip', reason: 'the rule steps changed after approval was asked; nothing ran' };
  }
  if (context.killSwitch) return { kind: 'skip', reason: 'kill switch: remediations are stopped' };
  // Approved: it waits while another run of the service is in progress.
  if (context.busy.has(run.service)) return { kind: 'wait' };
  return { kind: 'start' };
}

/** Services with a run in progress: being verified, or whose steps started. */
export function busyServices(active: readonly RemediationRun[]): Set<string> {
  return new Set(
    active
      .filter((run) => run.status === 'verifying' || (run.status === 'running' && run.startedAt))
      .map((run) => run.service),
  );
}

/** A (rule, alert) pair a rule answers, with the service it acts on and the run's id. */
export interface RunCandidate<R extends { rule: RemediationRule }> {
  id: string;
  stored: R;
  alert: Alert;
  service: string;
}

/**
 * Every (rule, alert) pair a rule answers at `nowMs`, oldest alert first (then by id), so
 * that when guardrails let only some act, the first paged acts.
 */
export function runCandidates<R extends { rule: RemediationRule }>(
  rules: Iterable<R>,
  alerts: readonly Alert[],
  nowMs: number,
): Array<RunCandidate<R>> {
  const stored = [...rules];
  return [...alerts]
    .sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt) || a.id.localeCompare(b.id))
    .flatMap((alert) =>
      stored.flatMap((entry) => {
        const service = ruleService(entry.rule, alert, nowMs);
        return service === null
          ? []
          : [{ id: runId(entry.rule.id, alert.id), stored: entry, alert, service }];
      }),
    );
}

/** How far back the guardrails look: the hour, or the longest cooldown when longer. */
export function actionLookbackMs(rules: Iterable<RemediationRule>): number {
  return Math.max(HOUR_MS, ...[...rules].map((rule) => rule.cooldownSeconds * 1000));
}

/** Runs as the guardrails see them, each once (the newest copy of a run read twice wins). */
export function pastActions(runs: readonly RemediationRun[]): PastAction[] {
  return [...new Map(runs.map((run) => [run.id, run])).values()].map((run) => ({
    id: run.id,
    ruleId: run.ruleId,
    service: run.service,
    status: run.status,
    atMs: Date.parse(run.startedAt ?? run.createdAt),
  }));
}

/** A new run of a candidate, as recorded before the guardrails' decision sets its status. */
export function newRun(
  candidate: RunCandidate<{ rule: RemediationRule }>,
  nowMs: number,
): RemediationRun {
  const { rule } = candidate.stored;
  return {
    id: candidate.id,
    ruleId: rule.id,
    alertId: candidate.alert.id,
    service: candidate.service,
    signal: candidate.alert.signal,
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
}
