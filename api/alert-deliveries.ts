import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AlertStore } from '../alerts/index.ts';
import { WEBHOOK_OUTBOX_TABLE } from '../storage/index.ts';
import { notFound } from './errors.ts';

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

interface Row {
  webhookId: string;
  id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: string | number;
  lastStatus: string | number;
  lastError: string;
  eventTimeMs: string | number;
  dueAtMs: string | number;
  lastAttemptAtMs: string | number | null;
}

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
    const result = await options.client.query({
      query: `SELECT webhookId, id, type, status, attempts, lastStatus, lastError,
  toUnixTimestamp64Milli(eventTime) AS eventTimeMs, toUnixTimestamp64Milli(dueAt) AS dueAtMs,
  toUnixTimestamp64Milli(lastAttemptAt) AS lastAttemptAtMs
FROM ${WEBHOOK_OUTBOX_TABLE} FINAL
WHERE eventTime >= fromUnixTimestamp64Milli({openedMs:Int64})
  AND JSONExtractString(body, 'data', 'id') = {alertId:String}
ORDER BY eventTime, webhookId, id
LIMIT {limit:UInt32}`,
      query_params: {
        alertId: alert.id,
        // Events of an alert are never older than its opening (a minute of slack for clocks).
        openedMs: Date.parse(alert.openedAt) - 60_000,
        limit: MAX_DELIVERIES,
      },
      format: 'JSONEachRow',
    });
    const rows = await result.json<Row>();
    const iso = (ms: string | number) => new Date(Number(ms)).toISOString();
    return c.json({
      deliveries: rows.map((row) => ({
        webhookId: row.webhookId,
        id: row.id,
        type: row.type,
        status: row.status,
        attempts: Number(row.attempts),
        lastStatus: Number(row.lastStatus) === 0 ? null : Number(row.lastStatus),
        lastError: row.lastError === '' ? null : row.lastError,
        eventTime: iso(row.eventTimeMs),
        lastAttemptAt: row.lastAttemptAtMs === null ? null : iso(row.lastAttemptAtMs),
        nextAttemptAt: row.status === 'pending' ? iso(row.dueAtMs) : null,
      })),
    } satisfies AlertDeliveryList);
  });
}
