import type { Fault } from './incidents.ts';

/**
 * How a value of a signal reads in an alert: error ratios as percentages ("20.8%"),
 * latencies in ms, rates per second, and a watched metric in its unit (UCUM as
 * OpenTelemetry sends it: `1` is a ratio, `By` bytes, `s` seconds, `{message}` a count).
 */
export function formatSignalValue(signal: string, value: number, metricUnit = ''): string {
  switch (signal) {
    case 'error_ratio':
      return `${number(value * 100)}%`;
    case 'request_rate':
      return `${number(value)} requests/s`;
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
      return `${number(value)} ms`;
    default:
      return withUnit(value, metricUnit);
  }
}

function withUnit(value: number, unit: string): string {
  if (unit === '1') return `${number(value * 100)}%`;
  if (unit === 'By') return bytes(value);
  if (unit === 's')
    return Math.abs(value) < 1 ? `${number(value * 1000)} ms` : `${number(value)} s`;
  if (unit === '') return number(value);
  const braced = /^\{(.+)\}$/.exec(unit);
  return `${number(value)} ${braced ? braced[1]! : unit}`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

function bytes(value: number): string {
  let scaled = value;
  let index = 0;
  while (Math.abs(scaled) >= 1024 && index < BYTE_UNITS.length - 1) {
    scaled /= 1024;
    index++;
  }
  return `${number(scaled)} ${BYTE_UNITS[index]!}`;
}

/** Three significant digits, whole numbers from 100 up. */
function number(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
}

/**
 * An alert's one-line summary as the incident stands: the headline fault's current value,
 * its expectation before the incident, its peak and since when, e.g. "shop GET /pay:
 * latency_p99 is 700 ms, expected about 138 ms (peak 750 ms, since 12:04:10 UTC)".
 */
export function alertSummary(options: {
  service: string;
  /** What the alert is about when that is not the whole service (an operation, an instance). */
  subject: string | null;
  fault: Pick<Fault, 'signal' | 'current' | 'expected' | 'peak'>;
  openedAtMs: number;
  metricUnit?: string;
}): string {
  const { fault } = options;
  const value = (figure: number) => formatSignalValue(fault.signal, figure, options.metricUnit);
  const since = `${new Date(options.openedAtMs).toISOString().slice(11, 19)} UTC`;
  return `${options.service}${options.subject ? ` ${options.subject}` : ''}: ${fault.signal} is ${value(fault.current)}, expected about ${value(fault.expected)} (peak ${value(fault.peak)}, since ${since})`;
}
