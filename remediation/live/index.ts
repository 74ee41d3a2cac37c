export { plannedSteps, runStep, stepPayload, stepTarget } from '../steps.ts';
export { createRemediationStore, ruleView } from '../store.ts';
export { createRemediationLoop, runId } from '../loop.ts';
