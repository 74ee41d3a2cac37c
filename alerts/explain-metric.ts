import type { ClickHouseClient } from '@clickhouse/client';
import type { Contributor, Explanation } from './explain.ts';

/** What a metric alert's explanation adds: the metric, and each instance's mean. */
export interface MetricExplanation extends Explanation {
  focus: 'metric';
  metric: string;
  instances: Array<{ instance: string; anomalousMean: number; baselineMean: number | null }>;
}

/** Instances an explanation lists, at most. */
const MAX_LISTED = 10;

/**
 * Which instance (`service.instance.id`) of a service moved a gauge or an up-down counter:
 * each instance's share of the metric's total in the anomalous window [fromMs, toMs)
 * against its share in the hour before (`baselineMs`). An instance that was not there
 * before (a restart, a scale-out) is weighed against its share now, so it explains nothing
 * by being new. Points without an instance id count as one instance, ''.
 */
export async function explainMetric(
  client: ClickHouseClient,
  options: { service: string; metric: string; fromMs: number; toMs: number; baselineMs?: number },
): Promise<MetricExplanation> {
  const params = {
    service: options.service,
    metric: options.metric,
    baseFrom: options.fromMs - (options.baselineMs ?? 3_600_000),
    from: options.fromMs,
    to: options.toMs,
  };
  const where = `ServiceName = {service:String} AND MetricName = {metric:String}
  AND TimeUnix >= fromUnixTimestamp64Milli({baseFrom:Int64}) AND TimeUnix < fromUnixTimestamp64Milli({to:Int64})`;
  const during = 'TimeUnix >= fromUnixTimestamp64Milli({from:Int64})';
  const result = await client.query({
    query: `SELECT instance, avgIf(Value, ${during}) AS anomalous, avgIf(Value, NOT ${during}) AS baseline,
  countIf(${during}) AS points, countIf(NOT ${during}) AS before
FROM (
  SELECT ResourceAttributes['service.instance.id'] AS instance, TimeUnix, Value FROM otel_metrics_gauge WHERE ${where}
  UNION ALL
  SELECT ResourceAttributes['service.instance.id'] AS instance, TimeUnix, Value FROM otel_metrics_sum WHERE ${where} AND NOT IsMonotonic
)
GROUP BY instance
ORDER BY instance
LIMIT 1000`,
    query_params: params,
    format: 'JSONEachRow',
  });
  type Row = {
    instance: string;
    anomalous: number;
    baseline: number;
    points: string;
    before: string;
  };
  const rows = (await result.json<Row>()).filter((row) => Number(row.points) > 0);
  const total = (pick: (row: Row) => number) =>
    rows.reduce((sum, row) => sum + (Number.isFinite(pick(row)) ? pick(row) : 0), 0);
  const anomalousTotal = total((row) => row.anomalous);
  const baselineTotal = total((row) => (Number(row.before) > 0 ? row.baseline : 0));
  const share = (value: number, of: number) => (of === 0 ? 0 : value / of);
  const contributors: Contributor[] = rows.map((row) => {
    const anomalousShare = share(row.anomalous, anomalousTotal);
    const seenBefore = Number(row.before) > 0 && baselineTotal !== 0;
    const baselineShare = seenBefore ? share(row.baseline, baselineTotal) : anomalousShare;
    return {
      dimension: 'service.instance.id',
      value: row.instance,
      anomalousShare: round(anomalousShare),
      baselineShare: round(baselineShare),
      contribution: round(anomalousShare - baselineShare),
      anomalousCount: Number(row.points),
    };
  });
  // Of two instances, one's gain is the other's loss: the one that grew comes first.
  contributors.sort(
    (a, b) =>
      Math.abs(b.contribution) - Math.abs(a.contribution) || b.contribution - a.contribution,
  );
  return {
    focus: 'metric',
    metric: options.metric,
    anomalousSpans: 0,
    baselineSpans: 0,
    contributors: contributors
      .filter((contributor) => contributor.value !== '' && contributor.contribution !== 0)
      .slice(0, MAX_LISTED),
    instances: rows.slice(0, MAX_LISTED).map((row) => ({
      instance: row.instance,
      anomalousMean: row.anomalous,
      baselineMean: Number(row.before) > 0 ? row.baseline : null,
    })),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
