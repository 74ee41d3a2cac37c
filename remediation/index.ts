export {
  ACTION_STATUSES,
  KillSwitch,
  KillSwitchChange,
  MAX_STEP_TIMEOUT_SECONDS,
  RemediationRule,
  RemediationRun,
  RULE_MODES,
  RuleBody,
  RuleId,
  RuleList,
  RuleView,
  RuleWithSecret,
  RUN_STATUSES,
  RunDecision,
  RunList,
  RunQuery,
  Step,
  StepResult,
  type RemediationRuleInput,
  type RuleMode,
  type RunStatus,
} from './schema.ts';
export { describeIssues, parseRule, ruleMatches, signalMatches, type RuleParse } from './rule.ts';
export {
  decide,
  type GuardrailDecision,
  type GuardrailInput,
  type PastAction,
} from './guardrails.ts';
export {
  plannedSteps,
  runStep,
  stepPayload,
  stepTarget,
  type ScaleActuator,
  type ScaleChange,
  type StepContext,
} from './steps.ts';
export {
  createRemediationStore,
  ruleView,
  type KillSwitchSetting,
  type RemediationStore,
  type RunDecisionResult,
  type RunFilter,
  type StoredRule,
} from './store.ts';
export { loadRules, readRulesFile, RulesFileError } from './rules-file.ts';
export {
  createRemediationLoop,
  runId,
  type PassReport,
  type RemediationLoop,
  type RemediationLoopOptions,
} from './loop.ts';
