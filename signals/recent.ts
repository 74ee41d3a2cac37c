import type { ClickHouseClient } from '@clickhouse/client';
import { isSignalName } from './definitions.ts';
import { METRIC_SIGNAL_PREFIX, readMetricSeries } from './metrics.ts';
import { readSeries } from './series.ts';
import { alignDown } from '../storage/index.ts';

/**
 * A signal's mean over the last `steps` complete steps before `nowMs` (for a service, or
 * one of its operations); null when nothing was measured. Request rate counts a step
 * without requests as 0.
 */
export async function readRecentValue(
  client: ClickHouseClient,
  query: {
    service: string;
    signal: string;
    operation?: string | null | undefined;
    nowMs: number;
    /** The detector step, ms. */
    stepMs: number;
    steps?: number;
  },
): Promise<number | null> {
  const { stepMs } = query;
  const steps = query.steps ?? 3;
  const toMs = alignDown(query.nowMs, stepMs);
  const fromMs = toMs - steps * stepMs;
  const mean = (values: number[]) =>
    values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
  if (query.signal.startsWith(METRIC_SIGNAL_PREFIX)) {
    const metric = query.signal.slice(METRIC_SIGNAL_PREFIX.length);
    const series = await readMetricSeries(client, {
      services: [query.service],
      metrics: [metric],
      fromMs,
      toMs,
      stepSeconds: stepMs / 1000,
    });
    return mean((series.get(query.service)?.get(metric) ?? []).map((point) => point.value));
  }
  if (!isSignalName(query.signal)) return null;
  const signal = query.signal;
  const points = await readSeries(client, {
    service: query.service,
    operation: query.operation ?? undefined,
    fromMs,
    toMs,
    stepSeconds: stepMs / 1000,
  });
  if (signal === 'request_rate') {
    const byStep = new Map(points.map((step) => [step.timeMs, step.values.request_rate]));
    return mean(Array.from({ length: steps }, (_, i) => byStep.get(fromMs + i * stepMs) ?? 0));
  }
  return mean(points.map((step) => step.values[signal]));
}
