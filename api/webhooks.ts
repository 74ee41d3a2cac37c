import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import {
  WebhookCreate,
  WebhookPatch,
  type AllowList,
  type Delivery,
  type WebhookStore,
} from '../hooks/index.ts';
import {
  BlockedTargetError,
  checkTarget,
  deliveriesOf,
  enqueue,
  publicWebhook,
} from '../hooks/live/index.ts';
import { badRequest, notFound } from './errors.ts';
import { parseWith, readJsonBody } from './validation.ts';

/** The answer of `POST /v1/webhooks/:id/test`. */
export const WebhookTestDelivery = z.object({
  id: z.string().describe('The delivery, as in GET /v1/webhooks/{id}/deliveries.'),
  status: z.enum(['pending', 'delivered', 'failed']),
});

export interface WebhookRoutesOptions {
  client: ClickHouseClient;
  store: WebhookStore;
  now: () => number;
  /** Targets opened deliberately (`OPSLESS_WEBHOOK_ALLOW`); everything internal is refused. */
  allow: AllowList;
  /** How long the previous secret keeps signing after a rotation (default 24 h). */
  rotationOverlapMs?: number;
}

/** Webhook subscriptions: create, list, read, change, delete, rotate the secret. */
export function registerWebhookRoutes(app: Hono, options: WebhookRoutesOptions): void {
  const guard = async (url: string | undefined): Promise<void> => {
    if (url === undefined) return;
    try {
      await checkTarget(url, { allow: options.allow });
    } catch (error) {
      if (error instanceof BlockedTargetError) {
        throw badRequest(`url: ${error.message}`);
      }
      throw error;
    }
  };

  app.post('/v1/webhooks', async (c) => {
    const input = parseWith(WebhookCreate, await readJsonBody(c.req.raw), 'body');
    await guard(input.url); // PagerDuty's own address (the default) is checked at delivery
    const { webhook, secret } = await options.store.create(input, options.now());
    return c.json({ ...webhook, secret }, 201);
  });

  app.get('/v1/webhooks', async (c) => c.json({ webhooks: await options.store.list() }));

  app.get('/v1/webhooks/:id', async (c) => {
    const webhook = await options.store.get(c.req.param('id'));
    if (!webhook) throw notFound(`no webhook with id ${c.req.param('id')}`);
    return c.json(publicWebhook(webhook));
  });

  app.patch('/v1/webhooks/:id', async (c) => {
    const patch = parseWith(WebhookPatch, await readJsonBody(c.req.raw), 'body');
    await guard(patch.url);
    if (patch.routingKey !== undefined) {
      const existing = await options.store.get(c.req.param('id'));
      if (existing && existing.kind !== 'pagerduty') {
        throw badRequest(
          'invalid body: routingKey: only a subscription of kind pagerduty has a routing key',
        );
      }
    }
    const webhook = await options.store.update(c.req.param('id'), patch, options.now());
    if (!webhook) throw notFound(`no webhook with id ${c.req.param('id')}`);
    return c.json(webhook);
  });

  app.delete('/v1/webhooks/:id', async (c) => {
    if (!(await options.store.remove(c.req.param('id'), options.now()))) {
      throw notFound(`no webhook with id ${c.req.param('id')}`);
    }
    return c.body(null, 204);
  });

  app.post('/v1/webhooks/:id/test', async (c) => {
    const webhook = await options.store.get(c.req.param('id'));
    if (!webhook) throw notFound(`no webhook with id ${c.req.param('id')}`);
    const nowMs = options.now();
    const [delivery] = await enqueue(
      options.client,
      [{ ...webhook, events: ['webhook.test'] }],
      {
        type: 'webhook.test',
        timestamp: new Date(nowMs).toISOString(),
        data: { webhookId: webhook.id, message: 'a test event from opsless' },
      },
      nowMs,
    );
    if (!delivery)
      throw badRequest(`webhook ${webhook.id} is disabled: ${webhook.disabledReason ?? ''}`);
    return c.json({ id: delivery.id, status: delivery.status }, 202);
  });

  app.get('/v1/webhooks/:id/deliveries', async (c) => {
    const webhook = await options.store.get(c.req.param('id'));
    if (!webhook) throw notFound(`no webhook with id ${c.req.param('id')}`);
    const deliveries = await deliveriesOf(options.client, webhook.id, 200);
    return c.json({ deliveries: deliveries.map(deliveryView) });
  });

  app.post('/v1/webhooks/:id/rotate-secret', async (c) => {
    const rotated = await options.store.rotate(
      c.req.param('id'),
      options.now(),
      options.rotationOverlapMs ?? 86_400_000,
    );
    if (!rotated) throw notFound(`no webhook with id ${c.req.param('id')}`);
    return c.json({ ...rotated.webhook, secret: rotated.secret });
  });
}

/** A delivery as the API shows it: its attempts, last answer and next attempt, never the body. */
export function deliveryView(delivery: Delivery) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    webhookId: delivery.webhookId,
    id: delivery.id,
    type: delivery.type,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatus: delivery.lastStatus === 0 ? null : delivery.lastStatus,
    lastError: delivery.lastError === '' ? null : delivery.lastError,
    eventTime: iso(delivery.eventTimeMs),
    lastAttemptAt: delivery.lastAttemptAtMs === null ? null : iso(delivery.lastAttemptAtMs),
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.dueAtMs) : null,
  };
}
