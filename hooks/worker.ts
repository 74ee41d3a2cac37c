import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { attemptDelivery } from './attempt.ts';
import { renderBody } from './formats.ts';
import { pendingDeliveries, writeDeliveries, type Delivery } from './outbox.ts';
import { webhookHeaders } from './signing.ts';
import type { AllowList } from './ssrf.ts';
import { signingSecrets, type StoredWebhook, type WebhookStore } from './store.ts';

/** Waits after attempt n (1-based) before the next: now, 5 s, 5 min, 30 min, 2 h … 24 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
];

export interface DeliveryWorkerOptions {
  client: ClickHouseClient;
  store: WebhookStore;
  logger: Logger;
  allow?: AllowList;
  now?: () => number;
  /** Waits between attempts (default DEFAULT_RETRY_SCHEDULE_MS); the last failure disables. */
  retryScheduleMs?: readonly number[];
  /** ± share of each wait drawn at random, so that endpoints recovering together are not hit at once. */
  jitter?: number;
  /** Endpoints attempted at once (default 8). */
  concurrency?: number;
  timeoutMs?: number;
  pollMs?: number;
  /** The opsless UI as users reach it, for links in Alertmanager and PagerDuty payloads. */
  publicUrl?: string;
}

export interface DeliveryWorker {
  /** One pass over due deliveries; resolves when it is done. */
  runOnce(): Promise<{ delivered: number; failed: number; retried: number }>;
  start(): void;
  close(): Promise<void>;
}

/**
 * Delivers the outbox: per endpoint in event order (a failing head waits, later events
 * of that endpoint wait behind it, other endpoints go on), with bounded concurrency.
 * Every attempt is recorded before the next step, so a restart resumes where it stood
 * and an event keeps its webhook-id.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const now = options.now ?? Date.now;
  const schedule = options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
  const jitter = options.jitter ?? 0.1;
  const publicUrl = options.publicUrl ?? 'http://127.0.0.1:8080';
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<{ delivered: number; failed: number; retried: number }> | undefined;
  let closed = false;

  async function deliverEndpoint(
    webhook: StoredWebhook | undefined,
    queue: Delivery[],
    totals: { delivered: number; failed: number; retried: number },
  ): Promise<void> {
    for (const delivery of queue) {
      const attemptAtMs = now();
      if (!webhook || !webhook.enabled) {
        totals.failed++;
        await writeDeliveries(options.client, [
          {
            ...delivery,
            status: 'failed',
            lastError: webhook
              ? `endpoint disabled: ${webhook.disabledReason ?? ''}`
              : 'endpoint deleted',
          },
        ]);
        continue;
      }
      if (delivery.dueAtMs > attemptAtMs) return; // the head is waiting: so is the rest
      const body = renderBody(webhook, delivery.body, { publicUrl });
      const outcome = await attemptDelivery({
        url: webhook.url,
        headers: webhookHeaders(
          { id: delivery.id, timestampSeconds: Math.floor(attemptAtMs / 1000), body },
          signingSecrets(webhook, attemptAtMs),
        ),
        body,
        timeoutMs: options.timeoutMs ?? 15_000,
        allow: options.allow,
      });
      const attempts = delivery.attempts + 1;
      const base = {
        ...delivery,
        attempts,
        lastAttemptAtMs: attemptAtMs,
        lastStatus: outcome.status,
      };
      if (outcome.kind === 'delivered') {
        totals.delivered++;
        await writeDeliveries(options.client, [{ ...base, status: 'delivered', lastError: '' }]);
        continue;
      }
      if (outcome.kind === 'retry' && refused(webhook, outcome.status)) {
        // Alertmanager and PagerDuty never retry a refused event: it would be refused again.
        totals.failed++;
        await writeDeliveries(options.client, [
          { ...base, status: 'failed', lastError: `refused, not retried: ${outcome.reason}` },
        ]);
        continue;
      }
      const wait = schedule[attempts - 1];
      if (outcome.kind === 'gone' || wait === undefined) {
        totals.failed++;
        const reason =
          outcome.kind === 'gone'
            ? outcome.reason
            : `${attempts} attempts failed; the last: ${outcome.reason}`;
        await writeDeliveries(options.client, [{ ...base, status: 'failed', lastError: reason }]);
        await options.store.disable(webhook.id, reason, attemptAtMs);
        options.logger.warn({ webhook: webhook.id, reason }, 'webhook endpoint disabled');
        return;
      }
      totals.retried++;
      const spread = 1 + jitter * (2 * Math.random() - 1);
      const waitMs = Math.max(outcome.retryAfterMs ?? 0, Math.round(wait * spread));
      await writeDeliveries(options.client, [
        { ...base, status: 'pending', dueAtMs: attemptAtMs + waitMs, lastError: outcome.reason },
      ]);
      return; // later events of this endpoint wait for this one
    }
  }

  async function pass() {
    const totals = { delivered: 0, failed: 0, retried: 0 };
    const pending = await pendingDeliveries(options.client, 5_000);
    const byEndpoint = new Map<string, Delivery[]>();
    for (const delivery of pending) {
      const queue = byEndpoint.get(delivery.webhookId) ?? [];
      queue.push(delivery);
      byEndpoint.set(delivery.webhookId, queue);
    }
    const endpoints = [...byEndpoint];
    const workers = Array.from(
      { length: Math.min(options.concurrency ?? 8, endpoints.length) },
      async () => {
        for (let next = endpoints.shift(); next; next = endpoints.shift()) {
          const [webhookId, queue] = next;
          await deliverEndpoint(await options.store.get(webhookId), queue, totals);
        }
      },
    );
    await Promise.all(workers);
    return totals;
  }

  const runOnce = () => {
    running ??= pass().finally(() => (running = undefined));
    return running;
  };
  const schedulePass = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((error: unknown) =>
          options.logger.error({ err: error }, 'webhook delivery pass failed'),
        )
        .finally(schedulePass);
    }, options.pollMs ?? 1_000).unref();
  };
  return {
    runOnce,
    start: schedulePass,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/**
 * A 4xx other than 408 and 429 from an Alertmanager-style or PagerDuty receiver: the event
 * is malformed for it and will not be retried (as Alertmanager and PagerDuty themselves do).
 * A plain webhook is retried on every failure, as Standard Webhooks expects.
 */
function refused(webhook: StoredWebhook, status: number): boolean {
  return (
    webhook.kind !== 'webhook' && status >= 400 && status < 500 && status !== 408 && status !== 429
  );
}
