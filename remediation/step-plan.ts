import type { Step, StepResult } from './schema.ts';

/** Where a step goes, for the audit log: a URL without credentials nor query, or the change. */
export function stepTarget(step: Step): string | null {
  switch (step.type) {
    case 'webhook': {
      const url = new URL(step.url);
      return `${url.origin}${url.pathname}`;
    }
    case 'scale':
      return step.by !== undefined
        ? `by ${step.by > 0 ? '+' : ''}${step.by} replicas`
        : `to ${step.replicas} replicas`;
    case 'notify':
      return null;
  }
}

/** The steps of a rule as not run yet (a dry run, or waiting for approval). */
export function plannedSteps(steps: readonly Step[]): StepResult[] {
  return steps.map((step, index) => ({
    index,
    type: step.type,
    target: stepTarget(step),
    status: 'planned',
    statusCode: null,
    error: null,
    detail: null,
    durationMs: null,
  }));
}
