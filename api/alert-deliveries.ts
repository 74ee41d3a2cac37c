import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AlertStore } from '../alerts/index.ts';
import { deliveriesOfAlert } from '../hooks/live/index.ts';
import { notFound } from './errors.ts';
import { deliveryView } from './webhooks.ts';

export const AlertDeliveryList = z.object({
  deliveries: z.array(
    z.object({
      webhookId: z.string(),
      id: z.string().describe('The webhook-id header of every attempt.'),
      type: z.string().describe('anomaly.opened, anomaly.updated, …'),
      status: z.enum(['pending', 'delivered', 'failed']),
      attempts: z.number().int(),
      lastStatus: z.number().int().nullable().describe('HTTP status of the last attempt.'),
      lastError: z.string().nullable(),
      eventTime: z.string(),
      lastAttemptAt: z.string().nullable(),
      nextAttemptAt: z.string().nullable(),
    }),
  ),
});
type AlertDeliveryList = z.infer<typeof AlertDeliveryList>;

/** Most deliveries listed for one alert. */
const MAX_DELIVERIES = 200;

/**
 * `GET /v1/alerts/:id/deliveries`: the webhook deliveries of an alert's events, oldest
 * first, across every subscription; found by the alert id inside each event body.
 */
export function registerAlertDeliveryRoutes(
  app: Hono,
  options: { client: ClickHouseClient; store: AlertStore },
): void {
  app.get('/v1/alerts/:id/deliveries', async (c) => {
    const alert = await options.store.get(c.req.param('id'));
    if (!alert) throw notFound(`no alert with id ${c.req.param('id')}`);
    const deliveries = await deliveriesOfAlert(
      options.client,
      alert.id,
      // Events of an alert are never older than its opening (a minute of slack for clocks).
      Date.parse(alert.openedAt) - 60_000,
      MAX_DELIVERIES,
    );
    return c.json({
      deliveries: deliveries.map(deliveryView),
    } satisfies AlertDeliveryList);
  });
}
