import { badRequest } from './errors.ts';

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(\d+)(s|m|h|d|w)$/;
/** Longest range a query may cover: bounds the work one request can ask of storage. */
const MAX_RANGE_MS = 90 * UNIT_MS.d!;

/** Parses a duration such as `15m`, `6h`, `7d` into milliseconds, or throws a 400. */
export function parseDuration(text: string, name: string): number {
  const match = DURATION.exec(text.trim());
  if (!match)
    throw badRequest(`${name} must be a duration such as 30s, 15m, 6h or 7d; got "${text}"`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (ms <= 0) throw badRequest(`${name} must be longer than 0; got "${text}"`);
  return ms;
}

/**
 * Reads `since` (a duration back from now, default `defaultSince`) or `from`/`to`
 * (ISO 8601 times; `to` defaults to now) from query parameters.
 */
export function parseTimeRange(
  query: { since?: string | undefined; from?: string | undefined; to?: string | undefined },
  nowMs: number,
  defaultSince = '15m',
): TimeRange {
  if (query.since !== undefined && (query.from !== undefined || query.to !== undefined)) {
    throw badRequest('use either since or from/to, not both');
  }
  let range: TimeRange;
  if (query.from !== undefined || query.to !== undefined) {
    if (query.from === undefined) throw badRequest('to needs from: give from=<ISO time> as well');
    const fromMs = parseIso(query.from, 'from');
    const toMs = query.to === undefined ? nowMs : parseIso(query.to, 'to');
    if (toMs <= fromMs) throw badRequest(`to (${query.to}) must be after from (${query.from})`);
    range = { fromMs, toMs };
  } else {
    range = { fromMs: nowMs - parseDuration(query.since ?? defaultSince, 'since'), toMs: nowMs };
  }
  if (range.toMs - range.fromMs > MAX_RANGE_MS)
    throw badRequest('the time range may span 90 days at most');
  return range;
}

function parseIso(text: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw badRequest(
      `${name} must be an ISO 8601 time such as 2026-01-02T15:04:05Z; got "${text}"`,
    );
  return ms;
}
