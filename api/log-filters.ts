import { badRequest } from './errors.ts';
import { SEVERITY_LEVELS, SEVERITY_NUMBER_SQL, type SeverityLevel } from '../storage/index.ts';
import { MAX_LOG_ATTRIBUTE_FILTERS } from './log-schema.ts';
import type { TimeRange } from './time-range.ts';

/** The lowest severity number of a level: TRACE 1, DEBUG 5, … ERROR 17, FATAL 21. */
export function lowestSeverityNumber(level: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(level) * 4 + 1;
}

/** The level name of a severity number, as the OpenTelemetry log data model names them. */
export function severityLevelName(number: number): string {
  if (number <= 0) return '';
  return SEVERITY_LEVELS[Math.min(Math.ceil(number / 4), 6) - 1] ?? '';
}

/** Filters of a log query, after validation. */
export interface LogFilter {
  service?: string | undefined;
  q?: string | undefined;
  severity?: SeverityLevel | undefined;
  traceId?: string | undefined;
  spanId?: string | undefined;
  /** Pattern ids whose records match (a pattern and those merged into it). */
  patternIds?: string[] | undefined;
  attributes: Array<[key: string, value: string]>;
  range: TimeRange;
}

/** `attr.<key>=<value>` query parameters as pairs (the first value of each key). */
export function attributeFilters(query: Record<string, string>): Array<[string, string]> {
  const pairs = Object.entries(query)
    .filter(([name]) => name.startsWith('attr.'))
    .map(([name, value]): [string, string] => [name.slice('attr.'.length), value]);
  if (pairs.length > MAX_LOG_ATTRIBUTE_FILTERS)
    throw badRequest(`at most ${MAX_LOG_ATTRIBUTE_FILTERS} attr.<key> filters`);
  for (const [key, value] of pairs) {
    if (key === '' || key.length > 256)
      throw badRequest('attr.<key> needs a key of 1-256 characters');
    if (value.length > 2048) throw badRequest(`attr.${key} may be 2048 characters at most`);
  }
  return pairs;
}

/** The query without its `attr.<key>` parameters, for the strict schema. */
export function withoutAttributeFilters(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([name]) => !name.startsWith('attr.')));
}

/** Most whitespace-separated terms in `q`. */
const MAX_TERMS = 10;
/** Bytes the token bloom filter splits on: every ASCII byte that is not a letter or digit. */
const TOKEN_SEPARATORS = /[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/;

/** The spellings of a word looked up whole: as typed, lower, UPPER and Capitalised. */
function spellings(word: string): string[] {
  const lower = word.toLowerCase();
  const capitalised = lower.charAt(0).toUpperCase() + lower.slice(1);
  return [...new Set([word, lower, word.toUpperCase(), capitalised])];
}

/**
 * WHERE conditions and parameters for a log filter. Every condition is a fixed SQL
 * fragment and every value a query parameter. Words of `q` go through `hasToken`, which
 * the body's token bloom filter (`idx_body`) answers, so granules without the word are
 * skipped; a case-insensitive substring test would read every body.
 */
export function logConditions(filter: LogFilter): {
  where: string[];
  params: Record<string, unknown>;
} {
  const where = [
    'Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})',
    'Timestamp < fromUnixTimestamp64Milli({toMs:Int64})',
    // The partition key reads TimestampTime: this prunes whole days.
    'TimestampTime >= toDateTime(intDiv({fromMs:Int64}, 1000))',
    'TimestampTime <= toDateTime(intDiv({toMs:Int64}, 1000))',
  ];
  const params: Record<string, unknown> = { fromMs: filter.range.fromMs, toMs: filter.range.toMs };
  if (filter.service !== undefined) {
    where.push('ServiceName = {service:String}');
    params.service = filter.service;
  }
  if (filter.traceId !== undefined) {
    where.push('TraceId = {traceId:String}');
    params.traceId = filter.traceId;
  }
  if (filter.spanId !== undefined) {
    where.push('SpanId = {spanId:String}');
    params.spanId = filter.spanId;
  }
  if (filter.patternIds !== undefined) {
    where.push('PatternId IN {patternIds:Array(String)}');
    params.patternIds = filter.patternIds;
  }
  if (filter.severity !== undefined) {
    where.push(`${SEVERITY_NUMBER_SQL} >= {minSeverity:UInt8}`);
    params.minSeverity = lowestSeverityNumber(filter.severity);
  }
  filter.attributes.forEach(([key, value], i) => {
    params[`attrKey${i}`] = key;
    params[`attrValue${i}`] = value;
    where.push(
      `(LogAttributes[{attrKey${i}:String}] = {attrValue${i}:String} OR ResourceAttributes[{attrKey${i}:String}] = {attrValue${i}:String})`,
    );
  });
  const terms = (filter.q ?? '').split(/\s+/).filter((term) => term !== '');
  if (terms.length > MAX_TERMS) throw badRequest(`q may hold ${MAX_TERMS} words at most`);
  let word = 0;
  terms.forEach((term, t) => {
    const tokens = term.split(TOKEN_SEPARATORS).filter((token) => token !== '');
    if (tokens.length !== 1 || tokens[0] !== term) {
      params[`phrase${t}`] = term;
      where.push(`positionCaseInsensitiveUTF8(Body, {phrase${t}:String}) > 0`);
    }
    for (const token of tokens) {
      const alternatives = spellings(token).map((spelling) => {
        params[`word${word}`] = spelling;
        return `hasToken(Body, {word${word++}:String})`;
      });
      where.push(`(${alternatives.join(' OR ')})`);
    }
  });
  return { where, params };
}
