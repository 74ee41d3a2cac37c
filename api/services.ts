import type { ClickHouseClient } from '@clickhouse/client';
import { MIN_TRAINING_STEPS } from '../detector/index.ts';
import {
  ALERTS_TABLE,
  DETECTOR_STATE_TABLE,
  ENTRY_SPAN_SQL,
  ENVIRONMENT_SQL,
  ERROR_SPAN_SQL,
} from '../storage/index.ts';
import { readOtherSignals } from './service-signals.ts';
import type { TimeRange } from './time-range.ts';

export interface ServiceSummary {
  name: string;
  /** Every span, child spans (database calls, internal work) included. */
  spans: number;
  /** Of those, errors. */
  errorSpans: number;
  /** Requests: entry spans (SERVER or CONSUMER kind, or roots), as the rollup and detector count. */
  requests: number;
  /** Of those, errors. */
  errors: number;
  /** errors / requests; null without requests. The one error ratio the API and UI show. */
  errorRatio: number | null;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * learning: the detector has not yet seen MIN_TRAINING_STEPS steps of the service's
   * request rate; anomalous: an alert is open or acknowledged; ok otherwise.
   */
  status: 'learning' | 'ok' | 'anomalous';
  /** Alerts open or acknowledged (not yet resolved). */
  openAlerts: number;
  /** `deployment.environment.name` values seen on the service's telemetry (at most 10). */
  environments: string[];
  /** What the service sent in the range: a service with only metrics or logs is listed too. */
  signals: Array<'traces' | 'metrics' | 'logs'>;
  /** Distinct metric names it sent. */
  metrics: number;
  logRecords: number;
  /** Log records of severity ERROR or above. */
  logErrors: number;
}

/**
 * Per-service requests (entry spans) and their errors, span counts, and latency quantiles
 * in a time range, read from raw spans up to the range's end (the newest second included),
 * and the services that sent only metrics or logs, with what they sent. Latency is measured on entry spans (server, consumer, roots), the
 * time callers wait; a service that has none is measured on all its spans. With
 * `environment`, only spans of that `deployment.environment.name` count.
 */
export async function listServices(
  client: ClickHouseClient,
  range: TimeRange,
  filter: { environment?: string | undefined } = {},
): Promise<ServiceSummary[]> {
  const others = readOtherSignals(client, range, filter.environment);
  const result = await client.query({
    query: `SELECT
  ServiceName AS name,
  count() AS spans,
  countIf(${ERROR_SPAN_SQL}) AS errorSpans,
  countIf(${ENTRY_SPAN_SQL}) AS requests,
  countIf(${ENTRY_SPAN_SQL} AND ${ERROR_SPAN_SQL}) AS errors,
  if(countIf(${ENTRY_SPAN_SQL}) > 0,
     quantilesIf(0.5, 0.95, 0.99)(Duration, ${ENTRY_SPAN_SQL}),
     quantiles(0.5, 0.95, 0.99)(Duration)) AS q,
  arraySort(groupUniqArrayIf(10)(${ENVIRONMENT_SQL}, ${ENVIRONMENT_SQL} != '')) AS environments
FROM otel_traces
WHERE Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})
  AND Timestamp < fromUnixTimestamp64Milli({toMs:Int64})${
    filter.environment === undefined ? '' : `\n  AND ${ENVIRONMENT_SQL} = {environment:String}`
  }
GROUP BY ServiceName
ORDER BY ServiceName`,
    query_params: {
      fromMs: range.fromMs,
      toMs: range.toMs,
      ...(filter.environment === undefined ? {} : { environment: filter.environment }),
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{
    name: string;
    spans: string | number;
    errorSpans: string | number;
    requests: string | number;
    errors: string | number;
    q: number[];
    environments: string[];
  }>();
  const otherSignals = await others;
  const traced = new Set(rows.map((row) => row.name));
  for (const name of otherSignals.keys()) {
    if (!traced.has(name)) {
      rows.push({ name, spans: 0, errorSpans: 0, requests: 0, errors: 0, q: [], environments: [] });
    }
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { openAlerts, trainedSteps } = await detectorView(
    client,
    rows.map((row) => row.name),
  );
  return rows.map((row): ServiceSummary => {
    const other = otherSignals.get(row.name);
    const open = openAlerts.get(row.name) ?? 0;
    const steps = trainedSteps.get(row.name) ?? 0;
    return {
      name: row.name,
      spans: Number(row.spans),
      errorSpans: Number(row.errorSpans),
      requests: Number(row.requests),
      errors: Number(row.errors),
      errorRatio:
        Number(row.requests) > 0
          ? Math.round((Number(row.errors) / Number(row.requests)) * 1e4) / 1e4
          : null,
      p50Ms: nanosToMs(row.q[0]),
      p95Ms: nanosToMs(row.q[1]),
      p99Ms: nanosToMs(row.q[2]),
      status: open > 0 ? 'anomalous' : steps < MIN_TRAINING_STEPS ? 'learning' : 'ok',
      openAlerts: open,
      environments: [...new Set([...row.environments, ...(other?.environments ?? [])])]
        .sort()
        .slice(0, 10),
      signals: [
        ...(Number(row.spans) > 0 ? (['traces'] as const) : []),
        ...((other?.metrics ?? 0) > 0 ? (['metrics'] as const) : []),
        ...((other?.logRecords ?? 0) > 0 ? (['logs'] as const) : []),
      ],
      metrics: other?.metrics ?? 0,
      logRecords: other?.logRecords ?? 0,
      logErrors: other?.logErrors ?? 0,
    };
  });
}

/** Open alerts and the request-rate model's age of each of `services`. */
async function detectorView(
  client: ClickHouseClient,
  services: string[],
): Promise<{ openAlerts: Map<string, number>; trainedSteps: Map<string, number> }> {
  if (services.length === 0) return { openAlerts: new Map(), trainedSteps: new Map() };
  const [alerts, states] = await Promise.all([
    client.query({
      query: `SELECT service, count() AS open FROM ${ALERTS_TABLE} FINAL
WHERE status IN ('open', 'acknowledged') AND service IN {services:Array(String)}
GROUP BY service`,
      query_params: { services },
      format: 'JSONEachRow',
    }),
    client.query({
      query: `SELECT Service AS service, JSONExtractUInt(State, 'steps') AS steps
FROM ${DETECTOR_STATE_TABLE} FINAL
WHERE Signal = 'request_rate' AND Operation = '' AND Service IN {services:Array(String)}`,
      query_params: { services },
      format: 'JSONEachRow',
    }),
  ]);
  const open = await alerts.json<{ service: string; open: string | number }>();
  const steps = await states.json<{ service: string; steps: string | number }>();
  return {
    openAlerts: new Map(open.map((row) => [row.service, Number(row.open)])),
    trainedSteps: new Map(steps.map((row) => [row.service, Number(row.steps)])),
  };
}

function nanosToMs(nanos: number | undefined): number {
  return Math.round((nanos ?? 0) / 1e3) / 1e3;
}
