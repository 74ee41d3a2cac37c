import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { nextVersion, updateRow, WEBHOOKS_TABLE } from '../storage/index.ts';
import {
  PAGERDUTY_EVENTS_URL,
  type Webhook,
  type WebhookCreate,
  type WebhookKind,
  type WebhookPatch,
} from './schema.ts';
import { generateSecret } from './signing.ts';

/** A subscription with what only the delivery worker sees. */
export interface StoredWebhook extends Webhook {
  /** Signing secrets, current first; a previous one during a rotation overlap. */
  secrets: string[];
  previousSecretUntilMs: number | null;
  /** PagerDuty routing key (kind pagerduty), '' otherwise; never shown. */
  routingKey: string;
}

export interface WebhookStore {
  /** Every subscription with its secrets, disabled ones included (for delivery). */
  all(): Promise<StoredWebhook[]>;
  create(input: WebhookCreate, nowMs: number): Promise<{ webhook: Webhook; secret: string }>;
  list(): Promise<Webhook[]>;
  get(id: string): Promise<StoredWebhook | undefined>;
  update(id: string, patch: WebhookPatch, nowMs: number): Promise<Webhook | undefined>;
  remove(id: string, nowMs: number): Promise<boolean>;
  /** A new secret; the old one keeps signing for `overlapMs` (both sign meanwhile). */
  rotate(
    id: string,
    nowMs: number,
    overlapMs: number,
  ): Promise<{ webhook: Webhook; secret: string } | undefined>;
  /** Disables an endpoint (410, retries exhausted) and records why. */
  disable(id: string, reason: string, nowMs: number): Promise<void>;
}

interface Row {
  id: string;
  kind: WebhookKind;
  url: string;
  events: string[];
  services: string[];
  minSeverity: 'warning' | 'critical';
  description: string;
  secrets: string[];
  routingKey: string;
  previousSecretUntilMs: string | number | null;
  enabled: boolean;
  disabledReason: string;
  deleted: boolean;
  createdAtMs: string | number;
  updatedAtMs: string | number;
}

const SELECT = `id, kind, url, events, services, minSeverity, description, secrets, routingKey,
  toUnixTimestamp64Milli(previousSecretUntil) AS previousSecretUntilMs, enabled, disabledReason,
  deleted, toUnixTimestamp64Milli(createdAt) AS createdAtMs, toUnixTimestamp64Milli(updatedAt) AS updatedAtMs`;

function fromRow(row: Row): StoredWebhook {
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    events: row.events,
    services: row.services,
    minSeverity: row.minSeverity,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason === '' ? null : row.disabledReason,
    createdAt: new Date(Number(row.createdAtMs)).toISOString(),
    updatedAt: new Date(Number(row.updatedAtMs)).toISOString(),
    secrets: row.secrets,
    routingKey: row.routingKey,
    previousSecretUntilMs:
      row.previousSecretUntilMs === null ? null : Number(row.previousSecretUntilMs),
  };
}

/** The public view of a stored subscription. */
export function publicWebhook(webhook: StoredWebhook): Webhook {
  const {
    secrets: _secrets,
    previousSecretUntilMs: _until,
    routingKey: _routingKey,
    ...visible
  } = webhook;
  return visible;
}

/** Webhook subscriptions in ClickHouse. */
export function createWebhookStore(client: ClickHouseClient): WebhookStore {
  async function write(webhook: StoredWebhook, deleted: boolean, nowMs: number): Promise<void> {
    await client.insert({
      table: WEBHOOKS_TABLE,
      values: [
        {
          id: webhook.id,
          kind: webhook.kind,
          url: webhook.url,
          events: webhook.events,
          services: webhook.services,
          minSeverity: webhook.minSeverity,
          description: webhook.description,
          secrets: webhook.secrets,
          routingKey: webhook.routingKey,
          previousSecretUntil: webhook.previousSecretUntilMs,
          enabled: webhook.enabled,
          disabledReason: webhook.disabledReason ?? '',
          deleted,
          createdAt: Date.parse(webhook.createdAt),
          updatedAt: nowMs,
          version: nextVersion(nowMs),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async function get(id: string): Promise<StoredWebhook | undefined> {
    const result = await client.query({
      query: `SELECT ${SELECT} FROM ${WEBHOOKS_TABLE} FINAL WHERE id = {id:String} AND NOT deleted`,
      query_params: { id },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<Row>();
    return row ? fromRow(row) : undefined;
  }

  /** Runs a read-modify-write of subscription `id` after the others of it (see updateRow). */
  const updating = <T>(id: string, update: () => Promise<T>): Promise<T> =>
    updateRow(client, `${WEBHOOKS_TABLE}/${id}`, update);

  return {
    async all() {
      const result = await client.query({
        query: `SELECT ${SELECT} FROM ${WEBHOOKS_TABLE} FINAL WHERE NOT deleted`,
        format: 'JSONEachRow',
      });
      return (await result.json<Row>()).map(fromRow);
    },
    async create(input, nowMs) {
      const secret = generateSecret();
      const now = new Date(nowMs).toISOString();
      const webhook: StoredWebhook = {
        id: `wh_${randomUUID().replaceAll('-', '')}`,
        kind: input.kind ?? 'webhook',
        url: input.url ?? PAGERDUTY_EVENTS_URL,
        events: [...new Set(input.events)],
        services: input.services ?? [],
        minSeverity: input.minSeverity ?? 'warning',
        description: input.description ?? '',
        enabled: true,
        disabledReason: null,
        createdAt: now,
        updatedAt: now,
        secrets: [secret],
        previousSecretUntilMs: null,
        routingKey: input.routingKey ?? '',
      };
      await write(webhook, false, nowMs);
      return { webhook: publicWebhook(webhook), secret };
    },
    async list() {
      const result = await client.query({
        query: `SELECT ${SELECT} FROM ${WEBHOOKS_TABLE} FINAL WHERE NOT deleted ORDER BY createdAt, id`,
        format: 'JSONEachRow',
      });
      return (await result.json<Row>()).map((row) => publicWebhook(fromRow(row)));
    },
    get,
    update(id, patch, nowMs) {
      return updating(id, async () => {
        const existing = await get(id);
        if (!existing) return undefined;
        const { enabled, ...fields } = patch;
        const next: StoredWebhook = {
          ...existing,
          ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
          ...(patch.events ? { events: [...new Set(patch.events)] } : {}),
          ...(enabled === undefined
            ? {}
            : { enabled, disabledReason: enabled ? null : 'disabled by a user' }),
          updatedAt: new Date(nowMs).toISOString(),
        };
        await write(next, false, nowMs);
        return publicWebhook(next);
      });
    },
    remove(id, nowMs) {
      return updating(id, async () => {
        const existing = await get(id);
        if (!existing) return false;
        await write(existing, true, nowMs);
        return true;
      });
    },
    rotate(id, nowMs, overlapMs) {
      return updating(id, async () => {
        const existing = await get(id);
        if (!existing) return undefined;
        const secret = generateSecret();
        const next: StoredWebhook = {
          ...existing,
          secrets: [secret, existing.secrets[0]!],
          previousSecretUntilMs: nowMs + overlapMs,
          updatedAt: new Date(nowMs).toISOString(),
        };
        await write(next, false, nowMs);
        return { webhook: publicWebhook(next), secret };
      });
    },
    disable(id, reason, nowMs) {
      return updating(id, async () => {
        const existing = await get(id);
        if (!existing) return;
        await write(
          {
            ...existing,
            enabled: false,
            disabledReason: reason,
            updatedAt: new Date(nowMs).toISOString(),
          },
          false,
          nowMs,
        );
      });
    },
  };
}

/** The secrets that sign at `nowMs`: the current one, and the previous during its overlap. */
export function signingSecrets(webhook: StoredWebhook, nowMs: number): string[] {
  const [current, previous] = webhook.secrets;
  if (current === undefined) return [];
  return previous !== undefined &&
    webhook.previousSecretUntilMs !== null &&
    nowMs < webhook.previousSecretUntilMs
    ? [current, previous]
    : [current];
}
