import { z } from 'zod';

/** Event types a subscription can ask for. */
export const EVENT_TYPES = [
  'anomaly.opened',
  'anomaly.updated',
  'anomaly.acknowledged',
  'anomaly.resolved',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const Severity = z.enum(['warning', 'critical']);

export const WebhookCreate = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
  events: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length),
  services: z.array(z.string().min(1).max(256)).max(1000).optional(),
  minSeverity: Severity.optional(),
  description: z.string().max(1000).optional(),
});
export type WebhookCreate = z.infer<typeof WebhookCreate>;

export const WebhookPatch = WebhookCreate.partial().extend({
  enabled: z.boolean().optional().describe('Re-enable an endpoint that was disabled.'),
});
export type WebhookPatch = z.infer<typeof WebhookPatch>;

/** A subscription as the API shows it: never its secrets. */
export const Webhook = z.object({
  id: z.string(),
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
