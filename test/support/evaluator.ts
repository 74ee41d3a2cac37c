import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import { createAlertStore } from '../../alerts/live/index.ts';
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
    stepMs: 60_000,
    lookbackMs: 7 * 86_400_000,
    shard: { index: 0, count: 1 },
    settleMs: 15_000,
    logger: pino({ level: 'silent' }),
    now,
    ...overrides,
  };
}

/**
 * For tests that store each minute whole and evaluate it 20 s after its end with nothing
 * stored past it: no later data will come to complete the minute, so it completes by
 * waiting (EvaluatorOptions.maxWaitMs) as a minute does after all traffic has stopped.
 */
export const WHOLE_MINUTES = { maxWaitMs: 20_000 } as const satisfies Partial<EvaluatorOptions>;
