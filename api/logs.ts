import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { badRequest } from './errors.ts';
import { SEVERITY_NUMBER_SQL, severityLevelSql } from '../storage/index.ts';
import {
  attributeFilters,
  logConditions,
  severityLevelName,
  withoutAttributeFilters,
  type LogFilter,
} from './log-filters.ts';
import {
  LogHistogramQuery,
  LogSearchQuery,
  MAX_LOG_SEARCH_MS,
  type LogHistogram,
  type LogPage,
  type LogRecord,
} from './log-schema.ts';
import { idsMergedInto, readMergeLinks } from './log-patterns.ts';
import { partialFrom, stepGrid } from './steps.ts';
import { parseTimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

/**
 * Records of the same nanosecond are ordered by a hash of what tells them apart, so pages
 * follow one order however often a page is read. The hash is computed for the rows
 * returned only: the engine sorts on time alone (`LIMIT … WITH TIES` returns every record
 * of the last time) and the ties are ordered here; sorting on a hash of the body in SQL
 * would read the body of every row sorted, not only of the page.
 */
const ROW_HASH_SQL = 'cityHash64(ServiceName, SpanId, SeverityNumber, Body, LogAttributes)';

/** `GET /v1/logs` (search, newest first, paged) and `GET /v1/logs/histogram` (volume by severity). */
export function registerLogRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  /** The filter of a query the schema has read; `attr.<key>` parameters are read here. */
  const filterOf = async (
    query: LogHistogramQuery,
    raw: Record<string, string>,
  ): Promise<LogFilter> => {
    const range = parseTimeRange(query, options.now(), '1h');
    if (range.toMs - range.fromMs > MAX_LOG_SEARCH_MS) {
      throw badRequest('a log search may cover 7 days at most; narrow since or from/to');
    }
    const patternIds =
      query.pattern === undefined
        ? undefined
        : idsMergedInto(
            query.pattern,
            (await readMergeLinks(options.client, query.service ? [query.service] : [])).links,
          );
    return { ...query, patternIds, attributes: attributeFilters(raw), range };
  };

  app.get('/v1/logs', async (c) => {
    const raw = c.req.query();
    const query = parseWith(LogSearchQuery, withoutAttributeFilters(raw), 'query');
    const filter = await filterOf(query, raw);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return c.json(await searchLogs(options.client, filter, query.limit, cursor));
  });

  app.get('/v1/logs/histogram', async (c) => {
    const raw = c.req.query();
    const query = parseWith(LogHistogramQuery, withoutAttributeFilters(raw), 'query');
    const filter = await filterOf(query, raw);
    return c.json(await logHistogram(options.client, filter, query.step, options.now()));
  });
}

/** Where a page ends: the last record's time, and how many records of that time were returned. */
interface Cursor {
  timeNs: string;
  /** Records of exactly this time already returned (on this page and the ones before). */
  atTime: number;
}

/** Records of one time a cursor may step over (a bound on the read). */
const MAX_AT_TIME = 100_000;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.timeNs, cursor.atTime])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    /^\d{1,20}$/.test(parsed[0]) &&
    Number.isInteger(parsed[1]) &&
    (parsed[1] as number) >= 1 &&
    (parsed[1] as number) <= MAX_AT_TIME
  ) {
    return { timeNs: parsed[0], atTime: parsed[1] as number };
  }
  throw badRequest('cursor is not one this API returned: pass nextCursor of the previous page');
}

interface LogRow {
  timeNs: string;
  hash: string;
  service: string;
  severityText: string;
  severityNumber: number;
  body: string;
  traceId: string;
  spanId: string;
  attributes: Record<string, string>;
  resource: Record<string, string>;
}

/**
 * A page of records matching `filter`, newest first. The order follows the table's sort
 * key (five-minute buckets first), so ClickHouse reads the newest parts of the range first
 * and stops once the page is full.
 */
async function searchLogs(
  client: ClickHouseClient,
  filter: LogFilter,
  limit: number,
  cursor: Cursor | undefined,
): Promise<LogPage> {
  const { where, params } = logConditions(filter);
  if (cursor) {
    where.push('Timestamp <= fromUnixTimestamp64Nano({cursorNs:Int64})');
    params.cursorNs = cursor.timeNs;
  }
  // The records of the cursor's time already shown come first once ties are ordered.
  const skip = cursor?.atTime ?? 0;
  params.limit = skip + limit + 1;
  const rows = await (
    await client.query({
      query: `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS timeNs, toString(${ROW_HASH_SQL}) AS hash,
  ServiceName AS service, SeverityText AS severityText, ${SEVERITY_NUMBER_SQL} AS severityNumber,
  Body AS body, TraceId AS traceId, SpanId AS spanId, LogAttributes AS attributes,
  ResourceAttributes AS resource
FROM otel_logs
WHERE ${where.join('\n  AND ')}
ORDER BY toStartOfFiveMinutes(Timestamp) DESC, Timestamp DESC
LIMIT {limit:UInt32} WITH TIES`,
      query_params: params,
      format: 'JSONEachRow',
    })
  ).json<LogRow>();
  rows.sort((a, b) => compareDescending(a.timeNs, b.timeNs) || compareDescending(a.hash, b.hash));
  const page = rows.slice(skip, skip + limit);
  const last = page[page.length - 1];
  let nextCursor: string | null = null;
  if (last && rows.length > skip + limit) {
    let atTime = 0;
    for (const row of page) if (row.timeNs === last.timeNs) atTime++;
    if (cursor && cursor.timeNs === last.timeNs) atTime += skip;
    nextCursor = encodeCursor({ timeNs: last.timeNs, atTime });
  }
  return {
    logs: page.map((row): LogRecord => ({
      time: new Date(Number(BigInt(row.timeNs) / 1_000_000n)).toISOString(),
      service: row.service,
      severity: row.severityText || severityLevelName(Number(row.severityNumber)),
      severityNumber: Number(row.severityNumber),
      body: row.body,
      traceId: row.traceId,
      spanId: row.spanId,
      attributes: row.attributes,
      resource: row.resource,
    })),
    nextCursor,
  };
}

/** Orders decimal texts of unsigned integers, larger first. */
function compareDescending(a: string, b: string): number {
  return b.length - a.length || (a < b ? 1 : a > b ? -1 : 0);
}

/** Records per step and severity level; every step of the grid is present, empty ones with 0. */
async function logHistogram(
  client: ClickHouseClient,
  filter: LogFilter,
  step: string | undefined,
  nowMs: number,
): Promise<LogHistogram> {
  const grid = stepGrid(filter.range, step);
  // Whole steps: a step cut by the range's start would draw a false dip.
  const { where, params } = logConditions({
    ...filter,
    range: { fromMs: grid.firstMs, toMs: grid.endMs },
  });
  const rows = await (
    await client.query({
      query: `SELECT toUnixTimestamp(toStartOfInterval(TimestampTime, toIntervalSecond({step:UInt32}))) AS t,
  ${severityLevelSql('severity')} AS level, count() AS records
FROM otel_logs
WHERE ${where.join('\n  AND ')}
GROUP BY t, ${SEVERITY_NUMBER_SQL} AS severity, level
ORDER BY t`,
      query_params: { ...params, step: grid.stepSeconds },
      format: 'JSONEachRow',
    })
  ).json<{ t: number; level: string; records: string | number }>();
  const stepMs = grid.stepSeconds * 1000;
  const open = partialFrom(grid, nowMs);
  const points: LogHistogram['points'] = [];
  for (let t = grid.firstMs; t < grid.endMs; t += stepMs) {
    points.push({
      t,
      total: 0,
      bySeverity: {},
      ...(open !== null && t >= open ? { partial: true } : {}),
    });
  }
  for (const row of rows) {
    const point = points[Math.round((row.t * 1000 - grid.firstMs) / stepMs)];
    if (!point) continue;
    const records = Number(row.records);
    point.total += records;
    point.bySeverity[row.level] = (point.bySeverity[row.level] ?? 0) + records;
  }
  return { stepSeconds: grid.stepSeconds, partialFrom: open, points };
}
