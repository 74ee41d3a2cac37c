import type { ServiceName } from './topology.ts';

/**
 * The telemetry the live benchmark plans, before it is encoded as OTLP: traffic.ts makes
 * it, logs.ts writes logs about its spans, otlp.ts encodes it.
 */

/** One server or consumer span, as an instrumented service would export it. */
export interface PlannedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: ServiceName;
  instance: string;
  version: string;
  name: string;
  kind: 'server' | 'consumer';
  method: string;
  route: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  /** Sent only after the step has been evaluated (a slow host). */
  late: boolean;
}

export const METRICS = {
  memory: { name: 'process.memory.usage', unit: 'By', kind: 'sum' },
  cpu: { name: 'process.cpu.utilization', unit: '1', kind: 'gauge' },
  queue: { name: 'messaging.queue.depth', unit: '{message}', kind: 'gauge' },
} as const;

export interface PlannedPoint {
  service: ServiceName;
  instance: string;
  version: string;
  metric: (typeof METRICS)[keyof typeof METRICS];
  timeMs: number;
  value: number;
  late: boolean;
}
