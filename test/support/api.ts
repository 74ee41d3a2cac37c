import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import type { ApiOptions } from '../../api/index.ts';
import { createApi } from '../../api/live/index.ts';
import { undocumentedAnswer } from './openapi.ts';

/**
 * The API on `client`, ready, logging nothing, with `overrides` (a clock, a key, …).
 * Every answer of its `request()` is checked against the OpenAPI document: a route,
 * status or body the document does not describe fails the test that got it.
 */
export function testApi(client: ClickHouseClient, overrides: Partial<ApiOptions> = {}) {
  const app = createApi({
    client,
    isReady: () => true,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  const request = app.request;
  app.request = async (input, init, ...rest) => {
    const response = await request(input, init, ...rest);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = input instanceof Request ? input.url : String(input);
    const problem = await undocumentedAnswer(method, url, response);
    if (problem !== null) throw new Error(problem);
    return response;
  };
  return app;
}
