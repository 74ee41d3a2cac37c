import type { ClickHouseClient } from '@clickhouse/client';
import { RED_TABLE } from '../storage/index.ts';
import type { SignalName } from './definitions.ts';

export interface StepValues {
  /** Start of the step, ms since the epoch. */
  timeMs: number;
  requests: number;
  values: Record<SignalName, number>;
  /**
   * Latency at the 0.2, 0.3 and 0.4 quantiles, ms (BELOW_MEDIAN_LEVELS), where read: how
   * sure a step's median is (a median of 20 requests is surely above only its 30% point).
   */
  belowMedian?: readonly number[];
}

/** The quantiles below the median a step's latency is also read at (StepValues.belowMedian). */
export const BELOW_MEDIAN_LEVELS = [0.2, 0.3, 0.4] as const;

export interface SeriesQuery {
  service: string;
  /** One operation (span name), or the whole service when absent. */
  operation?: string | undefined;
  fromMs: number;
  toMs: number;
  /** Step length, seconds; a multiple of the rollup's 10 s buckets. */
  stepSeconds: number;
}

/**
 * Every signal of a service (or one of its operations) per step, read from the
 * RED rollup. Steps without requests are absent: a rate of 0 is still a step
 * (rate 0), but it has no error ratio or latency.
 */
export async function readSeries(
  client: ClickHouseClient,
  query: SeriesQuery,
): Promise<StepValues[]> {
  const { operation = '', ...range } = query;
  const series = await readServiceSeries(client, {
    ...range,
    operations: operation === '' ? [] : [operation],
  });
  return series.get(operation) ?? [];
}

interface StepRow {
  t: number;
  requests: string | number;
  errors: string | number;
  q: number[];
}

function toStep(row: StepRow, stepSeconds: number): StepValues {
  const requests = Number(row.requests);
  return {
    timeMs: row.t * 1000,
    requests,
    values: {
      request_rate: requests / stepSeconds,
      error_ratio: requests === 0 ? 0 : Number(row.errors) / requests,
      latency_p50: (row.q[0] ?? 0) / 1e6,
      latency_p95: (row.q[1] ?? 0) / 1e6,
      latency_p99: (row.q[2] ?? 0) / 1e6,
    },
    ...(row.q.length === 3 + BELOW_MEDIAN_LEVELS.length
      ? { belowMedian: row.q.slice(3).map((ns) => ns / 1e6) }
      : {}),
  };
}

/**
 * A service's signals per step and those of the given operations, in one read of the
 * rollup; keyed by operation, '' for the whole service.
 */
export async function readServiceSeries(
  client: ClickHouseClient,
  query: Omit<SeriesQuery, 'operation'> & { operations: string[] },
): Promise<Map<string, StepValues[]>> {
  const { service, operations, ...range } = query;
  const series = await readServicesSeries(client, {
    ...range,
    operations: new Map([[service, operations]]),
  });
  return series.get(service)!;
}

/**
 * Several services' signals per step, and those of their given operations, in one read
 * of the rollup: service → operation ('' for the whole service) → steps.
 */
export async function readServicesSeries(
  client: ClickHouseClient,
  query: Omit<SeriesQuery, 'operation' | 'service'> & { operations: Map<string, string[]> },
): Promise<Map<string, Map<string, StepValues[]>>> {
  const byService = new Map<string, Map<string, StepValues[]>>();
  const keys: string[] = [];
  for (const [service, operations] of query.operations) {
    byService.set(
      service,
      new Map([['', []], ...operations.map((op): [string, StepValues[]] => [op, []])]),
    );
    for (const operation of operations) keys.push(`${service}\u0000${operation}`);
  }
  if (byService.size === 0) return byService;
  const result = await client.query({
    query: `SELECT
  ServiceName AS service,
  if(grouping(Operation) = 1, '', Operation) AS operation,
  toUnixTimestamp(toStartOfInterval(Bucket, toIntervalSecond({step:UInt32}))) AS t,
  sum(Requests) AS requests,
  sum(Errors) AS errors,
  quantilesTDigestMerge(0.5, 0.95, 0.99, ${BELOW_MEDIAN_LEVELS.join(', ')})(Latency) AS q
FROM ${RED_TABLE}
WHERE ServiceName IN {services:Array(String)}
  AND Bucket >= toDateTime(intDiv({from:Int64}, 1000)) AND Bucket < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY GROUPING SETS ((ServiceName, t), (ServiceName, Operation, t))
HAVING grouping(Operation) = 1 OR concat(ServiceName, '\\0', Operation) IN {keys:Array(String)}
ORDER BY t
SETTINGS group_by_use_nulls = 0`,
    query_params: {
      step: query.stepSeconds,
      services: [...byService.keys()],
      keys,
      from: query.fromMs,
      to: query.toMs,
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<StepRow & { service: string; operation: string }>();
  for (const row of rows) {
    byService.get(row.service)?.get(row.operation)?.push(toStep(row, query.stepSeconds));
  }
  return byService;
}

/** The `limit` busiest operations of each of `services` since `sinceMs`, busiest first. */
export async function busiestOperations(
  client: ClickHouseClient,
  services: string[],
  sinceMs: number,
  limit: number,
): Promise<Map<string, string[]>> {
  const byService = new Map<string, string[]>(services.map((service) => [service, []]));
  if (services.length === 0 || limit === 0) return byService;
  const result = await client.query({
    query: `SELECT ServiceName AS service, Operation AS operation
FROM ${RED_TABLE}
WHERE ServiceName IN {services:Array(String)} AND Operation != ''
  AND Bucket >= toDateTime(intDiv({since:Int64}, 1000))
GROUP BY ServiceName, Operation
ORDER BY ServiceName, sum(Requests) DESC, Operation
LIMIT {limit:UInt32} BY ServiceName`,
    query_params: { services, since: sinceMs, limit },
    format: 'JSONEachRow',
  });
  for (const row of await result.json<{ service: string; operation: string }>()) {
    byService.get(row.service)?.push(row.operation);
  }
  return byService;
}

/** What a service or operation usually does, over a day: see readUsualTraffic. */
export interface UsualTraffic {
  /** Errors over requests pooled: the ratio it usually fails at. */
  errorRatio: number;
  /** Requests per step, averaged from its first request in the window to the window's end. */
  requestsPerStep: number;
}

/**
 * The usual traffic of each service (operation '') and of each of its operations over
 * [fromMs, toMs), by service and operation; absent when there were no requests.
 */
export async function readUsualTraffic(
  client: ClickHouseClient,
  query: { services: string[]; fromMs: number; toMs: number; stepMs: number },
): Promise<Map<string, Map<string, UsualTraffic>>> {
  const usual = new Map<string, Map<string, UsualTraffic>>();
  if (query.services.length === 0) return usual;
  const result = await client.query({
    query: `SELECT ServiceName AS service, if(grouping(Operation) = 1, '', Operation) AS operation,
  sum(Requests) AS requests, sum(Errors) AS errors, toUnixTimestamp(min(Bucket)) AS firstSeconds
FROM ${RED_TABLE}
WHERE ServiceName IN {services:Array(String)}
  AND Bucket >= toDateTime(intDiv({from:Int64}, 1000)) AND Bucket < toDateTime(intDiv({to:Int64}, 1000))
GROUP BY GROUPING SETS ((ServiceName), (ServiceName, Operation))
SETTINGS group_by_use_nulls = 0`,
    query_params: { services: query.services, from: query.fromMs, to: query.toMs },
    format: 'JSONEachRow',
  });
  type Row = {
    service: string;
    operation: string;
    requests: string;
    errors: string;
    firstSeconds: number;
  };
  for (const row of await result.json<Row>()) {
    const requests = Number(row.requests);
    if (requests > 0) {
      const steps = Math.max(1, (query.toMs - row.firstSeconds * 1000) / query.stepMs);
      const operations = usual.get(row.service) ?? new Map<string, UsualTraffic>();
      operations.set(row.operation, {
        errorRatio: Number(row.errors) / requests,
        requestsPerStep: requests / steps,
      });
      usual.set(row.service, operations);
    }
  }
  return usual;
}
