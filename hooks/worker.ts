import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { attemptDelivery } from './attempt.ts';
import { renderBody } from './formats.ts';
import { dueEndpoints, pendingOf, writeDeliveries, type Delivery } from './outbox.ts';
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
  /** Endpoints delivered to at once (default 32). */
  concurrency?: number;
  timeoutMs?: number;
  /** How often endpoints with due deliveries are looked for (default 500 ms). */
  pollMs?: number;
  /**
   * How long one endpoint keeps its delivery slot while it has due deliveries (default
   * 5 s); then it goes back in line, so slow endpoints cannot hold every slot.
   */
  turnMs?: number;
  /** The opsless UI as users reach it, for links in Alertmanager and PagerDuty payloads. */
  publicUrl?: string;
}

export interface DeliveryTotals {
  delivered: number;
  failed: number;
  retried: number;
}

export interface DeliveryWorker {
  /** One turn for every endpoint with due deliveries; resolves when those turns end. */
  runOnce(): Promise<DeliveryTotals>;
  /** Delivers continuously until closed. */
  start(): void;
  close(): Promise<void>;
}

/** Deliveries read per endpoint at a time. */
const PAGE = 200;

/**
 * Delivers the outbox. Each endpoint with a due head gets a turn in one of `concurrency`
 * slots: its deliveries go in event order, one at a time; a failure schedules the retry
 * and ends the turn (its later events wait behind it), while other endpoints go on in
 * their own slots — a slow or failing endpoint never holds up another. Every attempt's
 * outcome is stored before the turn ends (group-committed with other turns), so a restart
 * resumes where it stood and an event keeps its webhook-id.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const now = options.now ?? Date.now;
  const schedule = options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
  const jitter = options.jitter ?? 0.1;
  const concurrency = options.concurrency ?? 32;
  const turnMs = options.turnMs ?? 5_000;
  const publicUrl = options.publicUrl ?? 'http://127.0.0.1:8080';
  /** Endpoints in a turn now, and how each turn ends. */
  const turns = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<Promise<void>[]> | undefined;
  let closed = false;
  let totals: DeliveryTotals = { delivered: 0, failed: 0, retried: 0 };

  /**
   * Attempts one delivery and records it: `next` lets the endpoint's turn go on, `wait`
   * ends it (a retry is scheduled), `disabled` means the endpoint was just disabled.
   */
  async function attempt(
    webhook: StoredWebhook,
    delivery: Delivery,
    writes: Array<Promise<void>>,
  ): Promise<'next' | 'wait' | 'disabled'> {
    const attemptAtMs = now();
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
      // Not awaited here: the next event goes out while this outcome is being stored.
      // A crash before it is stored means this event is sent again (at least once).
      writes.push(
        writeDeliveries(options.client, [{ ...base, status: 'delivered', lastError: '' }]),
      );
      return 'next';
    }
    if (outcome.kind === 'retry' && refused(webhook, outcome.status)) {
      // Alertmanager and PagerDuty never retry a refused event: it would be refused again.
      totals.failed++;
      writes.push(
        writeDeliveries(options.client, [
          { ...base, status: 'failed', lastError: `refused, not retried: ${outcome.reason}` },
        ]),
      );
      return 'next';
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
      return 'disabled';
    }
    totals.retried++;
    const spread = 1 + jitter * (2 * Math.random() - 1);
    const waitMs = Math.max(outcome.retryAfterMs ?? 0, Math.round(wait * spread));
    writes.push(
      writeDeliveries(options.client, [
        { ...base, status: 'pending', dueAtMs: attemptAtMs + waitMs, lastError: outcome.reason },
      ]),
    );
    return 'wait'; // later events of this endpoint wait for this one
  }

  /** One endpoint's turn: due deliveries in event order until a failure, none left, or time. */
  async function turn(webhookId: string): Promise<void> {
    const started = now();
    const writes: Array<Promise<void>> = [];
    try {
      for (;;) {
        const webhook = await options.store.get(webhookId);
        const queue = await pendingOf(options.client, webhookId, PAGE);
        if (!webhook || !webhook.enabled) {
          // Nothing more goes to a deleted or disabled endpoint; its events fail, saying why.
          totals.failed += queue.length;
          const lastError = webhook
            ? `endpoint disabled: ${webhook.disabledReason ?? ''}`
            : 'endpoint deleted';
          await writeDeliveries(
            options.client,
            queue.map((delivery) => ({ ...delivery, status: 'failed', lastError })),
          );
          if (queue.length < PAGE) return;
          continue;
        }
        let outcome: 'next' | 'wait' | 'disabled' = 'next';
        for (const delivery of queue) {
          // A head that is not due holds back the rest; a turn that ran long yields its slot.
          if (delivery.dueAtMs > now() || now() - started > turnMs) return;
          outcome = await attempt(webhook, delivery, writes);
          if (outcome !== 'next') break;
        }
        // What this turn did is stored before the next page is read, or the turn ends.
        await Promise.all(writes.splice(0));
        if (outcome === 'wait' || queue.length < PAGE) return;
      }
    } finally {
      await Promise.allSettled(writes);
    }
  }

  /** Starts a turn for each endpoint with due deliveries that fits in a free slot. */
  async function poll(): Promise<Promise<void>[]> {
    const free = concurrency - turns.size;
    if (free <= 0 || closed) return [];
    const due = await dueEndpoints(options.client, {
      nowMs: now(),
      exclude: [...turns.keys()],
      endpoints: free,
    });
    return due.map((webhookId) => {
      const running = turn(webhookId)
        .catch((error: unknown) =>
          options.logger.error({ err: error, webhook: webhookId }, 'webhook delivery failed'),
        )
        .finally(() => {
          turns.delete(webhookId);
          if (!closed) void pollSoon(); // a freed slot is offered at once
        });
      turns.set(webhookId, running);
      return running;
    });
  }

  const pollSoon = (): Promise<Promise<void>[]> => {
    polling ??= poll()
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'looking for due webhook deliveries failed');
        return [];
      })
      .finally(() => (polling = undefined));
    return polling;
  };

  const schedulePoll = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      void pollSoon().finally(schedulePoll);
    }, options.pollMs ?? 500).unref();
  };

  return {
    async runOnce() {
      totals = { delivered: 0, failed: 0, retried: 0 };
      await Promise.all(await poll());
      return totals;
    },
    start: schedulePoll,
    async close() {
      closed = true;
      clearTimeout(timer);
      const started = (await polling) ?? [];
      await Promise.allSettled([...started, ...turns.values()]);
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
