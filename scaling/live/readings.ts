import type { ClickHouseClient } from '@clickhouse/client';
import { readMetricSeries, readServicesSeries } from '../../signals/live/index.ts';
import { metricKey, type MetricTarget } from '../policy.ts';
import type { StepReading } from '../step-decision.ts';

/** The CPU metric a `cpu` target reads: utilisation 0..1 per instance (semantic conventions). */
export const CPU_METRIC = 'process.cpu.utilization';
/** The metric a `queue_depth` target reads: messages waiting (semantic conventions). */
export const QUEUE_METRIC = 'messaging.queue.depth';

const INSTANCE = "ResourceAttributes['service.instance.id']";

/**
 * Each target's service-wide total per step, for several services at once: `request` is
 * entry spans per second (the RED rollup; a step without spans is 0), `cpu` the sum over
 * instances of each one's mean utilisation in percent, `queue_depth` and `metric` the
 * watched metric's value per step as the detector reads it. service → metricKey → step
 * start (ms) → reading.
 */
export async function readTargets(
  client: ClickHouseClient,
  query: {
    targets: Map<string, MetricTarget[]>;
    fromMs: number;
    toMs: number;
    stepSeconds: number;
  },
): Promise<Map<string, Map<string, Map<number, StepReading>>>> {
  const { fromMs, toMs, stepSeconds } = query;
  const stepMs = stepSeconds * 1000;
  const out = new Map<string, Map<string, Map<number, StepReading>>>();
  const slot = (service: string, key: string) => {
    let byKey = out.get(service);
    if (!byKey) out.set(service, (byKey = new Map<string, Map<number, StepReading>>()));
    let steps = byKey.get(key);
    if (!steps) byKey.set(key, (steps = new Map<number, StepReading>()));
    return steps;
  };
  const wants = (type: MetricTarget['type']) =>
    [...query.targets].filter(([, targets]) => targets.some((t) => t.type === type));

  const requestServices = wants('request').map(([service]) => service);
  if (requestServices.length > 0) {
    const series = await readServicesSeries(client, {
      fromMs,
      toMs,
      stepSeconds,
      operations: new Map(requestServices.map((service) => [service, []])),
    });
    for (const service of requestServices) {
      const steps = slot(service, 'request');
      for (let t = fromMs; t < toMs; t += stepMs) steps.set(t, { total: 0 });
      for (const step of series.get(service)?.get('') ?? []) {
        steps.set(step.timeMs, {
          total: step.values.request_rate,
          latencyMs: step.values.latency_p50,
          errorRatio: step.values.error_ratio,
        });
      }
    }
  }

  const cpuServices = wants('cpu').map(([service]) => service);
  if (cpuServices.length > 0) {
    const result = await client.query({
      query: `SELECT service, t, sum(utilisation) * 100 AS total, count() AS replicas
FROM (
  -- An instance's utilisation is the sum over its series (e.g. process.cpu.state user and
  -- system) of each one's mean in the step.
  SELECT service, t, instance, sum(mean) AS utilisation
  FROM (
    SELECT ServiceName AS service,
      toUnixTimestamp(toStartOfInterval(TimeUnix, toIntervalSecond({step:UInt32}))) * 1000 AS t,
      ${INSTANCE} AS instance, Attributes, avg(Value) AS mean
    FROM otel_metrics_gauge
    WHERE ServiceName IN {services:Array(String)} AND MetricName = {metric:String}
      AND TimeUnix >= fromUnixTimestamp64Milli({from:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})
    GROUP BY service, t, instance, Attributes
  )
  GROUP BY service, t, instance
)
GROUP BY service, t`,
      query_params: {
        services: cpuServices,
        metric: CPU_METRIC,
        step: stepSeconds,
        from: fromMs,
        to: toMs,
      },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{
      service: string;
      t: string | number;
      total: number;
      replicas: string | number;
    }>()) {
      slot(row.service, 'cpu').set(Number(row.t), {
        total: row.total,
        replicas: Number(row.replicas),
      });
    }
  }

  const metricTargets = [...query.targets].flatMap(([service, targets]) =>
    targets
      .filter((t) => t.type === 'queue_depth' || t.type === 'metric')
      .map((t) => ({ service, key: metricKey(t), metric: metricName(t) })),
  );
  if (metricTargets.length > 0) {
    const series = await readMetricSeries(client, {
      services: [...new Set(metricTargets.map((t) => t.service))],
      metrics: [...new Set(metricTargets.map((t) => t.metric))],
      fromMs,
      toMs,
      stepSeconds,
    });
    for (const { service, key, metric } of metricTargets) {
      const steps = slot(service, key);
      for (const point of series.get(service)?.get(metric) ?? []) {
        steps.set(point.timeMs, { total: point.value });
      }
    }
  }
  return out;
}

/** The metric a `queue_depth` or `metric` target reads. */
export function metricName(target: MetricTarget): string {
  return target.type === 'queue_depth' ? (target.name ?? QUEUE_METRIC) : target.name!;
}

/**
 * Replicas seen running in [fromMs, toMs): distinct `service.instance.id` values in spans
 * and metrics; a service that sent anything without an instance id counts as one.
 */
export async function observedReplicas(
  client: ClickHouseClient,
  services: string[],
  fromMs: number,
  toMs: number,
): Promise<Map<string, number>> {
  if (services.length === 0) return new Map();
  const range = (time: string) =>
    `ServiceName IN {services:Array(String)} AND ${time} >= fromUnixTimestamp64Milli({from:Int64}) AND ${time} < fromUnixTimestamp64Milli({to:Int64})`;
  const result = await client.query({
    query: `SELECT service, greatest(uniqExactIf(instance, instance != ''), toUInt64(count() > 0)) AS replicas
FROM (
  SELECT ServiceName AS service, ${INSTANCE} AS instance FROM otel_traces WHERE ${range('Timestamp')}
  UNION ALL
  SELECT ServiceName, ${INSTANCE} FROM otel_metrics_gauge WHERE ${range('TimeUnix')}
  UNION ALL
  SELECT ServiceName, ${INSTANCE} FROM otel_metrics_sum WHERE ${range('TimeUnix')}
)
GROUP BY service`,
    query_params: { services, from: fromMs, to: toMs },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ service: string; replicas: string | number }>();
  return new Map(rows.map((row) => [row.service, Number(row.replicas)]));
}
