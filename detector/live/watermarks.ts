import type { ClickHouseClient } from '@clickhouse/client';
import { alignDown, LOG_PATTERN_COUNTS_TABLE, RED_TABLE } from '../../storage/index.ts';

/**
 * How far each service's data has arrived: the latest time (ms) of its spans (a 10 s
 * rollup bucket's start: some span at or after it is stored), of its metric points and
 * of its log records.
 * Read from what is stored, so any number of collectors and detectors agree on it.
 */
export interface Watermarks {
  spans: Map<string, number>;
  metrics: Map<string, number>;
  logs: Map<string, number>;
  /** The latest span time stored for any service of the shard. */
  latestSpanMs: number;
}

/** Reads the watermarks of `services` among data since `sinceMs` (of `metrics` only). */
export async function readWatermarks(
  client: ClickHouseClient,
  query: { services: string[]; metrics: readonly string[]; sinceMs: number },
): Promise<Watermarks> {
  const { services, metrics: watched } = query;
  const marks: Watermarks = {
    spans: new Map(),
    metrics: new Map(),
    logs: new Map(),
    latestSpanMs: -Infinity,
  };
  if (services.length === 0) return marks;
  const params = { services, metrics: watched, since: query.sinceMs };
  const metricWhere = `ServiceName IN {services:Array(String)} AND MetricName IN {metrics:Array(String)}
  AND TimeUnix >= fromUnixTimestamp64Milli({since:Int64})`;
  const [spans, metrics, logs] = await Promise.all([
    client.query({
      query: `SELECT ServiceName AS service, toUnixTimestamp(max(Bucket)) * 1000 AS ms FROM ${RED_TABLE}
WHERE ServiceName IN {services:Array(String)} AND Bucket >= toDateTime(intDiv({since:Int64}, 1000))
GROUP BY ServiceName`,
      query_params: params,
      format: 'JSONEachRow',
    }),
    watched.length === 0
      ? null
      : client.query({
          query: `SELECT service, max(ms) AS ms FROM (
  SELECT ServiceName AS service, toUnixTimestamp64Milli(max(TimeUnix)) AS ms FROM otel_metrics_gauge WHERE ${metricWhere} GROUP BY service
  UNION ALL SELECT ServiceName AS service, toUnixTimestamp64Milli(max(TimeUnix)) AS ms FROM otel_metrics_sum WHERE ${metricWhere} GROUP BY service
  UNION ALL SELECT ServiceName AS service, toUnixTimestamp64Milli(max(TimeUnix)) AS ms FROM otel_metrics_histogram WHERE ${metricWhere} GROUP BY service
) GROUP BY service`,
          query_params: params,
          format: 'JSONEachRow',
        }),
    // The per-minute log counts keep each minute's latest record time: no log scan.
    client.query({
      query: `SELECT ServiceName AS service, toUnixTimestamp64Milli(max(LastSeen)) AS ms
FROM ${LOG_PATTERN_COUNTS_TABLE}
WHERE ServiceName IN {services:Array(String)} AND Minute >= toStartOfMinute(toDateTime(intDiv({since:Int64}, 1000)))
GROUP BY ServiceName`,
      query_params: params,
      format: 'JSONEachRow',
    }),
  ]);
  for (const row of await spans.json<{ service: string; ms: number | string }>()) {
    marks.spans.set(row.service, Number(row.ms));
    marks.latestSpanMs = Math.max(marks.latestSpanMs, Number(row.ms));
  }
  for (const row of (await metrics?.json<{ service: string; ms: number | string }>()) ?? []) {
    marks.metrics.set(row.service, Number(row.ms));
  }
  for (const row of await logs.json<{ service: string; ms: number | string }>()) {
    marks.logs.set(row.service, Number(row.ms));
  }
  return marks;
}

export interface CompletionRule {
  nowMs: number;
  stepMs: number;
  /** How far one service's spans may trail the others' before its silence is believed. */
  settleMs: number;
  /** After this long a step is complete whatever arrived (all data stopped), ms. */
  maxWaitMs: number;
}

/**
 * The exclusive end of a service's complete span steps: a step is complete once a span of
 * the service at or after its end is stored; or once other services' spans are stored
 * `settleMs` past its end (the service was quiet, so a drop to zero is still seen); or
 * `maxWaitMs` after its end. A late host delays all of these alike, so it delays the
 * evaluation rather than scoring partial steps.
 */
export function completeSpanEnd(marks: Watermarks, service: string, rule: CompletionRule): number {
  const own = marks.spans.get(service) ?? -Infinity;
  return alignDown(
    Math.min(
      rule.nowMs,
      Math.max(own, marks.latestSpanMs - rule.settleMs, rule.nowMs - rule.maxWaitMs),
    ),
    rule.stepMs,
  );
}

/**
 * The same for a service's metric steps. Each SDK exports metrics on its own clock, so only
 * the service's own points (or `maxWaitMs`) complete its metric steps.
 */
export function completeMetricEnd(
  marks: Watermarks,
  service: string,
  rule: CompletionRule,
): number {
  return ownEnd(marks.metrics.get(service), rule);
}

/** The same for a service's log steps: its own records (or `maxWaitMs`) complete them. */
export function completeLogEnd(marks: Watermarks, service: string, rule: CompletionRule): number {
  return ownEnd(marks.logs.get(service), rule);
}

function ownEnd(ownMs: number | undefined, rule: CompletionRule): number {
  const own = ownMs ?? -Infinity;
  return alignDown(Math.min(rule.nowMs, Math.max(own, rule.nowMs - rule.maxWaitMs)), rule.stepMs);
}
