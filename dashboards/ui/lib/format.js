/** How the UI writes numbers, durations and times: one place, one style. */

const compact = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });

/**
 * @param {number | null | undefined} value
 */
export function formatNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1000)
    return new Intl.NumberFormat(undefined, {
      notation: 'compact',
      maximumSignificantDigits: 3,
    }).format(value);
  return compact.format(value);
}

/**
 * Requests per second, per minute when that reads better.
 * @param {number | null | undefined} perSecond
 */
export function formatRate(perSecond) {
  if (perSecond === null || perSecond === undefined) return '–';
  if (perSecond > 0 && perSecond < 1) return `${formatNumber(perSecond * 60)}/min`;
  return `${formatNumber(perSecond)}/s`;
}

/**
 * @param {number | null | undefined} ratio 0..1
 * @returns {string}
 */
export function formatPercent(ratio) {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '–';
  const percent = ratio * 100;
  if (percent === 0) return '0%';
  if (percent < 0) return `−${formatPercent(-ratio)}`;
  if (percent < 0.1) return '<0.1%';
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%`;
}

/**
 * A duration in ms, in the unit that reads best.
 * @param {number | null | undefined} ms
 */
export function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  if (ms < 60_000) return `${formatNumber(ms / 1000)} s`;
  return `${formatNumber(ms / 60_000)} min`;
}

/**
 * A value of a signal in its unit.
 * @param {string} unit  requests/s, ratio, ms or '' (as the series API names them)
 * @param {number | null | undefined} value
 */
export function formatValue(unit, value) {
  if (unit === 'ms') return formatMs(value);
  if (unit === 'ratio') return formatPercent(value);
  if (unit === 'requests/s') return formatRate(value);
  return formatNumber(value);
}

/**
 * A local date and time to the second.
 * @param {string | number | null | undefined} time ISO 8601 or ms
 */
export function formatTime(time) {
  if (time === null || time === undefined) return '–';
  const date = new Date(time);
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * A log record's time, short enough for a column: the time of day to the millisecond,
 * with the day in front when it is not today.
 * @param {string} time ISO 8601
 * @param {number} [nowMs]
 */
export function formatLogTime(time, nowMs = Date.now()) {
  const date = new Date(time);
  const clock = date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hour12: false,
  });
  if (date.toDateString() === new Date(nowMs).toDateString()) return clock;
  return `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${clock}`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/**
 * "3 minutes ago".
 * @param {string | number} time
 * @param {number} [nowMs]
 */
export function formatAgo(time, nowMs = Date.now()) {
  const seconds = Math.round((new Date(time).getTime() - nowMs) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}

/** Human names of the signals. @type {Record<string, string>} */
export const SIGNAL_LABELS = {
  request_rate: 'Request rate',
  error_ratio: 'Error ratio',
  latency_p50: 'Latency p50',
  latency_p95: 'Latency p95',
  latency_p99: 'Latency p99',
};

/**
 * @param {string} signal
 */
export function signalLabel(signal) {
  return SIGNAL_LABELS[signal] ?? signal.replace(/^metric:/, '');
}
