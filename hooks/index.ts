export {
  generateSecret,
  newMessageId,
  SecretFormatError,
  signatureHeader,
  webhookHeaders,
  type SignedMessage,
} from './signing.ts';
export type { AllowList, CheckedTarget, Lookup } from './ssrf.ts';
export {
  EVENT_TYPES,
  PAGERDUTY_EVENTS_URL,
  WEBHOOK_KINDS,
  type WebhookKind,
  Webhook,
  WebhookCreate,
  WebhookList,
  WebhookPatch,
  WebhookWithSecret,
  type EventType,
} from './schema.ts';
export type { StoredWebhook, WebhookStore } from './store.ts';
export type { AttemptOutcome } from './attempt.ts';
export type { Delivery, DeliveryStatus, HookEvent } from './outbox.ts';
export type { DeliveryWorker, DeliveryWorkerOptions } from './worker.ts';
export {
  alertmanagerPayload,
  alertUrl,
  labelsFingerprint,
  pagerDutyPayload,
  renderBody,
  toAlertmanagerAlert,
  type AlertmanagerAlert,
  type PayloadContext,
} from './formats.ts';
export type { AlertmanagerPusher, AlertmanagerPusherOptions } from './alertmanager.ts';
