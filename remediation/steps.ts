import { performance } from 'node:perf_hooks';
import type { Alert } from '../alerts/index.ts';
import { webhookHeaders, type AllowList } from '../hooks/index.ts';
import { attemptDelivery } from '../hooks/live/index.ts';
import type { Step, StepResult } from './schema.ts';
import { stepTarget } from './step-plan.ts';

/** Replica change of a scale step: relative (`by`) or absolute (`replicas`). */
export interface ScaleChange {
  by?: number;
  replicas?: number;
}

/**
 * Scales a service (the scaling module's actuator provides it): resolves to whether the
 * change was made and what happened, e.g. `{ ok: true, detail: "checkout 3 → 5" }`.
 */
export type ScaleActuator = (
  service: string,
  change: ScaleChange,
  reason: string,
) => Promise<{ ok: boolean; detail: string }>;

export interface StepContext {
  run: { id: string; ruleId: string; service: string };
  alert: Alert;
  /** Signs webhook steps (the rule's whsec_ secret). */
  secret: string;
  allow?: AllowList | undefined;
  scale?: ScaleActuator | undefined;
}

/**
 * The body a webhook step POSTs: `{type: "remediation.step", timestamp, remediation: {id,
 * ruleId, service, alert, step}}`, with the step's extra `body` fields merged in (ours win).
 */
export function stepPayload(step: Step & { type: 'webhook' }, index: number, context: StepContext) {
  return {
    ...step.body,
    type: 'remediation.step',
    timestamp: new Date().toISOString(),
    remediation: {
      id: context.run.id,
      ruleId: context.run.ruleId,
      service: context.run.service,
      alert: context.alert,
      step: index,
    },
  };
}

/** Runs one step within its timeout; never throws (a failure is a result). */
export async function runStep(
  step: Step,
  index: number,
  context: StepContext,
): Promise<StepResult> {
  const started = performance.now();
  const base = { index, type: step.type, target: stepTarget(step) };
  const done = (outcome: {
    ok: boolean;
    statusCode?: number;
    error?: string;
    detail?: string;
  }): StepResult => ({
    ...base,
    status: outcome.ok ? 'succeeded' : 'failed',
    statusCode: outcome.statusCode ?? null,
    error: outcome.error ?? null,
    detail: outcome.detail ?? null,
    durationMs: Math.round(performance.now() - started),
  });
  switch (step.type) {
    case 'webhook': {
      const body = JSON.stringify(stepPayload(step, index, context));
      const outcome = await attemptDelivery({
        url: step.url,
        headers: webhookHeaders(
          {
            // The same id if a step is ever sent again: the receiver's idempotency key.
            id: `msg_${context.run.id}_${index}`,
            // The receiver checks this against its own clock, so it is the wall clock.
            timestampSeconds: Math.floor(Date.now() / 1000),
            body,
          },
          [context.secret],
        ),
        body,
        timeoutMs: step.timeoutSeconds * 1000,
        allow: context.allow,
      });
      return outcome.kind === 'delivered'
        ? done({ ok: true, statusCode: outcome.status })
        : done({ ok: false, statusCode: outcome.status, error: outcome.reason });
    }
    case 'scale': {
      if (!context.scale) return done({ ok: false, error: 'no scaling actuator configured' });
      const change: ScaleChange =
        step.by !== undefined ? { by: step.by } : { replicas: step.replicas! };
      const reason = `remediation ${context.run.id} (rule ${context.run.ruleId}) for alert ${context.alert.id}: ${context.alert.summary}`;
      try {
        const result = await withTimeout(
          context.scale(context.run.service, change, reason),
          step.timeoutSeconds * 1000,
        );
        return result.ok
          ? done({ ok: true, detail: result.detail })
          : done({ ok: false, error: result.detail });
      } catch (error) {
        return done({ ok: false, error: (error as Error).message });
      }
    }
    case 'notify':
      return done({
        ok: true,
        detail: 'no action: the remediation events tell the subscribers',
      });
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    ).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
