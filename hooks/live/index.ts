export { blockedReason, BlockedTargetError, checkTarget, parseAllowList } from '../ssrf.ts';
export { createWebhookStore, publicWebhook, signingSecrets } from '../store.ts';
export { attemptDelivery, retryAfter } from '../attempt.ts';
export {
  deliveriesOf,
  deliveriesOfAlert,
  enqueue,
  dueEndpoints,
  pendingOf,
  wants,
} from '../outbox.ts';
export { createDeliveryWorker, DEFAULT_RETRY_SCHEDULE_MS } from '../worker.ts';
export { createAlertmanagerPusher } from '../alertmanager.ts';
