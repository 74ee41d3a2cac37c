import type { ClickHouseClient } from '@clickhouse/client';
import { ENTRY_SPAN_SQL, ERROR_SPAN_SQL } from '../storage/index.ts';

/** The dimensions an explanation looks at: fixed SQL expressions, never user input. */
const DIMENSIONS: ReadonlyArray<[name: string, sql: string]> = [
  ['operation', 'SpanName'],
  ['http.route', "SpanAttributes['http.route']"],
  [
    'http.response.status_code',
    "if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'], SpanAttributes['http.status_code'])",
  ],
  ['service.version', "ResourceAttributes['service.version']"],
  ['k8s.pod.name', "ResourceAttributes['k8s.pod.name']"],
  [
    'deployment.environment.name',
    "if(ResourceAttributes['deployment.environment.name'] != '', ResourceAttributes['deployment.environment.name'], ResourceAttributes['deployment.environment'])",
  ],
  ['error.message', "if(StatusCode = 'Error', StatusMessage, '')"],
];

/**
 * Which spans count as "bad" for a signal: the ones the anomaly is about. `missing` is
 * for a drop in traffic: what is under-represented among all spans, i.e. what went away.
 */
export type ExplainFocus = 'errors' | 'slow' | 'all' | 'missing' | 'metric';

export interface ExplainOptions {
  service: string;
  focus: ExplainFocus;
  /** The anomalous window, ms since the epoch: [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** The baseline window ends where the anomalous one starts; this long (default 1 h). */
  baselineMs?: number;
  /** Entries returned, at most (default 10). */
  limit?: number;
}

export interface Contributor {
  dimension: string;
  value: string;
  /** Share of the focused spans carrying this value in the anomalous window, 0..1. */
  anomalousShare: number;
  /** The same share in the baseline window. */
  baselineShare: number;
  /**
   * anomalousShare - baselineShare: how much this value is over-represented (for the
   * `missing` focus, baselineShare - anomalousShare: how much of it went away).
   */
  contribution: number;
  anomalousCount: number;
}

export interface Explanation {
  focus: ExplainFocus;
  /** Spans in focus in each window. */
  anomalousSpans: number;
  baselineSpans: number;
  /** For `slow`: the baseline p95 (ms) above which a span counted as slow. */
  slowThresholdMs?: number;
  contributors: Contributor[];
}

interface Row {
  dimension: string;
  value: string;
  /** Focused spans in each window. */
  anomalous: string | number;
  baseline: string | number;
  /** All spans carrying this value in each window, focused or not. */
  anomalousAll: string | number;
  baselineAll: string | number;
}

/**
 * What is over-represented among the spans an anomaly is about (errors, slow spans,
 * or all traffic) — or under-represented, for a drop — in the anomalous window against
 * the window before it, ranked by contribution. One scan of the service's entry spans over both windows.
 */
export async function explainAnomaly(
  client: ClickHouseClient,
  options: ExplainOptions & { focus: Exclude<ExplainFocus, 'metric'> },
): Promise<Explanation> {
  const baselineFromMs = options.fromMs - (options.baselineMs ?? 3_600_000);
  const params = {
    service: options.service,
    baseFrom: baselineFromMs,
    from: options.fromMs,
    to: options.toMs,
  };
  const window = `ServiceName = {service:String} AND ${ENTRY_SPAN_SQL}
  AND Timestamp >= fromUnixTimestamp64Milli({baseFrom:Int64}) AND Timestamp < fromUnixTimestamp64Milli({to:Int64})`;
  let slowThresholdNs = 0;
  if (options.focus === 'slow') {
    const result = await client.query({
      query: `SELECT quantile(0.95)(Duration) AS p95 FROM otel_traces
WHERE ${window} AND Timestamp < fromUnixTimestamp64Milli({from:Int64})`,
      query_params: params,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ p95: number }>();
    slowThresholdNs = Math.round(row?.p95 ?? 0);
  }
  const focus =
    options.focus === 'errors'
      ? ERROR_SPAN_SQL
      : options.focus === 'slow'
        ? 'Duration > {slow:UInt64}'
        : '1';
  const pairs = DIMENSIONS.map(([name, sql]) => `('${name}', toString(${sql}))`).join(',\n    ');
  const inWindow = 'Timestamp >= fromUnixTimestamp64Milli({from:Int64})';
  const result = await client.query({
    query: `SELECT pair.1 AS dimension, pair.2 AS value,
  countIf(${inWindow} AND ${focus}) AS anomalous, countIf(NOT ${inWindow} AND ${focus}) AS baseline,
  countIf(${inWindow}) AS anomalousAll, countIf(NOT ${inWindow}) AS baselineAll
FROM otel_traces
ARRAY JOIN [
    ${pairs}
  ] AS pair
WHERE ${window}
GROUP BY dimension, value
ORDER BY anomalous + baseline DESC, anomalousAll DESC
LIMIT 5000`,
    query_params: { ...params, slow: slowThresholdNs },
    format: 'JSONEachRow',
  });
  const rows = await result.json<Row>();
  // Every span appears once per dimension: the totals are those of any one dimension.
  const totals = { anomalous: 0, baseline: 0, anomalousAll: 0 };
  for (const row of rows) {
    if (row.dimension !== 'operation') continue;
    totals.anomalous += Number(row.anomalous);
    totals.baseline += Number(row.baseline);
    totals.anomalousAll += Number(row.anomalousAll);
  }
  const contributors: Contributor[] = [];
  for (const row of rows) {
    if (row.value === '' || Number(row.anomalous) + Number(row.baseline) === 0) continue;
    const anomalousShare = totals.anomalous === 0 ? 0 : Number(row.anomalous) / totals.anomalous;
    // A value the baseline never saw (a pod started, a version deployed during the
    // anomaly), or any value when the baseline had no spans in focus (no errors before),
    // is measured against its share of all spans in the anomalous window: a fresh pod
    // taking a third of the traffic and a third of the errors explains nothing.
    const unseen = Number(row.baselineAll) === 0 || totals.baseline === 0;
    const baselineShare =
      unseen && options.focus !== 'missing'
        ? totals.anomalousAll === 0
          ? 0
          : Number(row.anomalousAll) / totals.anomalousAll
        : totals.baseline === 0
          ? 0
          : Number(row.baseline) / totals.baseline;
    const missing = options.focus === 'missing';
    const contribution = missing ? baselineShare - anomalousShare : anomalousShare - baselineShare;
    if (contribution <= 0 || (!missing && Number(row.anomalous) === 0)) continue;
    contributors.push({
      dimension: row.dimension,
      value: row.value,
      anomalousShare: round(anomalousShare),
      baselineShare: round(baselineShare),
      contribution: round(contribution),
      anomalousCount: Number(row.anomalous),
    });
  }
  contributors.sort(
    (a, b) => b.contribution - a.contribution || b.anomalousCount - a.anomalousCount,
  );
  return {
    focus: options.focus,
    anomalousSpans: totals.anomalous,
    baselineSpans: totals.baseline,
    ...(options.focus === 'slow' ? { slowThresholdMs: slowThresholdNs / 1e6 } : {}),
    contributors: contributors.slice(0, options.limit ?? 10),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
