import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import { createAlertStore } from '../../alerts/index.ts';
import { engineModels, type EvaluatorOptions } from '../../detector/index.ts';

/**
 * Evaluator options as `opsless start` sets them by default (60 s steps, 7 days of
 * lookback, 15 s settle, one shard, the engine's models), on a clock the test drives.
 */
export function testEvaluatorOptions(
  client: ClickHouseClient,
  now: () => number,
  overrides: Partial<EvaluatorOptions> = {},
): EvaluatorOptions {
  return {
    client,
    alerts: createAlertStore(client),
    models: engineModels(),
    stepSeconds: 60,
    lookbackMs: 7 * 86_400_000,
    shard: { index: 0, count: 1 },
    settleMs: 15_000,
    logger: pino({ level: 'silent' }),
    now,
    ...overrides,
  };
}
