import type { ClickHouseClient } from '@clickhouse/client';

/**
 * The unit (UCUM, as OpenTelemetry sends it: `By`, `s`, `1`, `{request}`) a service's
 * metric was last reported in; '' when unknown.
 */
export async function readMetricUnit(
  client: ClickHouseClient,
  query: { service: string; metric: string },
): Promise<string> {
  const where = 'ServiceName = {service:String} AND MetricName = {metric:String}';
  const result = await client.query({
    query: `SELECT unit FROM (
  SELECT argMax(MetricUnit, TimeUnix) AS unit FROM otel_metrics_gauge WHERE ${where}
  UNION ALL SELECT argMax(MetricUnit, TimeUnix) AS unit FROM otel_metrics_sum WHERE ${where}
  UNION ALL SELECT argMax(MetricUnit, TimeUnix) AS unit FROM otel_metrics_histogram WHERE ${where}
) WHERE unit != '' LIMIT 1`,
    query_params: query,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ unit: string }>();
  return row?.unit ?? '';
}
