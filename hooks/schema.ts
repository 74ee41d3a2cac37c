import { z } from 'zod';

/**
 * What a subscription receives: `webhook` the opsless event `{type, timestamp, data}`,
 * `alertmanager` Alertmanager's own webhook payload (version "4"), `pagerduty` a
 * PagerDuty Events API v2 event. Every kind is signed with Standard Webhooks headers.
 */
export const WEBHOOK_KINDS = ['webhook', 'alertmanager', 'pagerduty'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Event types a subscription can ask for. */
export const EVENT_TYPES = [
  'anomaly.opened',
  'anomaly.updated',
  'anomaly.acknowledged',
  'anomaly.resolved',
  'scaling.recommended',
  'remediation.pending_approval',
  'remediation.started',
  'remediation.succeeded',
  'remediation.failed',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const Severity = z.enum(['warning', 'critical']);

const WebhookFields = z.strictObject({
  kind: z
    .enum(WEBHOOK_KINDS)
    .optional()
    .describe(
      'webhook (default): the opsless event; alertmanager: Alertmanager webhook payload version 4; pagerduty: PagerDuty Events API v2.',
    ),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2048)
    .optional()
    .describe(`Required, except for kind pagerduty (default ${PAGERDUTY_EVENTS_URL}).`),
  routingKey: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('PagerDuty integration (routing) key; kind pagerduty only; never shown again.'),
  events: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length),
  services: z.array(z.string().min(1).max(256)).max(1000).optional(),
  minSeverity: Severity.optional(),
  description: z.string().max(1000).optional(),
});

export const WebhookCreate = WebhookFields.superRefine((input, context) => {
  const kind = input.kind ?? 'webhook';
  if (kind !== 'pagerduty' && input.url === undefined) {
    context.addIssue({ code: 'custom', path: ['url'], message: 'is required' });
  }
  if (kind === 'pagerduty' && input.routingKey === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['routingKey'],
      message: 'is required for kind pagerduty (the integration key of a PagerDuty service)',
    });
  }
  if (kind !== 'webhook') {
    const others = input.events.filter((type) => !type.startsWith('anomaly.'));
    if (others.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['events'],
        message: `a subscription of kind ${kind} takes anomaly.* events only, not ${others.join(', ')}`,
      });
    }
  }
  if (kind !== 'pagerduty' && input.routingKey !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['routingKey'],
      message: 'only a subscription of kind pagerduty has a routing key',
    });
  }
});
export type WebhookCreate = z.infer<typeof WebhookCreate>;

export const WebhookPatch = WebhookFields.omit({ kind: true })
  .partial()
  .extend({
    enabled: z.boolean().optional().describe('Re-enable an endpoint that was disabled.'),
  });
export type WebhookPatch = z.infer<typeof WebhookPatch>;

/** A subscription as the API shows it: never its secrets. */
export const Webhook = z.object({
  id: z.string(),
  kind: z.enum(WEBHOOK_KINDS),
  url: z.string(),
  events: z.array(z.string()),
  services: z.array(z.string()).describe('Only these services; empty means all.'),
  minSeverity: Severity,
  description: z.string(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Webhook = z.infer<typeof Webhook>;

/** The answer to a creation or a rotation: the one time a secret is shown. */
export const WebhookWithSecret = Webhook.extend({
  secret: z.string().describe('whsec_…; shown once, store it now.'),
});

export const WebhookList = z.object({ webhooks: z.array(Webhook) });
