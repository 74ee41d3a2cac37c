/** The signals opsless watches for every service (and its busiest operations). */
export const SIGNALS = [
  'request_rate',
  'error_ratio',
  'latency_p50',
  'latency_p95',
  'latency_p99',
] as const;
export type SignalName = (typeof SIGNALS)[number];

/**
 * Which way a signal moving is bad news, and so may page: a latency or an error ratio
 * going down is good news; a request rate is watched both ways (a drop is lost traffic).
 */
export type BadDirection = 'up' | 'down' | 'both';

export interface SignalInfo {
  unit: string;
  description: string;
  /** Which spans an explanation of an anomaly in this signal looks at. */
  focus: 'all' | 'errors' | 'slow';
  /** Which way an anomaly of this signal may alert (see BadDirection). */
  bad: BadDirection;
}

export const SIGNAL_INFO: Record<SignalName, SignalInfo> = {
  request_rate: {
    unit: 'requests/s',
    description: 'Entry spans per second',
    focus: 'all',
    bad: 'both',
  },
  error_ratio: {
    unit: 'ratio',
    description: 'Share of entry spans that are errors',
    focus: 'errors',
    bad: 'up',
  },
  latency_p50: { unit: 'ms', description: 'Median entry-span duration', focus: 'slow', bad: 'up' },
  latency_p95: {
    unit: 'ms',
    description: '95th percentile entry-span duration',
    focus: 'slow',
    bad: 'up',
  },
  latency_p99: {
    unit: 'ms',
    description: '99th percentile entry-span duration',
    focus: 'slow',
    bad: 'up',
  },
};

/**
 * Metrics that only hurt when they rise, by what their name says they measure: time taken,
 * resources used (CPU, memory, disk, connections in use), work waiting (queue depth, lag,
 * backlog) and failures. CPU falling is not paged on its own: it falls with traffic, which
 * the request rate watches at the spans, and on each instance when a service scales out.
 * Other metrics (throughput, counts of anything) are watched both ways.
 */
const RISING_IS_BAD =
  /(^|[^a-z])(duration|latency|cpu|memory|heap|used|usage|utilization|saturation|queue|depth|backlog|lag|pending|waiting|errors?|failures?|timeouts?|restarts?)([^a-z]|$)/i;

/** Which way a watched metric (its name, without the `metric:` prefix) may alert. */
export function metricBadDirection(metric: string): BadDirection {
  return RISING_IS_BAD.test(metric) ? 'up' : 'both';
}

/** Whether `value` lies on the bad side of `reference` for a signal that is bad `bad` way. */
export function movesBadWay(bad: BadDirection, value: number, reference: number): boolean {
  if (bad === 'up') return value > reference;
  if (bad === 'down') return value < reference;
  return value !== reference;
}

export function isSignalName(text: string): text is SignalName {
  return (SIGNALS as readonly string[]).includes(text);
}

/** What is known of any signal, a watched metric's (`metric:<name>`) included. */
export function signalInfo(signal: string): SignalInfo {
  if (isSignalName(signal)) return SIGNAL_INFO[signal];
  return {
    unit: '',
    description: `The watched metric ${signal.replace(/^metric:/, '')}`,
    focus: 'all',
    bad: metricBadDirection(signal.replace(/^metric:/, '')),
  };
}
