export { plannedSteps, stepTarget } from '../step-plan.ts';
export { runStep, stepPayload } from '../steps.ts';
export { createRemediationStore, ruleView } from '../store.ts';
export { createRemediationLoop } from '../loop.ts';
export { runId } from '../triage.ts';
