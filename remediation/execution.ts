import type { Logger } from 'pino';
import type { Alert } from '../alerts/index.ts';
import type { AllowList, EventType, HookEvent } from '../hooks/index.ts';
import { iso } from './outcomes.ts';
import type { RemediationRun, StepResult } from './schema.ts';
import { plannedSteps } from './step-plan.ts';
import { runStep, type ScaleActuator } from './steps.ts';
import type { RemediationStore, StoredRule } from './store.ts';

export interface StepRunnerOptions {
  store: RemediationStore;
  publish: (type: EventType, data: HookEvent['data']) => Promise<void>;
  logger: Logger;
  now: () => number;
  /** Webhook step targets opened deliberately. */
  allow?: AllowList | undefined;
  /** The scaling actuator for `scale` steps; without it they fail. */
  scale?: ScaleActuator | undefined;
  /** A run as subscribers receive it (RunOutcomes.eventData). */
  eventData: (run: RemediationRun, alert: Alert | undefined) => HookEvent['data'];
  /** Ends a run as failed and escalates its alert (RunOutcomes.fail). */
  fail: (run: RemediationRun, reason: string) => Promise<void>;
}

export interface StepRunner {
  /** Starts a run's steps in the background; resolves when they are done (never rejects). */
  launch(run: RemediationRun, stored: StoredRule, alert: Alert): Promise<void>;
  /** Whether this process is running the run's steps now. */
  running(runId: string): boolean;
  /** Waits for every launched run's steps to finish. */
  settle(): Promise<void>;
}

/**
 * Runs a run's steps in order, each within its timeout, storing each result as it comes;
 * a failure stops the run and fails it, else the run moves on to verification. Tracks the
 * runs whose steps are running, so that a pass does not take one for an interrupted run.
 */
export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const { store } = options;
  const inFlight = new Set<string>();
  const executions = new Set<Promise<void>>();

  async function execute(run: RemediationRun, stored: StoredRule, alert: Alert): Promise<void> {
    inFlight.add(run.id);
    try {
      await options.publish('remediation.started', options.eventData(run, alert));
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
          await options.fail(
            { ...current, steps },
            `step ${index} (${step.type}) failed: ${result.error ?? 'unknown error'}`,
          );
          return;
        }
        // Each result is stored as it comes, so the audit log shows how far a run got.
        current = { ...current, steps: [...steps] };
        await store.saveRun(current);
      }
      const verifyUntilMs = options.now() + stored.rule.verifyWithinSeconds * 1000;
      await store.saveRun({ ...current, status: 'verifying', verifyUntil: iso(verifyUntilMs) });
    } finally {
      inFlight.delete(run.id);
    }
  }

  return {
    launch(run, stored, alert) {
      const execution = execute(run, stored, alert).catch((error: unknown) =>
        options.logger.error({ err: error, remediation: run.id }, 'remediation steps failed'),
      );
      executions.add(execution);
      void execution.finally(() => executions.delete(execution));
      return execution;
    },
    running: (runId) => inFlight.has(runId),
    settle: async () => {
      await Promise.allSettled([...executions]);
    },
  };
}
