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
export type { ScaleActuator, ScaleChange, StepContext } from './steps.ts';
export type {
  KillSwitchSetting,
  RemediationStore,
  RunDecisionResult,
  RunFilter,
  StoredRule,
} from './store.ts';
export { loadRules, readRulesFile, RulesFileError } from './rules-file.ts';
export type { PassReport, RemediationLoop, RemediationLoopOptions } from './loop.ts';
