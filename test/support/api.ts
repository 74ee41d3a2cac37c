import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import { createApi, type ApiOptions } from '../../api/index.ts';

/** The API on `client`, ready, logging nothing, with `overrides` (a clock, a key, …). */
export function testApi(client: ClickHouseClient, overrides: Partial<ApiOptions> = {}) {
  return createApi({
    client,
    isReady: () => true,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
}
