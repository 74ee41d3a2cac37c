import type { ClickHouseClient } from '@clickhouse/client';
import { nextVersion, WEBHOOK_OUTBOX_TABLE } from '../storage/index.ts';
import type { EventType } from './schema.ts';
import { newMessageId } from './signing.ts';
import type { StoredWebhook } from './store.ts';

/** One event as subscribers receive it: `{type, timestamp, data}`. */
export interface HookEvent {
  type: EventType;
  /** ISO 8601 time of the event. */
  timestamp: string;
  data: { service?: string; severity?: string } & Record<string, unknown>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  webhookId: string;
  /** The `webhook-id` of every attempt. */
  id: string;
  type: string;
  body: string;
  eventTimeMs: number;
  status: DeliveryStatus;
  attempts: number;
  dueAtMs: number;
  lastAttemptAtMs: number | null;
  lastStatus: number;
  lastError: string;
}

/** Whether a subscription wants an event (type, services, severity). */
export function wants(webhook: StoredWebhook, event: HookEvent): boolean {
  if (!webhook.enabled || !webhook.events.includes(event.type)) return false;
  if (event.type === 'webhook.test') return true;
  const service = event.data.service;
  if (
    webhook.services.length > 0 &&
    (service === undefined || !webhook.services.includes(service))
  ) {
    return false;
  }
  return webhook.minSeverity !== 'critical' || event.data.severity === 'critical';
}

/** Writes rows as their newest version. */
export async function writeDeliveries(
  client: ClickHouseClient,
  deliveries: Delivery[],
): Promise<void> {
  if (deliveries.length === 0) return;
  await client.insert({
    table: WEBHOOK_OUTBOX_TABLE,
    values: deliveries.map((delivery) => ({
      webhookId: delivery.webhookId,
      id: delivery.id,
      type: delivery.type,
      body: delivery.body,
      eventTime: delivery.eventTimeMs,
      status: delivery.status,
      attempts: delivery.attempts,
      dueAt: delivery.dueAtMs,
      lastAttemptAt: delivery.lastAttemptAtMs,
      lastStatus: delivery.lastStatus,
      lastError: delivery.lastError,
      version: nextVersion(),
    })),
    format: 'JSONEachRow',
  });
}

/**
 * Puts an event in the outbox of every subscription that wants it, before any attempt:
 * once this resolves, the event will be delivered even across restarts.
 */
export async function enqueue(
  client: ClickHouseClient,
  webhooks: StoredWebhook[],
  event: HookEvent,
  nowMs: number,
): Promise<Delivery[]> {
  const body = JSON.stringify(event);
  const deliveries = webhooks
    .filter((webhook) => wants(webhook, event))
    .map((webhook): Delivery => ({
      webhookId: webhook.id,
      id: newMessageId(),
      type: event.type,
      body,
      eventTimeMs: Date.parse(event.timestamp),
      status: 'pending',
      attempts: 0,
      dueAtMs: nowMs,
      lastAttemptAtMs: null,
      lastStatus: 0,
      lastError: '',
    }));
  await writeDeliveries(client, deliveries);
  return deliveries;
}

const SELECT = `webhookId, id, type, body, toUnixTimestamp64Milli(eventTime) AS eventTimeMs, status,
  attempts, toUnixTimestamp64Milli(dueAt) AS dueAtMs,
  toUnixTimestamp64Milli(lastAttemptAt) AS lastAttemptAtMs, lastStatus, lastError`;

type Row = Omit<Delivery, 'eventTimeMs' | 'dueAtMs' | 'lastAttemptAtMs'> & {
  eventTimeMs: string | number;
  dueAtMs: string | number;
  lastAttemptAtMs: string | number | null;
};

function fromRow(row: Row): Delivery {
  return {
    ...row,
    attempts: Number(row.attempts),
    lastStatus: Number(row.lastStatus),
    eventTimeMs: Number(row.eventTimeMs),
    dueAtMs: Number(row.dueAtMs),
    lastAttemptAtMs: row.lastAttemptAtMs === null ? null : Number(row.lastAttemptAtMs),
  };
}

/** Pending deliveries, per endpoint in event order (at most `limit`). */
export async function pendingDeliveries(
  client: ClickHouseClient,
  limit: number,
): Promise<Delivery[]> {
  const result = await client.query({
    query: `SELECT ${SELECT} FROM ${WEBHOOK_OUTBOX_TABLE} FINAL WHERE status = 'pending'
ORDER BY webhookId, eventTime, id LIMIT {limit:UInt32}`,
    query_params: { limit },
    format: 'JSONEachRow',
  });
  return (await result.json<Row>()).map(fromRow);
}

/** The deliveries of one endpoint, newest first (for `GET /v1/webhooks/:id/deliveries`). */
export async function deliveriesOf(
  client: ClickHouseClient,
  webhookId: string,
  limit: number,
): Promise<Delivery[]> {
  const result = await client.query({
    query: `SELECT ${SELECT} FROM ${WEBHOOK_OUTBOX_TABLE} FINAL WHERE webhookId = {webhookId:String}
ORDER BY eventTime DESC, id DESC LIMIT {limit:UInt32}`,
    query_params: { webhookId, limit },
    format: 'JSONEachRow',
  });
  return (await result.json<Row>()).map(fromRow);
}
