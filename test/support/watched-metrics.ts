import type { ClickHouseClient } from '@clickhouse/client';
import type { AlertStore } from '../../alerts/index.ts';
import type { EvaluationReport } from '../../detector/index.ts';
import { createModelCache, evaluateOnce } from '../../detector/live/index.ts';
import type { SpanRow } from '../../storage/index.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from './evaluator.ts';

/** Stores spans and gauge points (as rows of their tables) in one insert each. */
export async function storeSpansAndGauges(
  client: ClickHouseClient,
  spans: Array<Partial<SpanRow>>,
  gauges: object[],
): Promise<void> {
  await client.insert({ table: 'otel_traces', values: spans, format: 'JSONEachRow' });
  await client.insert({ table: 'otel_metrics_gauge', values: gauges, format: 'JSONEachRow' });
}

/**
 * A long-running detector watching `metrics` (its models kept in memory between cycles),
 * evaluated at the time a test gives; whole minutes are stored (WHOLE_MINUTES).
 */
export function watchingDetector(
  client: ClickHouseClient,
  alerts: AlertStore,
  metrics: string[],
): { cache: ReturnType<typeof createModelCache>; at(nowMs: number): Promise<EvaluationReport> } {
  const cache = createModelCache();
  return {
    cache,
    at: (nowMs) =>
      evaluateOnce(
        testEvaluatorOptions(client, () => nowMs, {
          ...WHOLE_MINUTES,
          alerts,
          cache,
          watchedMetrics: metrics,
        }),
      ),
  };
}
