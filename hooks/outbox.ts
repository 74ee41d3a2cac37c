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

type OutboxRow = Record<string, unknown>;

/** Rows per insert, at most; more wait for the next one. */
const MAX_ROWS_PER_INSERT = 5_000;

/**
 * Group commit: writes that arrive while an insert runs go together in the next one, so
 * many small writers (delivery lanes, events being enqueued) cost few inserts. Each
 * write resolves once its rows are stored.
 */
function groupCommit(client: ClickHouseClient): (rows: OutboxRow[]) => Promise<void> {
  const waiting: Array<{ rows: OutboxRow[]; resolve: () => void; reject: (e: unknown) => void }> =
    [];
  let inserting = false;
  const drain = async () => {
    inserting = true;
    while (waiting.length > 0) {
      let count = 0;
      const take = waiting.findIndex((write) => (count += write.rows.length) > MAX_ROWS_PER_INSERT);
      // Everything waiting, or up to the write that would overflow (at least one write).
      const batch = waiting.splice(0, take === -1 ? waiting.length : Math.max(1, take));
      try {
        await client.insert({
          table: WEBHOOK_OUTBOX_TABLE,
          values: batch.flatMap((write) => write.rows),
          format: 'JSONEachRow',
        });
        for (const write of batch) write.resolve();
      } catch (error) {
        for (const write of batch) write.reject(error);
      }
    }
    inserting = false;
  };
  return (rows) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ rows, resolve, reject });
      if (!inserting) void drain();
    });
}

const writers = new WeakMap<ClickHouseClient, (rows: OutboxRow[]) => Promise<void>>();

/** Writes rows as their newest version (the version is taken now, in call order). */
export async function writeDeliveries(
  client: ClickHouseClient,
  deliveries: Delivery[],
): Promise<void> {
  if (deliveries.length === 0) return;
  let write = writers.get(client);
  if (!write) writers.set(client, (write = groupCommit(client)));
  await write(
    deliveries.map((delivery) => ({
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
  );
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

/**
 * Endpoints whose oldest pending delivery is due at `nowMs` (a waiting head holds its
 * endpoint back, never the others), leaving out `exclude` (being delivered already):
 * at most `endpoints` of them, oldest head first.
 */
export async function dueEndpoints(
  client: ClickHouseClient,
  options: { nowMs: number; exclude: string[]; endpoints: number },
): Promise<string[]> {
  const result = await client.query({
    query: `SELECT webhookId, min(eventTime) AS headTime
FROM ${WEBHOOK_OUTBOX_TABLE} FINAL
WHERE status = 'pending' AND webhookId NOT IN {exclude:Array(String)}
GROUP BY webhookId
HAVING argMin(dueAt, (eventTime, id)) <= fromUnixTimestamp64Milli({now:Int64})
ORDER BY headTime
LIMIT {endpoints:UInt32}`,
    query_params: { now: options.nowMs, exclude: options.exclude, endpoints: options.endpoints },
    format: 'JSONEachRow',
  });
  return (await result.json<{ webhookId: string }>()).map((row) => row.webhookId);
}

/** The oldest pending deliveries of one endpoint, in event order (at most `limit`). */
export async function pendingOf(
  client: ClickHouseClient,
  webhookId: string,
  limit: number,
): Promise<Delivery[]> {
  const result = await client.query({
    query: `SELECT ${SELECT} FROM ${WEBHOOK_OUTBOX_TABLE} FINAL
WHERE webhookId = {webhookId:String} AND status = 'pending'
ORDER BY eventTime, id LIMIT {limit:UInt32}`,
    query_params: { webhookId, limit },
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

/**
 * The deliveries of one alert's events across every subscription, oldest first: found by
 * the alert id inside each event body, from `sinceMs` (the alert's opening) on.
 */
export async function deliveriesOfAlert(
  client: ClickHouseClient,
  alertId: string,
  sinceMs: number,
  limit: number,
): Promise<Delivery[]> {
  const result = await client.query({
    query: `SELECT ${SELECT} FROM ${WEBHOOK_OUTBOX_TABLE} FINAL
WHERE eventTime >= fromUnixTimestamp64Milli({sinceMs:Int64})
  AND JSONExtractString(body, 'data', 'id') = {alertId:String}
ORDER BY eventTime, webhookId, id LIMIT {limit:UInt32}`,
    query_params: { alertId, sinceMs, limit },
    format: 'JSONEachRow',
  });
  return (await result.json<Row>()).map(fromRow);
}
