export {
  generateSecret,
  newMessageId,
  SecretFormatError,
  signatureHeader,
  webhookHeaders,
  type SignedMessage,
} from './signing.ts';
export {
  blockedReason,
  BlockedTargetError,
  checkTarget,
  parseAllowList,
  type AllowList,
  type CheckedTarget,
  type Lookup,
} from './ssrf.ts';
export {
  EVENT_TYPES,
  Webhook,
  WebhookCreate,
  WebhookList,
  WebhookPatch,
  WebhookWithSecret,
  type EventType,
} from './schema.ts';
export {
  createWebhookStore,
  publicWebhook,
  signingSecrets,
  type StoredWebhook,
  type WebhookStore,
} from './store.ts';
export { attemptDelivery, retryAfter, type AttemptOutcome } from './attempt.ts';
export {
  deliveriesOf,
  deliveriesOfAlert,
  enqueue,
  dueEndpoints,
  pendingOf,
  wants,
  type Delivery,
  type DeliveryStatus,
  type HookEvent,
} from './outbox.ts';
export {
  createDeliveryWorker,
  DEFAULT_RETRY_SCHEDULE_MS,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
} from './worker.ts';
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
export {
  createAlertmanagerPusher,
  type AlertmanagerPusher,
  type AlertmanagerPusherOptions,
} from './alertmanager.ts';
