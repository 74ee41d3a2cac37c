/** The signals opsless watches for every service (and its busiest operations). */
export const SIGNALS = [
  'request_rate',
  'error_ratio',
  'latency_p50',
  'latency_p95',
  'latency_p99',
] as const;
export type SignalName = (typeof SIGNALS)[number];

export interface SignalInfo {
  unit: string;
  description: string;
  /** Which spans an explanation of an anomaly in this signal looks at. */
  focus: 'all' | 'errors' | 'slow';
}

export const SIGNAL_INFO: Record<SignalName, SignalInfo> = {
  request_rate: { unit: 'requests/s', description: 'Entry spans per second', focus: 'all' },
  error_ratio: {
    unit: 'ratio',
    description: 'Share of entry spans that are errors',
    focus: 'errors',
  },
  latency_p50: { unit: 'ms', description: 'Median entry-span duration', focus: 'slow' },
  latency_p95: { unit: 'ms', description: '95th percentile entry-span duration', focus: 'slow' },
  latency_p99: { unit: 'ms', description: '99th percentile entry-span duration', focus: 'slow' },
};

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
  };
}
