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
  PAGERDUTY_EVENTS_URL,
  renderBody,
  toAlertmanagerAlert,
  WEBHOOK_KINDS,
  type AlertmanagerAlert,
  type PayloadContext,
  type WebhookKind,
} from './formats.ts';
export type { AlertmanagerPusher, AlertmanagerPusherOptions } from './alertmanager.ts';
