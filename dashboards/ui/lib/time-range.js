/**
 * @typedef {object} TimeRange
 * @property {string | null} since  A duration back from now (15m, 1h, …), or null for from/to.
 * @property {string | null} from   ISO 8601, with `to`.
 * @property {string | null} to
 * @property {number} fromMs
 * @property {number} toMs
 * @property {string} label
 */

/** The picker's choices; every one is also a valid `since` of the API. */
export const PRESETS = [
  { since: '15m', label: 'Last 15 minutes' },
  { since: '1h', label: 'Last hour' },
  { since: '6h', label: 'Last 6 hours' },
  { since: '24h', label: 'Last 24 hours' },
  { since: '7d', label: 'Last 7 days' },
];

export const DEFAULT_SINCE = '1h';

/** @type {Record<string, number>} */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration such as 15m or 7d in ms, or null when it is not one.
 * @param {string} text
 */
export function durationMs(text) {
  const match = /^(\d+)(s|m|h|d|w)$/.exec(text);
  if (!match) return null;
  const unit = UNIT_MS[match[2] ?? ''];
  return unit === undefined ? null : Number(match[1]) * unit;
}

/**
 * The time range in a page's query (since, or from/to), defaulting to the last hour.
 * @param {URLSearchParams} query
 * @param {number} [nowMs]
 * @returns {TimeRange}
 */
export function readRange(query, nowMs = Date.now()) {
  const from = query.get('from');
  const to = query.get('to');
  const fromMs = from ? Date.parse(from) : Number.NaN;
  const toMs = to ? Date.parse(to) : nowMs;
  if (from && !Number.isNaN(fromMs) && !Number.isNaN(toMs) && toMs > fromMs) {
    return {
      since: null,
      from: new Date(fromMs).toISOString(),
      to: to ? new Date(toMs).toISOString() : null,
      fromMs,
      toMs,
      label: `${formatInstant(fromMs)} – ${to ? formatInstant(toMs) : 'now'}`,
    };
  }
  const since = query.get('since') ?? DEFAULT_SINCE;
  const ms = durationMs(since) ?? durationMs(DEFAULT_SINCE) ?? 3_600_000;
  const preset = PRESETS.find((choice) => choice.since === since);
  return {
    since: durationMs(since) === null ? DEFAULT_SINCE : since,
    from: null,
    to: null,
    fromMs: nowMs - ms,
    toMs: nowMs,
    label: preset ? preset.label : `Last ${since}`,
  };
}

/**
 * The range as API query parameters.
 * @param {TimeRange} range
 * @returns {Record<string, string>}
 */
export function apiRange(range) {
  if (range.since !== null) return { since: range.since };
  /** @type {Record<string, string>} */
  const params = { from: range.from ?? new Date(range.fromMs).toISOString() };
  if (range.to !== null) params.to = range.to;
  return params;
}

/**
 * A short local date and time.
 * @param {number} ms
 */
export function formatInstant(ms) {
  return new Date(ms).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
