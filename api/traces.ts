import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { ERROR_SPAN_SQL } from '../storage/index.ts';
import { badRequest, notFound } from './errors.ts';
import { parseTimeRange, type TimeRange } from './time-range.ts';
import {
  MAX_TRACE_SEARCH_MS,
  MAX_TRACE_SPANS,
  TraceSearchQuery,
  type Trace,
  type TraceSpan,
  type TraceSummary,
} from './trace-schema.ts';
import { parseWith } from './validation.ts';

const TRACE_ID = /^[0-9a-f]{32}$/;

/** `GET /v1/traces` (search) and `GET /v1/traces/:traceId` (one trace, every span). */
export function registerTraceRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/traces', async (c) => {
    const attribute = c.req.queries('attribute');
    const query = parseWith(
      TraceSearchQuery,
      { ...c.req.query(), ...(attribute ? { attribute } : {}) },
      'query',
    );
    const range = parseTimeRange(query, options.now(), '1h');
    if (range.toMs - range.fromMs > MAX_TRACE_SEARCH_MS) {
      throw badRequest('a trace search may cover 7 days at most; narrow since or from/to');
    }
    if (
      query.minDurationMs !== undefined &&
      query.maxDurationMs !== undefined &&
      query.maxDurationMs < query.minDurationMs
    ) {
      throw badRequest('maxDurationMs must not be below minDurationMs');
    }
    return c.json(await searchTraces(options.client, query, range));
  });

  app.get('/v1/traces/:traceId', async (c) => {
    const traceId = c.req.param('traceId').toLowerCase();
    if (!TRACE_ID.test(traceId)) {
      throw badRequest(`traceId must be 32 hexadecimal digits; got "${c.req.param('traceId')}"`);
    }
    const trace = await readTrace(options.client, traceId, options.now());
    if (!trace) throw notFound(`no trace with id ${traceId}`);
    return c.json(trace);
  });
}

/** The columns every span query reads. */
interface SpanColumns {
  spanId: string;
  service: string;
  operation: string;
  kind: string;
  startNs: string;
  durationNs: string;
  statusCode: TraceSpan['statusCode'];
  error: number | boolean;
}

interface MatchRow extends SpanColumns {
  traceId: string;
}

interface SummaryRow {
  traceId: string;
  spans: string | number;
  errorSpans: string | number;
  startNs: string;
  endNs: string;
  roots: string | number;
  rootService: string;
  rootOperation: string;
}

/**
 * The newest matching span of each trace, newest first, then each trace's extent and
 * root. Filters are fixed SQL fragments; every value is a query parameter.
 *
 * Pages: a trace sorts by its newest matching span (time, then trace id); the cursor is
 * that key of a page's last trace, and the next page holds the traces whose key is below
 * it, that is, no matching span at or above it (a trace with older matching spans is not
 * shown again).
 */
async function searchTraces(
  client: ClickHouseClient,
  query: TraceSearchQuery,
  range: TimeRange,
): Promise<{ traces: TraceSummary[]; nextCursor: string | null }> {
  const where = [
    'Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})',
    'Timestamp < fromUnixTimestamp64Milli({toMs:Int64})',
  ];
  const params: Record<string, unknown> = {
    fromMs: range.fromMs,
    toMs: range.toMs,
    limit: query.limit,
  };
  if (query.service !== undefined) {
    where.push('ServiceName = {service:String}');
    params.service = query.service;
  }
  if (query.operation !== undefined) {
    where.push('SpanName = {operation:String}');
    params.operation = query.operation;
  }
  if (query.minDurationMs !== undefined) {
    where.push('Duration >= {minNs:UInt64}');
    params.minNs = Math.round(query.minDurationMs * 1e6);
  }
  if (query.maxDurationMs !== undefined) {
    where.push('Duration <= {maxNs:UInt64}');
    params.maxNs = Math.round(query.maxDurationMs * 1e6);
  }
  if (query.status === 'error') where.push(ERROR_SPAN_SQL);
  if (query.status === 'ok') where.push(`NOT ${ERROR_SPAN_SQL}`);
  (query.attribute ?? []).forEach((filter, i) => {
    const split = filter.indexOf('=');
    params[`key${i}`] = filter.slice(0, split);
    params[`value${i}`] = filter.slice(split + 1);
    where.push(
      `(SpanAttributes[{key${i}:String}] = {value${i}:String} OR ResourceAttributes[{key${i}:String}] = {value${i}:String})`,
    );
  });
  const matching = where.join('\n  AND ');
  if (query.cursor !== undefined) {
    const [cursorNs, cursorTrace] = query.cursor.split('-');
    params.cursorNs = cursorNs;
    params.cursorTrace = cursorTrace;
    const atOrAbove =
      '(Timestamp, TraceId) >= (fromUnixTimestamp64Nano({cursorNs:Int64}), {cursorTrace:String})';
    where.push(
      'Timestamp <= fromUnixTimestamp64Nano({cursorNs:Int64})',
      `TraceId NOT IN (SELECT TraceId FROM otel_traces WHERE ${matching} AND ${atOrAbove})`,
    );
  }
  const matches = await (
    await client.query({
      query: `SELECT TraceId AS traceId, SpanId AS spanId, ServiceName AS service, SpanName AS operation,
  SpanKind AS kind, toString(toUnixTimestamp64Nano(Timestamp)) AS startNs,
  toString(Duration) AS durationNs, StatusCode AS statusCode, ${ERROR_SPAN_SQL} AS error
FROM otel_traces
WHERE ${where.join('\n  AND ')}
ORDER BY Timestamp DESC, TraceId DESC
LIMIT 1 BY TraceId
LIMIT {limit:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    })
  ).json<MatchRow>();
  if (matches.length === 0) return { traces: [], nextCursor: null };
  const last = matches[matches.length - 1];
  const nextCursor =
    matches.length === query.limit && last ? `${last.startNs}-${last.traceId}` : null;

  const traceIds = matches.map((match) => match.traceId);
  const summaries = await (
    await client.query({
      query: `SELECT TraceId AS traceId, count() AS spans, countIf(${ERROR_SPAN_SQL}) AS errorSpans,
  toString(min(toUnixTimestamp64Nano(Timestamp))) AS startNs,
  toString(max(toInt64(toUnixTimestamp64Nano(Timestamp)) + toInt64(Duration))) AS endNs,
  countIf(ParentSpanId = '') AS roots,
  argMinIf(ServiceName, Timestamp, ParentSpanId = '') AS rootService,
  argMinIf(SpanName, Timestamp, ParentSpanId = '') AS rootOperation
FROM otel_traces
WHERE TraceId IN {traceIds:Array(String)}
  AND Timestamp >= (SELECT toDateTime64(min(Start), 9) FROM otel_traces_trace_id_ts WHERE TraceId IN {traceIds:Array(String)})
  AND Timestamp < (SELECT toDateTime64(max(End), 9) + INTERVAL 1 SECOND FROM otel_traces_trace_id_ts WHERE TraceId IN {traceIds:Array(String)})
GROUP BY TraceId`,
      query_params: { traceIds },
      format: 'JSONEachRow',
    })
  ).json<SummaryRow>();
  const byId = new Map(summaries.map((row) => [row.traceId, row]));

  const traces = matches.map((match): TraceSummary => {
    const summary = byId.get(match.traceId);
    const startNs = BigInt(summary?.startNs ?? match.startNs);
    const endNs = summary
      ? BigInt(summary.endNs)
      : BigInt(match.startNs) + BigInt(match.durationNs);
    return {
      traceId: match.traceId,
      startTime: isoOfNanos(startNs),
      durationMs: nanosToMs(endNs - startNs),
      spans: Number(summary?.spans ?? 1),
      errorSpans: Number(summary?.errorSpans ?? (match.error ? 1 : 0)),
      root:
        summary && Number(summary.roots) > 0
          ? { service: summary.rootService, operation: summary.rootOperation }
          : null,
      match: {
        spanId: match.spanId,
        service: match.service,
        operation: match.operation,
        kind: match.kind,
        startTime: isoOfNanos(BigInt(match.startNs)),
        durationMs: nanosToMs(BigInt(match.durationNs)),
        statusCode: match.statusCode,
        error: Boolean(Number(match.error)),
      },
    };
  });
  return { traces, nextCursor };
}

interface SpanRow extends SpanColumns {
  parentSpanId: string;
  statusMessage: string;
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  scopeName: string;
  scopeVersion: string;
  eventTimes: string[];
  eventNames: string[];
  eventAttributes: Array<Record<string, string>>;
  linkTraceIds: string[];
  linkSpanIds: string[];
  linkAttributes: Array<Record<string, string>>;
}

/**
 * Every span of one trace (up to MAX_TRACE_SPANS), in start order. The trace-id lookup
 * table gives the trace's time bounds, so the scan reads only the partitions and
 * granules (bloom filter on TraceId) of those seconds. The bounds are DateTime64, as the
 * column is: compared with the table's Nullable(DateTime) aggregate, the upper bound
 * filtered out every span of a trace's last second (found with the real exporter: such a
 * trace answered 404 while search listed it). A trace the lookup table does not
 * hold (yet: its view is filled by the same inserts, but is a second table to become
 * visible) is looked for in the spans as search looks for it (the last 7 days, through
 * the TraceId bloom filter), so a trace search finds is readable at once.
 */
async function readTrace(
  client: ClickHouseClient,
  traceId: string,
  nowMs: number,
): Promise<Trace | null> {
  const rows = await (
    await client.query({
      query: `WITH (SELECT (toDateTime64(min(Start), 9), toDateTime64(max(End), 9) + INTERVAL 1 SECOND, count())
  FROM otel_traces_trace_id_ts WHERE TraceId = {traceId:String}) AS bounds
SELECT SpanId AS spanId, ParentSpanId AS parentSpanId, ServiceName AS service,
  SpanName AS operation, SpanKind AS kind, toString(toUnixTimestamp64Nano(Timestamp)) AS startNs,
  toString(Duration) AS durationNs, StatusCode AS statusCode, StatusMessage AS statusMessage,
  ${ERROR_SPAN_SQL} AS error, SpanAttributes AS attributes, ResourceAttributes AS resourceAttributes,
  ScopeName AS scopeName, ScopeVersion AS scopeVersion,
  arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS eventTimes,
  Events.Name AS eventNames, Events.Attributes AS eventAttributes,
  Links.TraceId AS linkTraceIds, Links.SpanId AS linkSpanIds, Links.Attributes AS linkAttributes
FROM otel_traces
WHERE TraceId = {traceId:String}
  AND Timestamp >= if(bounds.3 > 0, bounds.1, fromUnixTimestamp64Milli({searchFromMs:Int64}))
  AND Timestamp < if(bounds.3 > 0, bounds.2, toDateTime64('2262-04-11 00:00:00', 9))
ORDER BY Timestamp, SpanId
LIMIT {limit:UInt32}`,
      query_params: {
        traceId,
        limit: MAX_TRACE_SPANS + 1,
        searchFromMs: nowMs - MAX_TRACE_SEARCH_MS,
      },
      format: 'JSONEachRow',
    })
  ).json<SpanRow>();
  if (rows.length === 0) return null;
  const truncated = rows.length > MAX_TRACE_SPANS;
  if (truncated) rows.length = MAX_TRACE_SPANS;

  let startNs = BigInt(rows[0]!.startNs);
  let endNs = startNs;
  for (const row of rows) {
    const start = BigInt(row.startNs);
    const end = start + BigInt(row.durationNs);
    if (start < startNs) startNs = start;
    if (end > endNs) endNs = end;
  }
  const spans = rows.map((row): TraceSpan => ({
    spanId: row.spanId,
    parentSpanId: row.parentSpanId === '' ? null : row.parentSpanId,
    service: row.service,
    operation: row.operation,
    kind: row.kind,
    startTime: isoOfNanos(BigInt(row.startNs)),
    startOffsetMs: nanosToMs(BigInt(row.startNs) - startNs),
    durationMs: nanosToMs(BigInt(row.durationNs)),
    statusCode: row.statusCode,
    statusMessage: row.statusMessage,
    error: Boolean(Number(row.error)),
    attributes: row.attributes,
    resourceAttributes: row.resourceAttributes,
    scope: { name: row.scopeName, version: row.scopeVersion },
    events: row.eventNames.map((name, i) => {
      const eventNs = BigInt(row.eventTimes[i] ?? row.startNs);
      return {
        time: isoOfNanos(eventNs),
        offsetMs: nanosToMs(eventNs - startNs),
        name,
        attributes: row.eventAttributes[i] ?? {},
      };
    }),
    links: row.linkTraceIds.map((linkTraceId, i) => ({
      traceId: linkTraceId,
      spanId: row.linkSpanIds[i] ?? '',
      attributes: row.linkAttributes[i] ?? {},
    })),
  }));
  return {
    traceId,
    startTime: isoOfNanos(startNs),
    durationMs: nanosToMs(endNs - startNs),
    spanCount: spans.length,
    truncated,
    services: [...new Set(spans.map((span) => span.service))].sort(),
    spans,
  };
}

/** Nanoseconds as milliseconds with microsecond precision. */
function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1000n) / 1000;
}

function isoOfNanos(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString();
}
