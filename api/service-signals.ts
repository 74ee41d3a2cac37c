import type { ClickHouseClient } from '@clickhouse/client';
import { ENVIRONMENT_SQL, METRIC_TABLES, SEVERITY_NUMBER_SQL } from '../storage/index.ts';
import type { TimeRange } from './time-range.ts';

/** What a service sent besides spans in a range. */
export interface OtherSignals {
  /** Distinct metric names. */
  metrics: number;
  logRecords: number;
  /** Log records of severity ERROR or above. */
  logErrors: number;
  environments: string[];
}

/**
 * Metric names and log records per service in a range (optionally of one environment),
 * so a service that sends only metrics or only logs is listed too.
 */
export async function readOtherSignals(
  client: ClickHouseClient,
  range: TimeRange,
  environment: string | undefined,
): Promise<Map<string, OtherSignals>> {
  const inEnvironment =
    environment === undefined ? '' : ` AND ${ENVIRONMENT_SQL} = {environment:String}`;
  const metricSelects = Object.values(METRIC_TABLES).map(
    ({ table }) => `SELECT ServiceName, MetricName, ${ENVIRONMENT_SQL} AS environment FROM ${table}
WHERE TimeUnix >= fromUnixTimestamp64Milli({fromMs:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({toMs:Int64})${inEnvironment}`,
  );
  const result = await client.query({
    query: `SELECT name, sum(metrics) AS metrics, sum(logRecords) AS logRecords, sum(logErrors) AS logErrors,
  arraySort(arrayDistinct(arrayFlatten(groupArray(environments)))) AS environments
FROM (
  SELECT ServiceName AS name, uniqExact(MetricName) AS metrics, 0 AS logRecords, 0 AS logErrors,
    groupUniqArrayIf(10)(environment, environment != '') AS environments
  FROM (${metricSelects.join('\n  UNION ALL\n  ')})
  GROUP BY ServiceName
  UNION ALL
  SELECT ServiceName AS name, 0 AS metrics, count() AS logRecords,
    countIf(${SEVERITY_NUMBER_SQL} >= 17) AS logErrors,
    groupUniqArrayIf(10)(${ENVIRONMENT_SQL}, ${ENVIRONMENT_SQL} != '') AS environments
  FROM otel_logs
  WHERE Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64}) AND Timestamp < fromUnixTimestamp64Milli({toMs:Int64})${inEnvironment}
  GROUP BY ServiceName
)
WHERE name != ''
GROUP BY name`,
    query_params: {
      fromMs: range.fromMs,
      toMs: range.toMs,
      ...(environment === undefined ? {} : { environment }),
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{
    name: string;
    metrics: string | number;
    logRecords: string | number;
    logErrors: string | number;
    environments: string[];
  }>();
  return new Map(
    rows.map((row) => [
      row.name,
      {
        metrics: Number(row.metrics),
        logRecords: Number(row.logRecords),
        logErrors: Number(row.logErrors),
        environments: row.environments.slice(0, 10),
      },
    ]),
  );
}
