import { z } from 'zod';

/**
 * Remediation runbooks: a rule says which alerts it answers (service, signal, severity,
 * how long open) and which steps run, under which guardrails. These schemas validate the
 * API, the rules file and the stored definitions alike, and generate the OpenAPI document.
 */

/** Longest a single step may take, seconds. */
export const MAX_STEP_TIMEOUT_SECONDS = 60;

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** A signal name, or a prefix ending in `*` (`latency_*`), or `*` for every signal. */
const SIGNAL_PATTERN = /^(\*|[A-Za-z0-9_.:/-]+\*?)$/;

export const RuleId = z
  .string()
  .regex(RULE_ID, 'is 1 to 100 letters, digits, _ . - (starting with a letter or digit)');

const timeoutSeconds = z
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1')
  .max(MAX_STEP_TIMEOUT_SECONDS, `must be at most ${MAX_STEP_TIMEOUT_SECONDS}`)
  .default(10)
  .describe(
    `How long the step may take, seconds (default 10, at most ${MAX_STEP_TIMEOUT_SECONDS}).`,
  );

export const WebhookStep = z.strictObject({
  type: z.literal('webhook'),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2048)
    .describe('Receives a signed POST (Standard Webhooks, the rule secret); 2xx is success.'),
  timeoutSeconds,
  body: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Extra JSON fields merged into the payload (type and remediation win).'),
});

export const ScaleStep = z
  .strictObject({
    type: z.literal('scale'),
    by: z
      .int('must be a whole number of replicas')
      .min(-1000)
      .max(1000)
      .refine((by) => by !== 0, 'must not be 0')
      .optional()
      .describe('Replicas to add (negative: remove).'),
    replicas: z
      .int('must be a whole number of replicas')
      .min(0)
      .max(10_000)
      .optional()
      .describe('Replica count to scale to.'),
    timeoutSeconds,
  })
  .superRefine((step, context) => {
    if ((step.by === undefined) === (step.replicas === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['by'],
        message: 'a scale step has either "by" or "replicas", not both nor neither',
      });
    }
  });

export const NotifyStep = z
  .strictObject({ type: z.literal('notify') })
  .describe('No action: the remediation events tell subscribers; verification still escalates.');

export const Step = z.discriminatedUnion('type', [WebhookStep, ScaleStep, NotifyStep]);
export type Step = z.infer<typeof Step>;

export const RuleMatch = z.strictObject({
  service: z
    .string()
    .min(1)
    .max(256)
    .default('*')
    .describe('A service name, or * for every service (default).'),
  signal: z
    .string()
    .max(256)
    .regex(SIGNAL_PATTERN, 'is a signal (latency_p99), a prefix ending in * (latency_*), or *')
    .default('*')
    .describe(
      'Matches any of the alert signals: exact, a prefix ending in * (latency_*), or * (default).',
    ),
  minSeverity: z
    .enum(['warning', 'critical'])
    .optional()
    .describe('Only alerts at least this severe (default: every severity).'),
  forSeconds: z
    .int('must be a whole number of seconds')
    .min(0)
    .max(7 * 86_400)
    .default(0)
    .describe('Only alerts open at least this long (default 0).'),
});

export const RULE_MODES = ['dryRun', 'approval', 'auto'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

const RuleFields = {
  description: z.string().max(1000).optional(),
  match: RuleMatch,
  steps: z.array(Step).min(1, 'needs at least one step').max(10, 'at most 10 steps'),
  mode: z
    .enum(RULE_MODES)
    .default('dryRun')
    .describe(
      'dryRun (default): record what would run; approval: wait for POST /v1/remediations/:id/approve; auto: run.',
    ),
  cooldownSeconds: z
    .int('must be a whole number of seconds')
    .min(0)
    .max(7 * 86_400)
    .default(1800)
    .describe('No new action by this rule on the same service for this long (default 1800).'),
  maxActionsPerHour: z
    .int('must be a whole number')
    .min(1)
    .max(1000)
    .default(3)
    .describe('Actions this rule may take in any hour, all services together (default 3).'),
  verifyWithinSeconds: z
    .int('must be a whole number of seconds')
    .min(10)
    .max(86_400)
    .default(600)
    .describe('The alert must recover this soon after the steps, or the run fails (default 600).'),
};

/** A rule as stored and run: every default filled in. */
export const RemediationRule = z.strictObject({ id: RuleId, ...RuleFields });
export type RemediationRule = z.infer<typeof RemediationRule>;
export type RemediationRuleInput = z.input<typeof RemediationRule>;

/** Body of `PUT /v1/remediations/rules/:id`: the id comes from the path (repeating it is allowed). */
export const RuleBody = z.strictObject({ id: RuleId.optional(), ...RuleFields });

/** A rule as the API shows it: never its secret. */
export const RuleView = z.object({
  ...RemediationRule.shape,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RuleView = z.infer<typeof RuleView>;

export const RuleWithSecret = RuleView.extend({
  secret: z.string().describe('whsec_…; signs the webhook steps; shown once, store it now.'),
});

export const RuleList = z.object({ rules: z.array(RuleView) });

export const RUN_STATUSES = [
  'pending_approval',
  'running',
  'verifying',
  'succeeded',
  'failed',
  'skipped',
  'rejected',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses of runs that acted, or were let through the guardrails to act. */
export const ACTION_STATUSES: readonly RunStatus[] = [
  'pending_approval',
  'running',
  'verifying',
  'succeeded',
  'failed',
];

export const StepResult = z.object({
  index: z.int(),
  type: z.enum(['webhook', 'scale', 'notify']),
  target: z.string().nullable().describe('The URL (without credentials or query), or the change.'),
  status: z
    .enum(['planned', 'succeeded', 'failed', 'not_run'])
    .describe('planned: not run yet (or a dry run); not_run: an earlier step failed.'),
  statusCode: z.int().nullable().describe('HTTP status of a webhook step; 0 when none came.'),
  error: z.string().nullable(),
  detail: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type StepResult = z.infer<typeof StepResult>;

/** One remediation run: the audit log entry of a (rule, alert) pair. */
export const RemediationRun = z.object({
  id: z.string(),
  ruleId: z.string(),
  alertId: z.string(),
  service: z.string(),
  signal: z.string(),
  mode: z.enum(RULE_MODES),
  status: z.enum(RUN_STATUSES),
  reason: z
    .string()
    .nullable()
    .describe(
      'Why it was skipped (kill switch, verifying another, cooldown, rate limit, dry run), rejected or failed.',
    ),
  steps: z.array(StepResult),
  createdAt: z.string(),
  startedAt: z.string().nullable().describe('When the steps started; null while queued.'),
  verifyUntil: z.string().nullable(),
  finishedAt: z.string().nullable(),
  approvedBy: z.string().nullable(),
});
export type RemediationRun = z.infer<typeof RemediationRun>;

export const RunList = z.object({ remediations: z.array(RemediationRun) });

/** Query of `GET /v1/remediations`. */
export const RunQuery = z.object({
  service: z.string().min(1).optional(),
  alertId: z.string().min(1).optional().describe('Only the runs answering this alert.'),
  status: z.enum(RUN_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Body of approve and reject; optional. */
export const RunDecision = z.strictObject({
  by: z.string().min(1).max(200).optional().describe('Who decides; defaults to "api".'),
});

export const KillSwitchChange = z.strictObject({
  engaged: z.boolean(),
  by: z.string().min(1).max(200).optional(),
});

export const KillSwitch = z.object({
  engaged: z
    .boolean()
    .describe('Whether remediations are stopped (by the API or the environment).'),
  engagedByEnvironment: z.boolean().describe('OPSLESS_REMEDIATION_DISABLED=true'),
  by: z.string().nullable().describe('Who last set the API switch.'),
  updatedAt: z.string().nullable(),
});
export type KillSwitch = z.infer<typeof KillSwitch>;
