import type { ClickHouseClient } from '@clickhouse/client';
import { ALERTS_TABLE } from '../storage/index.ts';
import type { Alert, AlertStatus } from './schema.ts';

type TimeColumn = 'openedAt' | 'updatedAt' | 'acknowledgedAt' | 'resolvedAt';
// Times come back as epoch milliseconds under other names: an alias named like its
// column would shadow the column in WHERE and ORDER BY.
const SELECT_COLUMNS = `id, service, signal, signals, operation, severity, status, score, observed, expected, peak,
  toUnixTimestamp64Milli(openedAt) AS openedAtMs, toUnixTimestamp64Milli(updatedAt) AS updatedAtMs,
  toUnixTimestamp64Milli(acknowledgedAt) AS acknowledgedAtMs, acknowledgedBy,
  toUnixTimestamp64Milli(resolvedAt) AS resolvedAtMs, resolvedBy, summary, explanation, services, rootCause`;

type AlertRow = Omit<Alert, TimeColumn | 'explanation' | 'rootCause'> &
  Record<`${TimeColumn}Ms`, string | number | null> & { explanation: string; rootCause: string };

function fromRow(row: AlertRow): Alert {
  const iso = (ms: string | number | null) =>
    ms === null ? null : new Date(Number(ms)).toISOString();
  const { openedAtMs, updatedAtMs, acknowledgedAtMs, resolvedAtMs, ...rest } = row;
  return {
    ...rest,
    score: Number(row.score),
    observed: Number(row.observed),
    expected: Number(row.expected),
    peak: Number(row.peak),
    openedAt: iso(openedAtMs)!,
    updatedAt: iso(updatedAtMs)!,
    acknowledgedAt: iso(acknowledgedAtMs),
    resolvedAt: iso(resolvedAtMs),
    explanation: row.explanation === '' ? null : (JSON.parse(row.explanation) as unknown),
    services: row.services && row.services.length > 0 ? row.services : [row.service],
    rootCause: row.rootCause === '' ? [] : (JSON.parse(row.rootCause) as Alert['rootCause']),
  };
}

export interface AlertFilter {
  status?: AlertStatus | 'all';
  service?: string | undefined;
  openedAfterMs?: number;
  /** Only alerts resolved at or after this time (ms since the epoch). */
  resolvedAfterMs?: number;
  limit?: number;
}

export type TransitionResult =
  | { ok: true; alert: Alert; changed: boolean }
  | { ok: false; reason: 'not_found' | 'invalid'; message: string };

export interface AlertStore {
  list(filter: AlertFilter): Promise<Alert[]>;
  get(id: string): Promise<Alert | undefined>;
  /** Writes the alert as its newest version. */
  save(alert: Alert): Promise<void>;
  /** open → acknowledged, or open/acknowledged → resolved; repeating a transition is a no-op. */
  transition(
    id: string,
    to: 'acknowledged' | 'resolved',
    by: string,
    nowMs: number,
  ): Promise<TransitionResult>;
}

/** Alerts in ClickHouse. */
export function createAlertStore(client: ClickHouseClient): AlertStore {
  async function list(filter: AlertFilter): Promise<Alert[]> {
    const result = await client.query({
      query: `SELECT ${SELECT_COLUMNS} FROM ${ALERTS_TABLE} FINAL
WHERE ({status:String} = 'all' OR status = {status:String})
  AND ({service:String} = '' OR service = {service:String})
  AND openedAt >= fromUnixTimestamp64Milli({after:Int64})
  AND ({resolvedAfter:Int64} = 0 OR resolvedAt >= fromUnixTimestamp64Milli({resolvedAfter:Int64}))
ORDER BY openedAt DESC, id
LIMIT {limit:UInt32}`,
      query_params: {
        status: filter.status ?? 'all',
        service: filter.service ?? '',
        after: filter.openedAfterMs ?? 0,
        resolvedAfter: filter.resolvedAfterMs ?? 0,
        limit: filter.limit ?? 200,
      },
      format: 'JSONEachRow',
    });
    return (await result.json<AlertRow>()).map(fromRow);
  }

  async function get(id: string): Promise<Alert | undefined> {
    const result = await client.query({
      query: `SELECT ${SELECT_COLUMNS} FROM ${ALERTS_TABLE} FINAL WHERE id = {id:String} LIMIT 1`,
      query_params: { id },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<AlertRow>();
    return row ? fromRow(row) : undefined;
  }

  async function save(alert: Alert): Promise<void> {
    const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
    await client.insert({
      table: ALERTS_TABLE,
      values: [
        {
          ...alert,
          openedAt: ms(alert.openedAt),
          updatedAt: ms(alert.updatedAt),
          acknowledgedAt: ms(alert.acknowledgedAt),
          resolvedAt: ms(alert.resolvedAt),
          explanation: alert.explanation === null ? '' : JSON.stringify(alert.explanation),
          services: alert.services ?? [alert.service],
          rootCause: alert.rootCause?.length ? JSON.stringify(alert.rootCause) : '',
          // Versions order the rows of one alert; the update time is monotonic enough
          // for a handful of changes, and ties resolve to the later insert.
          version: Date.parse(alert.updatedAt),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  return {
    list,
    get,
    save,
    async transition(id, to, by, nowMs) {
      const alert = await get(id);
      if (!alert) return { ok: false, reason: 'not_found', message: `no alert with id ${id}` };
      if (alert.status === to) return { ok: true, alert, changed: false };
      if (alert.status === 'resolved') {
        return {
          ok: false,
          reason: 'invalid',
          message: `alert ${id} is resolved; it cannot be ${to}`,
        };
      }
      const now = new Date(Math.max(nowMs, Date.parse(alert.updatedAt) + 1)).toISOString();
      const next: Alert =
        to === 'acknowledged'
          ? { ...alert, status: to, updatedAt: now, acknowledgedAt: now, acknowledgedBy: by }
          : { ...alert, status: to, updatedAt: now, resolvedAt: now, resolvedBy: by };
      await save(next);
      return { ok: true, alert: next, changed: true };
    },
  };
}
