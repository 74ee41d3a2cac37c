import type { ClickHouseClient } from '@clickhouse/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import { LOG_PATTERN_COUNTS_TABLE, LOG_PATTERNS_TABLE } from '../storage/index.ts';
import { SEVERITY_LEVELS, type SeverityLevel } from './log-schema.ts';
import { parseTimeRange } from './time-range.ts';
import { parseWith } from './validation.ts';

export const LogPatternQuery = z.strictObject({
  service: z.string().min(1).optional().describe('Only this service (default every service).'),
  since: z.string().optional().describe('A duration back from now (default 1h).'),
  from: z.string().optional(),
  to: z.string().optional(),
  severity: z
    .enum(SEVERITY_LEVELS)
    .optional()
    .describe('Count only lines at this level and above (ERROR: ERROR and FATAL).'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  buckets: z.coerce
    .number()
    .int()
    .min(2)
    .max(120)
    .default(30)
    .describe(
      "Buckets of each pattern's counts over the range, at most; a bucket is whole minutes.",
    ),
});

export const LogPatternList = z.object({
  bucketSeconds: z.number().int().describe('Width of a bucket of `counts` (a multiple of 60).'),
  buckets: z
    .array(z.number().int())
    .describe(
      "Start of each bucket, ms since the epoch: from the minute holding the range's start to the one holding its end.",
    ),
  partialFrom: z
    .number()
    .int()
    .nullable()
    .describe(
      'Start of the last bucket when it is still open (its count is not final), else null.',
    ),
  patterns: z.array(
    z.object({
      id: z.string().describe('16 hex digits; GET /v1/logs?pattern=<id> lists its lines.'),
      service: z.string(),
      template: z.string().describe('The body with its variable parts as <*>.'),
      count: z.number().int().describe('Lines in the time range.'),
      firstSeen: z.string().describe('When the pattern was first seen (ever), ISO 8601.'),
      lastSeen: z.string().describe('Its latest line in the time range, ISO 8601.'),
      severity: z.string().describe('The most severe level among its lines in the range.'),
      severities: z.record(z.string(), z.number().int()).describe('Lines per level.'),
      sample: z.string().describe('One line of the pattern (its first).'),
      counts: z
        .array(z.number().int())
        .describe('Lines per bucket (one per entry of `buckets`), at the levels counted.'),
    }),
  ),
});
type LogPatternList = z.infer<typeof LogPatternList>;

interface CountRow {
  ServiceName: string;
  PatternId: string;
  Severity: string;
  count: string | number;
  lastSeen: string;
  /** Bucket indices and their counts (sumMap's keys and values). */
  series: [Array<string | number>, Array<string | number>];
}

interface PatternRow {
  ServiceName: string;
  PatternId: string;
  Template: string;
  Sample: string;
  FirstSeen: string;
  MergedInto: string;
}

/** Follows `MergedInto` to the pattern a stored id now lives in (cycles and depth bounded). */
export function resolveMerged(id: string, mergedInto: ReadonlyMap<string, string>): string {
  let current = id;
  for (let depth = 0; depth < 32; depth++) {
    const next = mergedInto.get(current);
    if (!next) return current;
    current = next;
  }
  return current;
}

/** Every stored id that resolves to `id` (itself included), for filtering log rows. */
export function idsMergedInto(id: string, mergedInto: ReadonlyMap<string, string>): string[] {
  const ids = [id];
  for (const from of mergedInto.keys())
    if (from !== id && resolveMerged(from, mergedInto) === id) ids.push(from);
  return ids;
}

/** The merged-into links of the patterns of `services` (all when empty). */
export async function readMergeLinks(
  client: ClickHouseClient,
  services: readonly string[],
): Promise<{ links: Map<string, string>; patterns: Map<string, PatternRow> }> {
  const result = await client.query({
    query: `SELECT ServiceName, PatternId, Template, Sample,
  formatDateTime(FirstSeen, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS FirstSeen, MergedInto
FROM ${LOG_PATTERNS_TABLE} FINAL
${services.length > 0 ? 'WHERE ServiceName IN {services:Array(String)}' : ''}
LIMIT 100000`,
    query_params: { services },
    format: 'JSONEachRow',
  });
  const rows = await result.json<PatternRow>();
  const links = new Map<string, string>();
  const patterns = new Map<string, PatternRow>();
  for (const row of rows) {
    patterns.set(row.PatternId, row);
    if (row.MergedInto !== '') links.set(row.PatternId, row.MergedInto);
  }
  return { links, patterns };
}

/**
 * `GET /v1/logs/patterns`: the log patterns seen in a time range with their line counts,
 * most frequent first; lines stored under a pattern since merged count for the merged one.
 */
export function registerLogPatternRoutes(
  app: Hono,
  options: { client: ClickHouseClient; now: () => number },
): void {
  app.get('/v1/logs/patterns', async (c) => {
    const query = parseWith(LogPatternQuery, c.req.query(), 'query');
    const range = parseTimeRange(query, options.now(), '1h');
    const levels =
      query.severity === undefined
        ? [...SEVERITY_LEVELS, 'UNSPECIFIED']
        : SEVERITY_LEVELS.slice(SEVERITY_LEVELS.indexOf(query.severity));
    const bucketing = countBuckets(range, query.buckets, options.now());
    const result = await options.client.query({
      query: `SELECT ServiceName, PatternId, Severity, sum(Count) AS count,
  formatDateTime(max(LastSeen), '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS lastSeen,
  sumMap([toUInt32(intDiv(toUnixTimestamp(Minute) - {first:Int64}, {bucket:UInt32}))], [Count]) AS series
FROM ${LOG_PATTERN_COUNTS_TABLE}
WHERE Minute >= toStartOfMinute(toDateTime(intDiv({from:Int64}, 1000)))
  AND Minute < toDateTime(intDiv({to:Int64}, 1000))
  AND Severity IN {levels:Array(String)}${query.service === undefined ? '' : '\n  AND ServiceName = {service:String}'}
GROUP BY ServiceName, PatternId, Severity
LIMIT 200000`,
      query_params: {
        from: range.fromMs,
        to: range.toMs,
        first: bucketing.firstMs / 1000,
        bucket: bucketing.bucketSeconds,
        levels,
        ...(query.service === undefined ? {} : { service: query.service }),
      },
      format: 'JSONEachRow',
    });
    const counts = await result.json<CountRow>();
    const services = [...new Set(counts.map((row) => row.ServiceName))];
    const { links, patterns } =
      services.length === 0
        ? { links: new Map<string, string>(), patterns: new Map<string, PatternRow>() }
        : await readMergeLinks(options.client, services);
    const byId = new Map<string, LogPatternList['patterns'][number]>();
    for (const row of counts) {
      const id = resolveMerged(row.PatternId, links);
      const stored = patterns.get(id) ?? patterns.get(row.PatternId);
      let entry = byId.get(id);
      if (!entry) {
        entry = {
          id,
          service: row.ServiceName,
          template: stored?.Template ?? '',
          count: 0,
          firstSeen: stored?.FirstSeen ?? row.lastSeen,
          lastSeen: row.lastSeen,
          severity: row.Severity,
          severities: {},
          sample: stored?.Sample ?? '',
          counts: new Array<number>(bucketing.buckets.length).fill(0),
        };
        byId.set(id, entry);
      }
      const n = Number(row.count);
      entry.count += n;
      entry.severities[row.Severity] = (entry.severities[row.Severity] ?? 0) + n;
      if (row.lastSeen > entry.lastSeen) entry.lastSeen = row.lastSeen;
      if (rank(row.Severity) > rank(entry.severity)) entry.severity = row.Severity;
      const [indices, values] = row.series;
      indices.forEach((index, i) => {
        const bucket = Number(index);
        if (bucket < entry.counts.length) entry.counts[bucket]! += Number(values[i] ?? 0);
      });
    }
    const list = [...byId.values()]
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
      .slice(0, query.limit);
    return c.json({
      bucketSeconds: bucketing.bucketSeconds,
      buckets: bucketing.buckets,
      partialFrom: bucketing.partialFrom,
      patterns: list,
    } satisfies LogPatternList);
  });
}

/**
 * Buckets of whole minutes (the counts table's grain) from the minute holding the range's
 * start to the one holding its end, at most `most` of them; the last is open when it ends
 * after `nowMs`.
 */
export function countBuckets(
  range: { fromMs: number; toMs: number },
  most: number,
  nowMs: number,
): { firstMs: number; bucketSeconds: number; buckets: number[]; partialFrom: number | null } {
  const firstMs = Math.floor(range.fromMs / 60_000) * 60_000;
  const spanSeconds = Math.max(1, (range.toMs - firstMs) / 1000);
  const bucketSeconds = Math.max(60, Math.ceil(spanSeconds / most / 60) * 60);
  const buckets: number[] = [];
  for (let t = firstMs; t < range.toMs; t += bucketSeconds * 1000) buckets.push(t);
  const last = buckets[buckets.length - 1];
  const partialFrom = last !== undefined && last + bucketSeconds * 1000 > nowMs ? last : null;
  return { firstMs, bucketSeconds, buckets, partialFrom };
}

function rank(level: string): number {
  return SEVERITY_LEVELS.indexOf(level as SeverityLevel);
}
