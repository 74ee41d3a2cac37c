/**
 * The service map on the embedded engine (a fresh data directory): `GET /v1/service-map`
 * over a day of a `services`-service call graph (each service calls 2–4 others and a
 * database or queue, every minute of 1,440, and has a row of its own requests), written
 * straight into the per-minute call rollup by INSERT … SELECT (the figure is the read, not
 * ingest), then the 10-minute and hourly rollups built by their views; then what keeping the minute rollup
 * costs: 3 minutes of cross-service spans at 10,000 spans/s in otel_traces and one refresh
 * of the view that recomputes those minutes.
 *
 * Each generated minute spreads its calls over 7 adjacent latency buckets of the 98 (bucket
 * 17 to 62: about 0.2 ms to 470 ms), stored up to the last non-empty one as the view stores
 * them; the read sums the arrays, so their length, not how many are non-zero, is the cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApi } from '../api/live/index.ts';
import {
  LATENCY_BUCKET_BOUNDS_NS,
  SERVICE_EDGES_10M_TABLE,
  SERVICE_EDGES_HOURLY_TABLE,
  SERVICE_EDGES_TABLE,
  trimmedBucketsSql,
} from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';

const DAY_MINUTES = 1440;
const SPANS_PER_SECOND = 10_000;
const REFRESH_MINUTES = 3;
const BACKENDS = "['postgres', 'mysql', 'redis', 'kafka', 'rabbitmq']";
/** The open top bucket has no bound. */
const LATENCY_BUCKETS = LATENCY_BUCKET_BOUNDS_NS.length + 1;
const BACKEND_KINDS = "['database', 'database', 'database', 'queue', 'queue']";

export interface ServiceMapFigures {
  services: number;
  /** Minute rows (calls between services and each service's own requests) and hourly rows. */
  edgeRows: number;
  hourlyRows: number;
  insertSeconds: number;
  /** Building the hourly and the 10-minute rollups of the day from the minute rows, by their views. */
  hourlyBuild: { wallMs: number; cpuMs: number };
  tenMinuteBuild: { wallMs: number; cpuMs: number };
  nodes: number;
  edges: number;
  /** Wall-clock and CPU (this process, engine included) per request, ms. */
  day: { p50: number; p95: number; cpuP95: number };
  hour: { p50: number; p95: number; cpuP95: number };
  refresh: { spans: number; wallMs: number; cpuMs: number; edgeRowsWritten: number };
}

/** Runs the map reads `runs` times each, then one timed refresh of the rollup. */
export async function benchServiceMap(options: {
  services: number;
  runs: number;
}): Promise<ServiceMapFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'opsless-map-'));
  const storage = await openStorage({ dataDir, retentionDays: 0 });
  const nowMs = Math.floor(Date.now() / 60_000) * 60_000;
  const client = storage.client;
  const count = async (query: string) => {
    const result = await client.query({ query, format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string }>();
    return Number(row?.n ?? 0);
  };
  try {
    const started = performance.now();
    await client.command({ query: edgesInsert(options.services, nowMs) });
    const insertSeconds = (performance.now() - started) / 1000;
    const hourlyBuild = await timeRefresh(client, `${SERVICE_EDGES_HOURLY_TABLE}_mv`);
    const tenMinuteBuild = await timeRefresh(client, `${SERVICE_EDGES_10M_TABLE}_mv`);
    const api = createApi({
      client,
      isReady: () => true,
      logger: pino({ level: 'silent' }),
      now: () => nowMs,
    });
    let shape = { nodes: 0, edges: 0 };
    const time = async (path: string) => {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let run = 0; run <= options.runs; run++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const response = await api.request(path);
        const body = (await response.json()) as { nodes: unknown[]; edges: unknown[] };
        if (!response.ok) throw new Error(`${path} answered ${response.status}`);
        if (run === 0) {
          shape = { nodes: body.nodes.length, edges: body.edges.length };
          continue; // the first run warms caches
        }
        wall.push(performance.now() - t0);
        const used = process.cpuUsage(cpu0);
        cpu.push((used.user + used.system) / 1000);
      }
      return {
        p50: round(percentile(wall, 0.5)),
        p95: round(percentile(wall, 0.95)),
        cpuP95: round(percentile(cpu, 0.95)),
      };
    };
    const hour = await time('/v1/service-map?since=1h');
    const day = await time('/v1/service-map?since=24h');
    const edgeRows = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_TABLE}`);
    const hourlyRows = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_HOURLY_TABLE}`);
    const refresh = await timeMinuteRefresh(storage.client, count, options.services);
    return {
      services: options.services,
      edgeRows,
      hourlyRows,
      insertSeconds: round(insertSeconds),
      hourlyBuild,
      tenMinuteBuild,
      ...shape,
      day,
      hour,
      refresh,
    };
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One refresh of a refreshable view, waited for: wall-clock and this process's CPU, ms. */
async function timeRefresh(
  client: Awaited<ReturnType<typeof openStorage>>['client'],
  view: string,
): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await client.command({ query: `SYSTEM REFRESH VIEW ${view}` });
  await client.command({ query: `SYSTEM WAIT VIEW ${view}` });
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  return { wallMs: round(wallMs), cpuMs: round((used.user + used.system) / 1000) };
}

/** Spans of the minutes the next refresh recomputes, then that refresh, timed. */
async function timeMinuteRefresh(
  client: Awaited<ReturnType<typeof openStorage>>['client'],
  count: (query: string) => Promise<number>,
  services: number,
): Promise<ServiceMapFigures['refresh']> {
  const spans = SPANS_PER_SECOND * 60 * REFRESH_MINUTES;
  // The window ends at the minute now starts, as the refresh's does (if the minute turns
  // before it runs, one of the three minutes falls out: edgeRowsWritten shows it).
  const endMs = Math.floor(Date.now() / 60_000) * 60_000;
  await client.command({ query: tracesInsert(spans, services, endMs) });
  const before = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_TABLE}`);
  const timed = await timeRefresh(client, `${SERVICE_EDGES_TABLE}_mv`);
  const after = await count(`SELECT count() AS n FROM ${SERVICE_EDGES_TABLE}`);
  return { spans, ...timed, edgeRowsWritten: after - before };
}

/** Service `i` calls 2–4 services spread over the graph and one database or queue. */
function calleesSql(services: number): string {
  return `arrayMap(k -> if(k < 2 + s % 3,
    concat('svc-', toString((s * 7 + 1 + k * 131) % ${services})),
    ${BACKENDS}[s % 5 + 1]), range(3 + s % 3))`;
}

/** Each service's calls, and its own requests as a row to itself, every minute of the day. */
function edgesInsert(services: number, nowMs: number): string {
  return `INSERT INTO ${SERVICE_EDGES_TABLE}
SELECT Minute, concat('svc-', toString(s)) AS Caller, callee AS Callee,
  multiIf(startsWith(callee, 'svc-'), 'service', ${BACKEND_KINDS}[s % 5 + 1]) AS CalleeKind,
  requests AS Requests, intDiv(requests * (h % 7), 100) AS Errors,
  ${trimmedBucketsSql(`arrayMap(i -> toUInt32(if(abs(i - (20 + h % 40)) <= 3, intDiv(requests, 7), 0)),
    range(${LATENCY_BUCKETS}))`)} AS LatencyBuckets,
  1 AS Version
FROM (
  SELECT toDateTime(intDiv(${nowMs}, 1000) - 60 * (1 + intDiv(number, ${services}))) AS Minute,
    number % ${services} AS s,
    arrayJoin(arrayPushFront(${calleesSql(services)}, concat('svc-', toString(s)))) AS callee,
    cityHash64(number, callee) AS h, 20 + h % 200 AS requests
  FROM numbers(${DAY_MINUTES * services})
)`;
}

/**
 * `spans` spans over the minutes before `endMs`: pairs of a CLIENT span in one service and
 * the SERVER span of another that answered it (same trace, the child names the parent),
 * and one pair in ten a CLIENT span to a database no one answered.
 */
function tracesInsert(spans: number, services: number, endMs: number): string {
  const startMs = endMs - REFRESH_MINUTES * 60_000;
  const pairs = Math.floor(spans / 2);
  return `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
  ServiceName, SpanAttributes, Duration, StatusCode)
SELECT fromUnixTimestamp64Milli(toInt64(${startMs} + intDiv(p * ${REFRESH_MINUTES * 60_000}, ${pairs}) + side)),
  hex(cityHash64(p, 'trace')),
  hex(cityHash64(p, side)),
  if(side = 0, '', hex(cityHash64(p, 0))),
  if(side = 0, 'call', 'GET /api'),
  if(side = 0 OR db, 'Client', 'Server'),
  if(side = 0, concat('svc-', toString(p % ${services})), if(db, concat('svc-', toString(p % ${services})),
    concat('svc-', toString((p * 7 + 1) % ${services})))),
  if(db AND side = 1, map('db.system', 'postgresql'), map()),
  toUInt64(1e6 + cityHash64(p) % 5e7),
  if(cityHash64(p) % 50 = 0, 'Error', 'Ok')
FROM (SELECT number AS p, number % 10 = 0 AS db FROM numbers(${pairs})) AS pairs
  ARRAY JOIN [0, 1] AS side`;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
