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
